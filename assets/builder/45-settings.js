// What the settings panel edits beside the v1 document: labels (grouping in the list) and test
// learners (who the automation runs for in testing mode; their mail goes to whoever added them).
// Both are sent with the document when it is saved (builder_settings.py).
function labelsRow(errors) {
  return el("div", {class: "lb-row" + (errors.length ? " lb-has-error" : "")},
    el("label", {for: "lb-labels", text: _("Labels")}),
    chips("lb-labels", S.labels, {suggest: "label"}, function (picked) { S.labels = picked; touched(); }),
    el("p", {class: "lb-help", text: _("Group automations in the list, e.g. onboarding, PY101. Not part of the " +
      "exported document.")}), errorList(errors));
}

function testLearnersBox(errors) {
  var searchId = nextId("tq");
  var search = el("input", {id: searchId, type: "search", placeholder: _("username, name or e-mail"),
    onkeydown: function (event) { if (event.key === "Enter") { event.preventDefault(); find(); } }});
  var found = el("select", {id: "lb-test-learner-found", "aria-label": _("Learner to add")},
    el("option", {value: "", text: _("— find a learner first —")}));
  function find() {
    var courses = (S.doc.scope.courses || []).join(",");
    getJSON(S.urls.learners + "?q=" + encodeURIComponent(search.value) + "&courses=" + encodeURIComponent(courses))
      .then(function (answer) {
        found.textContent = "";
        var learners = answer.body.learners || [];
        if (!learners.length) { found.appendChild(el("option", {value: "", text: _("no learner found")})); }
        learners.forEach(function (item) {
          found.appendChild(el("option", {value: String(item.id), text: learnerLabel(item)}));
        });
      });
  }
  function add() {
    var id = Number(found.value);
    if (!id || S.testLearners.some(function (item) { return item.id === id; })) { return; }
    var label = found.options[found.selectedIndex].text;
    S.testLearners.push({id: id, label: label, redirect_to: _("you")});
    touched();
    renderPanel();
    announce(interpolate(_("%s added as a test learner (not saved yet)."), [label]));
  }
  var list = S.testLearners.length ? el("ul", {class: "lb-testers", id: "lb-test-learners"},
    S.testLearners.map(function (item, index) {
      return el("li", {}, el("span", {text: item.label}),
        el("span", {class: "lb-hint", text: " → " + interpolate(_("mail to %s"), [item.redirect_to || _("nobody")])}),
        el("button", {type: "button", class: "lb-chip-x", "aria-label": interpolate(_("Remove %s"), [item.label]),
          text: "×", onclick: function () { S.testLearners.splice(index, 1); touched(); renderPanel(); }}));
    })) : el("p", {class: "lb-hint", id: "lb-test-learners", text: _("No test learner yet.")});
  return el("div", {class: "lb-row lb-test-box" + (errors.length ? " lb-has-error" : ""), role: "group",
    "aria-labelledby": "lb-test-label"},
    el("span", {class: "lb-label", id: "lb-test-label", text: _("Test learners")}),
    el("p", {class: "lb-help", text: _("In testing status the automation runs only for them, and every message " +
      "they would get goes to the staff member who added them.")}),
    list,
    el("div", {class: "lb-inline"}, el("label", {for: searchId, class: "lb-sr", text: _("Find a test learner")}),
      search, el("button", {type: "button", class: "lb-small", text: _("Find"), onclick: find})),
    el("div", {class: "lb-inline"}, found,
      el("button", {type: "button", class: "lb-small", id: "lb-test-learner-add", text: _("Add as test learner"),
        onclick: add})),
    errorList(errors));
}

function learnerLabel(item) {
  return (item.name ? item.name + " · " : "") + item.username + " <" + item.email + ">";
}
