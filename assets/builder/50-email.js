// E-mail authoring: the template variables (listed, inserted where the cursor is), a preview
// rendered on the server for a chosen learner (no side effect), and "send a test to me".
var lastTemplateField = null;
document.addEventListener("focusin", function (event) {
  if (event.target.classList && event.target.classList.contains("lb-template")) { lastTemplateField = event.target; }
});

function templateVariables() {
  var names = S.catalogue.variables.slice();
  var seen = {};
  S.doc.triggers.forEach(function (trigger) {
    var found = entry("events", trigger.event);
    Object.keys((found && found.payload_fields) || {}).forEach(function (field) {
      if (!seen[field]) { seen[field] = true; names.push({name: "event." + field, label: found.payload_fields[field]}); }
    });
  });
  return names;
}

function variablesBar() {
  return el("details", {class: "lb-variables", open: true},
    el("summary", {text: _("Variables: click one to insert it where the cursor is")}),
    el("ul", {}, templateVariables().map(function (variable) {
      return el("li", {}, el("button", {type: "button", class: "lb-var", title: variable.label,
        "aria-label": interpolate(_("Insert %(name)s: %(label)s"), variable, true), text: variable.name,
        onclick: function () { insertVariable(variable.name); }}));
    })));
}

function insertVariable(name) {
  var field = lastTemplateField && document.body.contains(lastTemplateField) ? lastTemplateField
    : document.querySelector("#lb-panel textarea.lb-template");
  if (!field) { return; }
  var text = "{{ " + name + " }}";
  var start = field.selectionStart || 0;
  var end = field.selectionEnd || 0;
  field.value = field.value.slice(0, start) + text + field.value.slice(end);
  field.focus();
  field.selectionStart = field.selectionEnd = start + text.length;
  field.dispatchEvent(new Event("input", {bubbles: true}));
}

function emailPreview(step) {
  var box = el("section", {class: "lb-preview", "aria-label": _("Preview")});
  var searchId = nextId("q");
  var search = el("input", {id: searchId, type: "search", placeholder: _("username, name or e-mail"),
    onkeydown: function (event) { if (event.key === "Enter") { event.preventDefault(); find(); } }});
  var learner = el("select", {id: "lb-preview-learner", "aria-label": _("Learner")},
    el("option", {value: "", text: _("— find a learner first —")}));
  var result = el("div", {class: "lb-preview-result", "aria-live": "polite"});
  function find() {
    var courses = (S.doc.scope.courses || []).join(",");
    getJSON(S.urls.learners + "?q=" + encodeURIComponent(search.value) + "&courses=" + encodeURIComponent(courses))
      .then(function (answer) {
        learner.textContent = "";
        var found = answer.body.learners || [];
        if (!found.length) { learner.appendChild(el("option", {value: "", text: _("no learner found")})); }
        found.forEach(function (item) {
          learner.appendChild(el("option", {value: String(item.id), text: learnerLabel(item)}));
        });
      });
  }
  function run(sendTest) {
    if (!learner.value) { result.textContent = _("Choose a learner first."); return; }
    postJSON(S.urls.preview, {automation_id: S.automationId, document: S.doc, params: step.params,
      learner_id: Number(learner.value), send_test: sendTest}).then(function (answer) {
      showPreview(result, answer, sendTest);
    });
  }
  box.appendChild(el("h3", {text: _("Preview for a learner")}));
  box.appendChild(el("div", {class: "lb-inline"}, el("label", {for: searchId, class: "lb-sr", text: _("Find a learner")}),
    search, el("button", {type: "button", class: "lb-small lb-keep", text: _("Find"), onclick: find})));
  box.appendChild(el("div", {class: "lb-inline"}, learner,
    el("button", {type: "button", class: "lb-small lb-keep", id: "lb-preview-button", text: _("Preview"),
      onclick: function () { run(false); }}),
    el("button", {type: "button", class: "lb-small", id: "lb-send-test", text: _("Send a test to me"),
      onclick: function () { run(true); }})));
  box.appendChild(result);
  return box;
}

function showPreview(result, answer, sendTest) {
  result.textContent = "";
  var body = answer.body || {};
  if (answer.status !== 200) {
    result.appendChild(el("p", {class: "errornote", role: "alert", text: body.detail || _("The preview failed.")}));
    return;
  }
  if ((body.errors || []).length) {
    result.appendChild(errorList(body.errors.map(function (error) {
      return {message: error.path + ": " + error.message};
    })));
  }
  if ((body.empty || []).length) {
    result.appendChild(el("p", {class: "lb-warning", role: "alert", text: interpolate(
      _("Empty for this learner: %s. Add a default, e.g. {{ learner.first_name|default:\"there\" }}."),
      [body.empty.join(", ")])}));
  }
  if (sendTest && body.sent_to) {
    result.appendChild(el("p", {class: "lb-ok", role: "status", text: interpolate(_("Test sent to %s."), [body.sent_to])}));
  }
  result.appendChild(el("p", {class: "lb-preview-subject"}, el("strong", {text: _("Subject: ")}), body.subject || ""));
  var frame = el("iframe", {class: "lb-preview-html", title: _("The e-mail as HTML"), sandbox: ""});
  frame.srcdoc = body.body_html || "";
  result.appendChild(frame);
  result.appendChild(el("details", {}, el("summary", {text: _("Plain-text part")}),
    el("pre", {class: "lb-preview-text", text: body.body_text || ""})));
}
