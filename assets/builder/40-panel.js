// The side panel: the form of whatever card is selected (settings, a trigger, a step, an exit
// condition), each with its "advanced" JSON that round-trips.
function renderPanel() {
  var panel = document.getElementById("lb-panel");
  if (!panel) { return; }
  var active = document.activeElement && panel.contains(document.activeElement) ? document.activeElement.id : null;
  panel.textContent = "";
  uid = 0;  // the same ids on every drawing, so the focus can be put back
  var selected = S.selected;
  var body;
  if (!selected) { body = introPanel(); }
  else if (selected.kind === "settings") { body = settingsPanel(); }
  else if (selected.kind === "trigger") { body = eventRowPanel(S.doc.triggers, selected.key, "triggers"); }
  else if (selected.kind === "exit") { body = eventRowPanel(S.doc.exit_conditions, selected.key, "exit_conditions"); }
  else if (selected.kind === "dryrun") { body = dryRunPanel(); }
  else { body = stepPanel(selected.key); }
  append(panel, body);
  if (S.readonly) {
    panel.querySelectorAll("input, select, textarea, button:not(.lb-keep)").forEach(function (node) {
      node.disabled = true;
    });
  }
  if (active && document.getElementById(active)) { document.getElementById(active).focus(); }
}

function heading(text) { return el("h2", {tabindex: "-1", text: text}); }

function introPanel() {
  return [heading(_("Build the flow")), el("p", {class: "lb-hint", text: _("Click a card to edit it, or + to add " +
    "a step there. Nothing is kept until you save; saving checks the whole automation.")})];
}

function advanced(value, onApply) {
  var id = nextId("j");
  var area = el("textarea", {id: id, rows: 12, class: "lb-json", value: JSON.stringify(value, null, 2)});
  return el("details", {class: "lb-advanced"}, el("summary", {text: _("Advanced: JSON")}),
    el("label", {for: id, class: "lb-hint", text: _("The same settings as JSON (lms-automations/v1).")}), area,
    el("button", {type: "button", class: "lb-small", text: _("Apply JSON"), onclick: function () {
      try {
        onApply(JSON.parse(area.value));
        changed();
        announce(_("JSON applied."));
      } catch (error) {
        announce(interpolate(_("That is not valid JSON: %s"), [error.message]), true);
      }
    }}));
}

function labelled(text, control, errors) {
  var id = control.id || (control.id = nextId("s"));
  return el("div", {class: "lb-row" + (errors && errors.length ? " lb-has-error" : "")},
    el("label", {for: id, text: text}), control, errorList(errors || []));
}

function settingsPanel() {
  var doc = S.doc;
  var errors = S.errors.filter(function (error) { return error.where === "automation"; });
  function text(name, rows) {
    var input = el(rows ? "textarea" : "input", {id: "lb-" + name, rows: rows || null, value: doc[name] || "",
      oninput: function (event) { doc[name] = event.target.value; touched(); }});
    return labelled(name === "name" ? _("Name") : _("Description"), input, fieldErrors(errors, name));
  }
  var courses = S.courses.map(function (course) { return [course.key, course.name + " (" + course.key + ")"]; });
  (doc.scope.courses || []).forEach(function (key) {
    if (!courses.some(function (item) { return item[0] === key; })) { courses.push([key, key]); }
  });
  var scopeBox = checkboxes("lb-scope-courses", courses, doc.scope.courses || [], function (picked) {
    doc.scope.courses = picked; touched();
  });
  var entry_ = doc.entry || (doc.entry = {policy: "each_time", period: null});
  var period = entry_.policy === "once_per" ? labelled(_("Once per"), durationInput("lb-period", entry_.period, false,
    function (value) { entry_.period = value || null; touched(); }), fieldErrors(errors, "entry")) : null;
  return [heading(_("Automation settings")), text("name"), text("description", 2),
    el("div", {class: "lb-row" + (fieldErrors(errors, "scope").length ? " lb-has-error" : "")},
      el("span", {class: "lb-label", id: "lb-scope-label", text: _("Courses it is for")}), scopeBox,
      el("p", {class: "lb-help", text: _("Only courses where you are on the course team are offered.")}),
      errorList(fieldErrors(errors, "scope"))),
    labelsRow(fieldErrors(errors, "labels")),
    labelled(_("Status"), select("lb-status", [["draft", _("draft")], ["testing", _("testing (test learners only)")],
      ["active", _("active")], ["inactive", _("inactive")]], doc.status, function (value) {
      doc.status = value; touched();
    }), fieldErrors(errors, "status")),
    labelled(_("Runs"), select("lb-execution", [["async", _("in the background (async)")],
      ["sync", _("at once, in the learner's request (sync)")]], doc.execution, function (value) {
      doc.execution = value; touched();
    })),
    labelled(_("A learner enters"), select("lb-entry", [["each_time", _("each time a trigger fires")],
      ["once", _("once, ever")], ["once_per", _("once per period")],
      ["skip_if_active", _("unless already in the flow")], ["restart", _("again, restarting the flow")]],
    entry_.policy, function (value) { entry_.policy = value; if (value !== "once_per") { entry_.period = null; } changed(); })),
    period,
    testLearnersBox(fieldErrors(errors, "test_learners")),
    advanced(doc, function (parsed) { S.doc = parsed; normalise(); })];
}

function eventRowPanel(rows, index, where) {
  var row = rows[index];
  if (!row) { return introPanel(); }
  var errors = rowErrors(where, index);
  var isExit = where === "exit_conditions";
  var eventSelect = select("lb-event", grouped(entries("events")), row.event, function (value) {
    row.event = value; changed();
  }, _("— choose an event —"));
  var found = entry("events", row.event);
  var payload = found ? Object.keys(found.payload_fields || {}) : [];
  var outcome = isExit ? labelled(_("Outcome"), select("lb-outcome", [["converted", _("converted (the goal was met)")],
    ["exited", _("exited")]], row.outcome || "converted", function (value) { row.outcome = value; touched(); })) : null;
  var filterId = nextId("flt");
  return [heading(isExit ? interpolate(_("Exit condition %s"), [index + 1]) : interpolate(_("Trigger %s"), [index + 1])),
    labelled(isExit ? _("Exit when") : _("When"), eventSelect, fieldErrors(errors, "event")),
    found ? el("p", {class: "lb-help", text: found.description}) : null,
    payload.length ? el("p", {class: "lb-help"}, _("The event carries: "), payload.map(function (name, at) {
      return [at ? ", " : "", el("code", {text: name}), " (" + found.payload_fields[name] + ")"];
    })) : null,
    el("div", {class: "lb-row" + (fieldErrors(errors, "filter").length ? " lb-has-error" : "")},
      el("span", {class: "lb-label", id: filterId, text: _("Only if")}),
      conditionEditor(row, "filter", {event: row.event}, [], nextId("c")), errorList(fieldErrors(errors, "filter"))),
    outcome,
    advanced(row, function (parsed) { rows[index] = parsed; })];
}

function stepPanel(id) {
  var found = findStep(id);
  if (!found) { return introPanel(); }
  var step = found.step;
  var errors = stepErrors(step.id);
  var idInput = el("input", {id: "lb-step-id", value: step.id, pattern: "[A-Za-z0-9_.?!-]+", onchange: function (event) {
    var value = event.target.value.trim();
    if (!value || (value !== step.id && allIds()[value])) {
      announce(_("Step ids must be unique and not empty."), true); event.target.value = step.id; return;
    }
    step.id = value; S.selected.key = value; changed();
  }});
  var parts = [heading(interpolate(_("%(type)s step %(id)s"), {type: TYPE_LABELS[step.type], id: step.id}, true)),
    labelled(_("Step id"), idInput, fieldErrors(errors, "id"))];
  if (step.type === "branch") {
    parts.push(el("div", {class: "lb-row" + (fieldErrors(errors, "condition").length ? " lb-has-error" : "")},
      el("span", {class: "lb-label", text: _("Yes when")}),
      conditionEditor(step, "condition", {keepEmpty: true, event: firstTriggerEvent()}, [], nextId("c")),
      errorList(fieldErrors(errors, "condition"))));
  } else {
    var kinds = step.type === "action" ? entries("actions") : entries("waits");
    parts.push(labelled(step.type === "action" ? _("It does") : _("It waits"), select("lb-kind", grouped(kinds),
      step[step.type], function (value) {
        step[step.type] = value;
        step.params = {};
        if (/^(action|wait)(-\d+)?$/.test(step.id) && value) {
          // A generated id follows the kind chosen (email-send), as the importer names steps.
          var previous = step.id;
          step.id = "";
          step.id = newStepId(value);
          if (S.selected.key === previous) { S.selected.key = step.id; }
        }
        changed();
      },
      _("— choose —")), fieldErrors(errors, step.type)));
    var entry_ = stepEntry(step);
    if (entry_) {
      parts.push(el("p", {class: "lb-help", text: entry_.description}));
      var fields = entry_.fields;
      if (fields.some(function (field) { return field.widget === "html"; })) {
        parts.push(variablesBar());
      }
      var params = step.params || (step.params = {});
      var ctx = {event: firstTriggerEvent()};
      if (fields.some(function (field) { return field.widget === "html"; })) {
        // An e-mail: the message first, its less used options folded (open when one is set or wrong).
        var main = fields.filter(function (field) { return field.required || field.name === "body_text"; });
        var more = fields.filter(function (field) { return main.indexOf(field) < 0; });
        var open = more.some(function (field) {
          return params[field.name] !== undefined || fieldErrors(errors, field.name).length;
        });
        parts.push(paramsForm(main, params, ctx, errors));
        parts.push(el("details", {class: "lb-more", open: open}, el("summary", {text: _("More options")}),
          paramsForm(more, params, ctx, errors)));
      } else {
        parts.push(paramsForm(fields, params, ctx, errors));
      }
      if (step.action === "email.send" || step.action === "email.notify_staff") { parts.push(emailPreview(step)); }
    }
  }
  parts.push(advanced(step, function (parsed) { found.list[found.index] = parsed; S.selected.key = parsed.id; }));
  if (!S.readonly) {
    parts.push(el("button", {type: "button", class: "lb-small lb-danger", text: _("Delete this step"),
      onclick: function () { deleteStep(step.id); }}));
  }
  return parts;
}

function firstTriggerEvent() { return (S.doc.triggers[0] || {}).event || ""; }

function normalise() {
  var doc = S.doc;
  doc.scope = doc.scope || {courses: [], orgs: []};
  doc.scope.courses = doc.scope.courses || [];
  doc.scope.orgs = doc.scope.orgs || [];
  doc.triggers = doc.triggers || [];
  doc.steps = doc.steps || [];
  doc.exit_conditions = doc.exit_conditions || [];
  doc.entry = doc.entry || {policy: "each_time", period: null};
}
