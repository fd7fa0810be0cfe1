// Start-up, the toolbar, saving and the error summary.
function render() {
  renderFlow();
  renderPanel();
  renderErrors();
  var saveState = document.getElementById("lb-save-state");
  if (saveState) { saveState.textContent = S.dirty ? _("Unsaved changes") : _("All changes saved"); }
}

function renderErrors() {
  var box = document.getElementById("lb-errors");
  if (!box) { return; }
  box.textContent = "";
  if (!S.errors.length) { box.hidden = true; return; }
  box.hidden = false;
  box.appendChild(el("p", {text: interpolate(S.errorsFromSave
    ? _("Not saved: %s problem(s) to fix. Nothing changed on the site.")
    : _("Before this automation can be activated, fix %s problem(s):"), [S.errors.length])}));
  box.appendChild(el("ul", {}, S.errors.map(function (error) {
    var target = errorTarget(error);
    var where = error.where === "step" ? interpolate(_("Step “%s”"), [error.step_id])
      : error.where === "triggers" ? interpolate(_("Trigger %s"), [error.index + 1])
        : error.where === "exit_conditions" ? interpolate(_("Exit condition %s"), [error.index + 1]) : _("Settings");
    return el("li", {}, target ? el("a", {href: "#", onclick: function (event) {
      event.preventDefault(); select_(target.kind, target.key);
    }, text: where}) : where, ": " + (error.field ? error.field + ": " : "") + error.message);
  })));
}

function errorTarget(error) {
  if (error.where === "step" && error.step_id) { return {kind: "step", key: error.step_id}; }
  if (error.where === "triggers") { return {kind: "trigger", key: error.index}; }
  if (error.where === "exit_conditions") { return {kind: "exit", key: error.index}; }
  if (error.where === "automation") { return {kind: "settings", key: "automation"}; }
  return null;
}

function save(status, moveLearnersOn) {
  var document_ = clone(S.doc);
  if (status) { document_.status = status; }
  var button = document.getElementById("lb-save");
  button.disabled = true;
  announce(_("Saving…"));
  return postJSON(S.urls.save, {automation_id: S.automationId, document: document_,
    move_learners_on: Boolean(moveLearnersOn), labels: S.labels,
    test_learners: S.testLearners.map(function (item) { return item.id; })}).then(function (answer) {
    button.disabled = false;
    var body = answer.body || {};
    if (answer.status === 409 && body.confirm) {
      var lines = body.confirm.map(function (item) {
        return interpolate(_("%(count)s at %(step_id)s, who will go on to %(next)s"),
          {count: item.count, step_id: item.step_id, next: item.next || _("the end of the flow")}, true);
      });
      if (window.confirm(interpolate(_("Learners are at steps you deleted: %s. Save anyway?"), [lines.join("; ")]))) {
        return save(status, true);
      }
      announce(_("Not saved."), true);
      return null;
    }
    if (answer.status !== 200) {
      S.errors = body.errors || [{where: "automation", message: body.detail || _("The save failed.")}];
      S.errorsFromSave = true;
      render();
      announce(interpolate(_("Not saved: %s problem(s) to fix."), [S.errors.length]), true);
      var summary = document.getElementById("lb-errors");
      if (summary) { summary.focus(); }
      return null;
    }
    var created = !S.automationId;
    S.errors = [];
    S.dirty = false;
    S.automationId = body.id;
    S.doc = body.document;
    S.counts = body.counts || {};
    S.labels = body.labels || [];
    S.testLearners = body.test_learners || [];
    render();
    announce(interpolate(_("Saved (%s)."), [body.status]));
    if (created) { window.location.assign(body.url); }
    return body;
  }, function () {
    button.disabled = false;
    announce(_("The server could not be reached; nothing was saved."), true);
  });
}

function toolbar() {
  if (S.readonly) {
    return el("div", {class: "lb-toolbar"}, el("p", {class: "lb-hint", text: _("Read only.")}));
  }
  return el("div", {class: "lb-toolbar", role: "toolbar", "aria-label": _("Builder")},
    el("button", {type: "button", id: "lb-save", class: "default", text: _("Save"), onclick: function () { save(); }}),
    S.doc.status === "testing" ? null : el("button", {type: "button", id: "lb-test", text: _("Save and test"),
      title: _("Testing status: it runs only for the test learners (Automation settings)"),
      onclick: function () { save("testing"); }}),
    S.doc.status === "active" ? null : el("button", {type: "button", id: "lb-activate", text: _("Save and activate"),
      onclick: function () { save("active"); }}),
    dryRunButton(),
    el("span", {id: "lb-save-state", class: "lb-hint", "aria-live": "polite"}));
}

function start() {
  var root = document.getElementById("lmsauto-builder");
  var data = JSON.parse(document.getElementById("lmsauto-builder-data").textContent);
  S.doc = data.document;
  S.automationId = data.automation_id;
  S.counts = data.counts || {};
  S.readonly = data.readonly;
  S.errors = data.errors || [];
  S.urls = data.urls;
  S.labels = data.labels || [];
  S.testLearners = data.test_learners || [];
  normalise();
  Promise.all([getJSON(S.urls.catalogue), getJSON(S.urls.courses)]).then(function (answers) {
    S.catalogue = answers[0].body;
    S.courses = answers[1].body.courses || [];
    root.querySelector(".lb-loading").remove();
    root.appendChild(toolbar());
    root.appendChild(el("div", {id: "lb-live", class: "lb-live", role: "status", "aria-live": "polite"}));
    root.appendChild(el("div", {id: "lb-errors", class: "lb-errors errornote", role: "alert", tabindex: "-1",
      hidden: true}));
    root.appendChild(el("div", {class: "lb-layout"},
      el("div", {id: "lb-flow", class: "lb-flow"}),
      el("div", {class: "lb-aside"}, el("div", {id: "lb-exits"}),
        el("div", {id: "lb-panel", class: "lb-panel", role: "region", "aria-label": _("Edit")}))));
    if (!S.automationId) { S.selected = {kind: "settings", key: "automation"}; }
    render();
    if (S.errors.length) {
      announce(interpolate(_("This automation cannot be activated yet: %s problem(s)."), [S.errors.length]), true);
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (S.dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".lb-add-wrap")) {
      document.querySelectorAll(".lb-add-menu").forEach(function (menu) { menu.hidden = true; });
    }
  });
}

if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
