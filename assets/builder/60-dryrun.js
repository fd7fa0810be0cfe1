// "Try with a learner": the server's dry run (engine/dry_run.py) of the document as it stands in the
// builder, unsaved edits included, for one learner — which trigger would match and why, the path with
// every condition's value, each e-mail and webhook rendered, each wait's due time. Nothing is written
// or sent. The path is also marked on the flow's cards.
S.dryRun = {query: "", learners: [], learnerId: "", answer: null, busy: false, outdated: false};

// An edit after a dry run makes its answer describe another flow: it stays readable, marked so.
function dryRunOutdated() { S.dryRun.outdated = Boolean(S.dryRun.answer); }

function dryRunButton() {
  if (S.readonly) { return null; }
  return el("button", {type: "button", id: "lb-try", text: _("Try with a learner"), onclick: function () {
    select_("dryrun", "dryrun");
  }});
}

function dryRunPath() {
  var answer = S.dryRun.answer;
  var path = {};
  if (answer && answer.status === 200 && !S.dryRun.outdated) {
    (answer.body.steps || []).forEach(function (row) { path[row.id] = row; });
  }
  return path;
}

function dryRunClass(id) { return dryRunPath()[id] ? " lb-on-path" : ""; }

function dryRunBadge(id) {
  var row = dryRunPath()[id];
  if (!row) { return null; }
  var text = row.error ? _("dry run: fails here") : row.type === "branch"
    ? (row.side === "yes" ? _("dry run: yes") : _("dry run: no")) : _("dry run: reached");
  return el("span", {class: "lb-path-badge" + (row.error ? " lb-path-failed" : ""), text: "✓ " + text});
}

function dryRunPanel() {
  var state = S.dryRun;
  var searchId = nextId("dq");
  var search = el("input", {id: searchId, type: "search", value: state.query, placeholder: _("username, name or e-mail"),
    oninput: function (event) { state.query = event.target.value; },
    onkeydown: function (event) { if (event.key === "Enter") { event.preventDefault(); findLearners(); } }});
  var learner = el("select", {id: "lb-dry-learner", "aria-label": _("Learner"), onchange: function (event) {
    state.learnerId = event.target.value;
  }}, state.learners.length ? state.learners.map(function (item) {
    return el("option", {value: String(item.id), selected: String(item.id) === state.learnerId,
      text: (item.name ? item.name + " · " : "") + item.username + " <" + item.email + ">"});
  }) : el("option", {value: "", text: _("— find a learner first —")}));
  return [heading(_("Try with a learner")),
    el("p", {class: "lb-hint", text: _("What would happen to this learner now, with the flow as it is here (unsaved " +
      "changes included). Nothing is written, sent or changed.")}),
    el("div", {class: "lb-inline"}, el("label", {for: searchId, class: "lb-sr", text: _("Find a learner")}), search,
      el("button", {type: "button", class: "lb-small lb-keep", text: _("Find"), onclick: findLearners})),
    el("div", {class: "lb-inline"}, learner,
      el("button", {type: "button", class: "lb-small lb-keep default", id: "lb-dry-run", disabled: state.busy,
        text: state.busy ? _("Trying…") : _("Try"), onclick: tryWithLearner})),
    state.outdated ? el("p", {class: "lb-warning", text: _("The flow changed since this dry run: try again.")}) : null,
    el("div", {id: "lb-dry-result", class: "lb-dry-result", "aria-live": "polite"}, dryRunResult(state.answer))];
}

function findLearners() {
  var state = S.dryRun;
  var courses = (S.doc.scope.courses || []).join(",");
  getJSON(S.urls.learners + "?q=" + encodeURIComponent(state.query) + "&courses=" + encodeURIComponent(courses))
    .then(function (answer) {
      state.learners = answer.body.learners || [];
      state.learnerId = state.learners.length ? String(state.learners[0].id) : "";
      renderPanel();
      announce(interpolate(ngettext("%s learner found.", "%s learners found.", state.learners.length),
        [state.learners.length]));
    });
}

function tryWithLearner() {
  var state = S.dryRun;
  if (!state.learnerId) { announce(_("Choose a learner first."), true); return; }
  state.busy = true;
  renderPanel();
  postJSON(S.urls.dry_run, {automation_id: S.automationId, document: S.doc, learner_id: Number(state.learnerId)})
    .then(function (answer) {
      state.busy = false;
      state.answer = answer;
      state.outdated = false;
      if (answer.status === 400 && answer.body.errors) {
        S.errors = answer.body.errors;
        S.errorsFromSave = false;
      }
      render();
      announce(answer.status === 200 ? _("Dry run done.") : (answer.body.detail || _("The dry run failed.")),
        answer.status !== 200);
    }, function () {
      state.busy = false;
      renderPanel();
      announce(_("The server could not be reached."), true);
    });
}

function when(iso, report) {
  return iso ? iso.slice(0, 16).replace("T", " ") + " (" + report.time_zone + ")" : _("at once");
}

function conditionLabel(key) { var found = entry("conditions", key); return found ? found.label : key; }

function leafList(leaves) {
  if (!leaves || !leaves.length) { return el("p", {class: "lb-hint", text: _("No condition: it always holds.")}); }
  return el("ul", {class: "lb-leaves"}, leaves.map(function (leaf) {
    var params = Object.keys(leaf.params || {}).map(function (name) {
      return name + " " + JSON.stringify(leaf.params[name]);
    }).join(", ");
    var negated = /\.not(\.|$)/.test(leaf.path || "");
    var seen = leaf.observed === null || leaf.observed === undefined ? _("no value") : JSON.stringify(leaf.observed);
    return el("li", {class: leaf.result ? "lb-leaf-true" : "lb-leaf-false"}, negated ? _("not: ") : "",
      el("strong", {text: conditionLabel(leaf.condition)}), params ? " (" + params + ")" : "", " — ",
      interpolate(_("saw %s"), [seen]), " → ",
      el("strong", {text: leaf.result ? _("true") : _("false")}));
  }));
}

function dryRunResult(answer) {
  if (!answer) { return null; }
  var body = answer.body || {};
  if (answer.status !== 200) {
    return [el("p", {class: "errornote", role: "alert", text: body.detail || _("The dry run failed.")}),
      body.errors ? errorList(body.errors.map(function (error) {
        return {message: (error.step_id ? error.step_id + ": " : "") + (error.field || error.path) + ": " + error.message};
      })) : null];
  }
  var report = body;
  var parts = (report.notes || []).map(function (note) { return el("p", {class: "lb-warning", text: note}); });
  parts.push(el("h3", {text: _("Triggers")}));
  parts.push(el("ol", {class: "lb-dry-list"}, report.triggers.map(function (trigger) {
    var event = trigger.event;
    return el("li", {class: trigger.matched ? "lb-dry-ok" : "lb-dry-no"},
      el("strong", {text: eventLabel(trigger.event_type)}), " ",
      event ? interpolate(_("(their event of %s)"), [when(event.occurred_at, report)]) : null, ": ",
      trigger.matched ? el("strong", {text: _("would match")}) : trigger.reason,
      trigger.error ? el("p", {class: "lb-field-errors", text: trigger.error}) : null,
      trigger.evaluation ? leafList(trigger.evaluation.leaves) : null);
  })));
  parts.push(el("p", {class: "lb-dry-entry " + (report.entry.would_enter ? "lb-ok" : "lb-warning"), role: "status"},
    el("strong", {text: report.entry.would_enter ? _("Would enter: ") : _("Would not enter: ")}),
    report.entry.message));
  if (report.start.by === "hand") { parts.push(el("p", {class: "lb-hint", text: report.start.message})); }
  parts.push(el("h3", {text: _("Path")}));
  parts.push(el("ol", {class: "lb-dry-list lb-dry-steps"}, report.steps.map(function (row) {
    return el("li", {class: "lb-dry-step lb-dry-" + row.type}, stepRowText(row, report), stepRowDetail(row, report));
  })));
  var outcome = report.outcome || {};
  parts.push(el("p", {class: "lb-dry-outcome", id: "lb-dry-outcome"}, el("strong", {text: _("Then: ")}),
    outcome.message + " (" + outcome.status + ")"));
  return parts;
}

function stepRowText(row, report) {
  var label = row.type === "branch" ? _("Yes / no") : (entry(row.type === "wait" ? "waits" : "actions", row.kind) || {}).label
    || row.kind;
  var head = [el("code", {class: "lb-id", text: row.id}), " ", el("strong", {text: label}), " "];
  if (row.type === "branch") {
    head.push(interpolate(_("condition %s → "), [row.result ? _("held") : _("did not hold")]),
      el("strong", {text: row.side === "yes" ? _("yes") : _("no")}));
  } else if (row.type === "wait") {
    head.push(row.awaited_event ? interpolate(_("waits for %(event)s until %(until)s"),
      {event: eventLabel(row.awaited_event), until: row.timeout_at ? when(row.timeout_at, report) : _("it happens")}, true)
      : row.already_over ? _("already over: goes straight on") : interpolate(_("until %s"), [when(row.due_at, report)]));
  } else {
    head.push(interpolate(_("at %s"), [when(row.at, report)]));
  }
  return el("div", {}, head, row.error ? el("p", {class: "lb-field-errors", role: "alert", text: row.error}) : null,
    row.note ? el("p", {class: "lb-warning", text: row.note}) : null);
}

function stepRowDetail(row, report) {
  if (row.type === "branch") { return leafList(row.leaves); }
  if (row.email) {
    var frame = el("iframe", {class: "lb-preview-html", title: _("The e-mail as HTML"), sandbox: ""});
    frame.srcdoc = row.email.body_html || "";
    return el("div", {class: "lb-dry-email"},
      el("p", {}, el("strong", {text: _("To: ")}), row.email.to || "—", row.email.test ? " " + _("(test recipient)") : ""),
      el("p", {class: "lb-preview-subject"}, el("strong", {text: _("Subject: ")}), row.email.subject), frame,
      el("details", {}, el("summary", {text: _("Plain-text part")}), el("pre", {class: "lb-preview-text",
        text: row.email.body_text})));
  }
  if (row.webhook) {
    var headers = Object.keys(row.webhook.headers || {}).map(function (name) {
      return name + ": " + row.webhook.headers[name];
    }).join("\n");
    return el("pre", {class: "lb-preview-text lb-dry-webhook",
      text: row.webhook.method + " " + row.webhook.url + "\n" + headers + "\n\n" + (row.webhook.body || "")});
  }
  if (row.type === "action" && row.params && Object.keys(row.params).length) {
    return el("pre", {class: "lb-preview-text", text: JSON.stringify(row.params, null, 1)});
  }
  return null;
}
