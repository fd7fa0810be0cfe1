// The flow, drawn as HTML cards joined by CSS lines: triggers → steps → yes / no branches → end,
// with the exit conditions beside. A card opens its panel; its tools move and delete it; a "+"
// between cards adds a step there (also inside a yes / no side that was never saved).
var TYPE_LABELS = {action: _("Action"), wait: _("Wait"), branch: _("Yes / no")};

function renderFlow() {
  var root = document.getElementById("lb-flow");
  if (!root) { return; }
  var focused = document.activeElement && root.contains(document.activeElement) ? document.activeElement.id : null;
  uid = 500000;  // the same ids on every drawing, so the focus can be put back
  var scroll = window.scrollY;
  root.textContent = "";
  root.appendChild(el("div", {class: "lb-main"}, settingsCard(), triggersBox(), stepList(S.doc.steps, _("the start")),
    el("div", {class: "lb-end", role: "note", text: _("End of the flow")})));
  var exits = document.getElementById("lb-exits");
  exits.textContent = "";
  exits.appendChild(exitsBox());
  window.scrollTo(0, scroll);
  if (focused && document.getElementById(focused)) { document.getElementById(focused).focus(); }
}

function selectedIs(kind, key) { return S.selected && S.selected.kind === kind && S.selected.key === key; }

// A card is a group; its title is the button that opens it in the panel (a click anywhere on the
// card does too). Its tools are buttons of their own, never inside another control.
function card(kind, key, classes, label, contents, errors) {
  var node = el("div", {class: "lb-card " + classes + (selectedIs(kind, key) ? " lb-selected" : "") +
    (errors.length ? " lb-card-error" : ""), role: "group", "aria-label": label, "data-kind": kind,
    "data-key": String(key), onclick: function (event) {
      if (event.target.closest("button, a")) { return; }
      select_(kind, key);
    }}, contents);
  var title = node.querySelector("strong");
  if (title) {
    var open = el("button", {type: "button", class: "lb-open", "aria-current": selectedIs(kind, key) ? "true" : null,
      "aria-label": interpolate(_("Edit %s"), [label]), onclick: function () { select_(kind, key); }});
    title.parentNode.replaceChild(open, title);
    open.appendChild(title);
  }
  if (errors.length) {
    node.appendChild(el("ul", {class: "lb-card-errors"}, errors.slice(0, 3).map(function (error) {
      return el("li", {text: (error.field ? error.field + ": " : "") + error.message});
    }), errors.length > 3 ? el("li", {text: interpolate(_("and %s more"), [errors.length - 3])}) : null));
  }
  return node;
}

function select_(kind, key) {
  S.selected = {kind: kind, key: key};
  render();
  var heading = document.querySelector("#lb-panel h2");
  if (heading) { heading.focus(); }
}

function settingsCard() {
  var doc = S.doc;
  var errors = S.errors.filter(function (error) { return error.where === "automation"; });
  var scope = (doc.scope.courses || []).concat(doc.scope.orgs || []).join(", ") || _("no course chosen");
  return card("settings", "automation", "lb-settings", _("Automation settings"), [
    el("strong", {class: "lb-title", text: doc.name || _("(unnamed automation)")}),
    el("span", {class: "lb-status lb-status-" + doc.status, text: doc.status}),
    el("span", {class: "lb-summary", text: interpolate(_("For: %s"), [scope])}),
  ], errors);
}

function triggersBox() {
  var cards = S.doc.triggers.map(function (trigger, index) {
    var errors = rowErrors("triggers", index);
    return card("trigger", index, "lb-trigger", interpolate(_("Trigger %s"), [index + 1]), [
      el("span", {class: "lb-type", text: _("When")}),
      el("strong", {text: trigger.event ? eventLabel(trigger.event) : _("(choose an event)")}),
      el("span", {class: "lb-summary", text: trigger.filter ? interpolate(_("if %s"), [describeCondition(trigger.filter)])
        : ""}),
      S.readonly ? null : el("button", {type: "button", class: "lb-tool", "aria-label": _("Remove this trigger"),
        title: _("Remove this trigger"), text: "×", onclick: function () {
          S.doc.triggers.splice(index, 1); S.selected = null; changed();
        }}),
    ], errors);
  });
  var add = S.readonly ? null : el("button", {type: "button", class: "lb-add-trigger", text: _("+ Trigger"),
    onclick: function () {
      S.doc.triggers.push({event: "", filter: null});
      select_("trigger", S.doc.triggers.length - 1);
    }});
  return el("div", {class: "lb-triggers", role: "group", "aria-label": _("Triggers")},
    cards.length ? cards : el("p", {class: "lb-hint", text: _("Add a trigger: what starts a learner's run.")}), add);
}

function stepList(steps, where) {
  var list = el("ol", {class: "lb-steps"});
  list.appendChild(gap(steps, 0, where));
  steps.forEach(function (step, index) {
    list.appendChild(el("li", {class: "lb-item"}, stepCard(step, steps, index)));
    list.appendChild(gap(steps, index + 1, step.id));
  });
  return list;
}

// Between two cards: the "+" that adds a step there, and where a dragged card can be dropped.
function gap(steps, index, after) {
  var node = el("li", {class: "lb-gap"}, addButton(steps, index, after));
  if (S.readonly) { return node; }
  node.addEventListener("dragover", function (event) {
    if (!S.dragging) { return; }
    event.preventDefault();
    node.classList.add("lb-drop-target");
  });
  node.addEventListener("dragleave", function () { node.classList.remove("lb-drop-target"); });
  node.addEventListener("drop", function (event) {
    event.preventDefault();
    if (S.dragging) { dropStep(S.dragging, steps, index); }
  });
  return node;
}

function dropStep(id, steps, index) {
  var found = findStep(id);
  S.dragging = null;
  var inside = false;
  walk([found.step], function (step) { inside = inside || step.yes === steps || step.no === steps; });
  if (inside) { announce(_("A yes / no step cannot go inside itself."), true); render(); return; }
  if (found.list === steps && found.index < index) { index -= 1; }
  found.list.splice(found.index, 1);
  steps.splice(index, 0, found.step);
  changed();
  announce(interpolate(_("Moved %s."), [id]));
}

function addButton(steps, index, after) {
  if (S.readonly) { return el("span", {class: "lb-line"}); }
  var menuId = nextId("m");
  var menu = el("div", {class: "lb-add-menu", id: menuId, hidden: true, role: "menu", onkeydown: function (event) {
    var items = Array.prototype.slice.call(menu.querySelectorAll("button"));
    var at = items.indexOf(document.activeElement);
    if (event.key === "Escape") { menu.hidden = true; button.setAttribute("aria-expanded", "false"); button.focus(); }
    else if (event.key === "ArrowRight" || event.key === "ArrowDown") { items[(at + 1) % items.length].focus(); }
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
      items[(at + items.length - 1) % items.length].focus();
    } else { return; }
    event.preventDefault();
  }},
    ["action", "wait", "branch"].map(function (type) {
      return el("button", {type: "button", role: "menuitem", text: TYPE_LABELS[type], onclick: function () {
        var step = newStep(type);
        steps.splice(index, 0, step);
        S.dirty = true;
        select_("step", step.id);
      }});
    }));
  var button = el("button", {type: "button", class: "lb-add", "aria-haspopup": "menu", "aria-expanded": "false",
    "aria-controls": menuId, "aria-label": interpolate(_("Add a step after %s"), [after]), text: "+",
    onclick: function () {
      var open = menu.hidden;
      document.querySelectorAll(".lb-add-menu").forEach(function (other) { other.hidden = true; });
      menu.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      if (open) { menu.querySelector("button").focus(); }
    }});
  return el("div", {class: "lb-add-wrap"}, el("span", {class: "lb-line"}), button, menu);
}

function stepSummary(step) {
  var params = step.params || {};
  if (step.type === "branch") { return interpolate(_("if %s"), [describeCondition(step.condition)]); }
  if (step.wait === "duration") {
    var unit = ["days", "hours", "minutes"].filter(function (name) { return params[name] !== undefined; });
    var words = {days: ngettext("%s day", "%s days", params.days), hours: ngettext("%s hour", "%s hours", params.hours),
      minutes: ngettext("%s minute", "%s minutes", params.minutes)};
    return unit.map(function (name) { return interpolate(words[name], [params[name]]); }).join(" ");
  }
  if (params.subject) { return params.subject; }
  if (params.tags) { return params.tags.join(", "); }
  var first = Object.keys(params)[0];
  return first ? first + ": " + JSON.stringify(params[first]).slice(0, 60) : "";
}

function stepCard(step, steps, index) {
  var found = stepEntry(step);
  var title = step.type === "branch" ? _("Yes / no") : found ? found.label
    : (step[step.type] || interpolate(_("(choose the %s)"), [TYPE_LABELS[step.type].toLowerCase()]));
  var counts = S.counts[step.id] || {here: 0, passed: 0};
  var here = counts.here ? el("a", {class: "lb-here", href: S.urls.runs + "?automation__id__exact=" +
    S.automationId + "&current_step_id=" + encodeURIComponent(step.id) + "&status__in=pending,executing",
    text: interpolate(_("%s here now"), [counts.here])}) : el("span", {class: "lb-here lb-zero", text: _("0 here now")});
  var tools = S.readonly ? null : el("span", {class: "lb-tools"},
    el("button", {type: "button", class: "lb-tool", text: "↑", title: _("Move up"),
      "aria-label": interpolate(_("Move %s up"), [step.id]), onclick: function () { moveStep(step.id, -1); }}),
    el("button", {type: "button", class: "lb-tool", text: "↓", title: _("Move down"),
      "aria-label": interpolate(_("Move %s down"), [step.id]), onclick: function () { moveStep(step.id, 1); }}),
    el("button", {type: "button", class: "lb-tool lb-delete", text: "×", title: _("Delete"),
      "aria-label": interpolate(_("Delete %s"), [step.id]), onclick: function () { deleteStep(step.id); }}));
  var node = card("step", step.id, "lb-step lb-" + step.type + dryRunClass(step.id), interpolate(_("Step %(id)s: %(title)s"),
    {id: step.id, title: title}, true), [
    el("span", {class: "lb-type", text: TYPE_LABELS[step.type]}),
    el("strong", {text: title}), " ", el("code", {class: "lb-id", text: step.id}),
    tools, dryRunBadge(step.id),
    el("span", {class: "lb-summary", text: stepSummary(step)}),
    S.automationId ? el("span", {class: "lb-counts"}, here, " · ",
      el("span", {text: interpolate(_("%s reached it"), [counts.passed])})) : null,
  ], stepErrors(step.id));
  if (!S.readonly) {
    node.setAttribute("draggable", "true");
    node.addEventListener("dragstart", function (event) {
      event.stopPropagation();
      S.dragging = step.id;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", step.id);
    });
    node.addEventListener("dragend", function () { S.dragging = null; });
  }
  if (step.type !== "branch") { return node; }
  // Each side is as wide as the columns its own branches need, so nested branches keep room.
  return el("div", {class: "lb-branch"}, node, el("div", {class: "lb-sides"},
    el("div", {class: "lb-side lb-yes", role: "group", "aria-label": interpolate(_("%s: yes"), [step.id]),
      style: "flex-grow: " + columns(step.yes)},
    el("h3", {text: _("Yes")}), stepList(step.yes, step.id + " (" + _("yes") + ")")),
    el("div", {class: "lb-side lb-no", role: "group", "aria-label": interpolate(_("%s: no"), [step.id]),
      style: "flex-grow: " + columns(step.no)},
    el("h3", {text: _("No")}), stepList(step.no, step.id + " (" + _("no") + ")"))));
}

function columns(steps) {
  return (steps || []).reduce(function (widest, step) {
    return Math.max(widest, step.type === "branch" ? columns(step.yes) + columns(step.no) : 1);
  }, 1);
}

// Up / down within the list; past its first or last step, out of the branch side it is in.
function moveStep(id, direction) {
  var found = findStep(id);
  var target = found.index + direction;
  if (target >= 0 && target < found.list.length) {
    found.list.splice(found.index, 1);
    found.list.splice(target, 0, found.step);
  } else if (found.parent) {
    var holder = findStep(found.parent.id);
    found.list.splice(found.index, 1);
    holder.list.splice(holder.index + (direction > 0 ? 1 : 0), 0, found.step);
  } else {
    return;
  }
  changed();
  var button = document.querySelector('[data-key="' + CSS.escape(id) + '"] .lb-tool[title="' +
    (direction < 0 ? _("Move up") : _("Move down")) + '"]');
  if (button) { button.focus(); }
  announce(interpolate(_("Moved %s."), [id]));
}

function deleteStep(id) {
  var found = findStep(id);
  var holding = 0;
  walk([found.step], function (step) { holding += (S.counts[step.id] || {}).here || 0; });
  if (holding && !window.confirm(interpolate(_("%(count)s learner(s) are at %(id)s or inside it now. Delete it? " +
    "When you save, they move on to the next step that remains."), {count: holding, id: id}, true))) {
    return;
  }
  found.list.splice(found.index, 1);
  if (S.selected && S.selected.key === id) { S.selected = null; }
  changed();
  announce(interpolate(_("Deleted %s (not saved yet)."), [id]));
}

function exitsBox() {
  var exits = S.doc.exit_conditions || (S.doc.exit_conditions = []);
  return el("aside", {class: "lb-exits", "aria-label": _("Exit conditions")},
    el("h3", {text: _("Exit when")}),
    exits.length ? exits.map(function (exit, index) {
      return card("exit", index, "lb-exit", interpolate(_("Exit condition %s"), [index + 1]), [
        el("strong", {text: exit.event ? eventLabel(exit.event) : _("(choose an event)")}),
        el("span", {class: "lb-summary", text: (exit.filter ? interpolate(_("if %s"), [describeCondition(exit.filter)])
          + " → " : "→ ") + (exit.outcome || "converted")}),
        S.readonly ? null : el("button", {type: "button", class: "lb-tool", text: "×",
          "aria-label": _("Remove this exit condition"), onclick: function () {
            exits.splice(index, 1); S.selected = null; changed();
          }}),
      ], rowErrors("exit_conditions", index));
    }) : el("p", {class: "lb-hint", text: _("None: learners go through to the end.")}),
    S.readonly ? null : el("button", {type: "button", class: "lb-small", text: _("+ Exit condition"),
      onclick: function () {
        exits.push({event: "", filter: null, outcome: "converted"});
        select_("exit", exits.length - 1);
      }}));
}
