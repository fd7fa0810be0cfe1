// Built by `make assets` from assets/builder/*.js; edit those, not this file.
(function () {
"use strict";
// --- 00-core.js
// The builder's state and small helpers. The whole v1 document lives in S.doc; every edit changes
// it and redraws; saving sends it to the one save view (ADR 0012).
var gettext = window.gettext || function (text) { return text; };
var interpolate = window.interpolate || function (format, values, named) {
  if (named) { return format.replace(/%\((\w+)\)s/g, function (_m, name) { return String(values[name]); }); }
  var index = 0;
  return format.replace(/%s/g, function () { return String(values[index++]); });
};
var ngettext = window.ngettext || function (singular, plural, count) { return count === 1 ? singular : plural; };
var _ = gettext;

var S = {
  doc: null, automationId: null, counts: {}, readonly: false, errors: [], selected: null, dirty: false,
  catalogue: null, courses: [], names: {}, outlines: {}, urls: {}, advanced: false, labels: [], testLearners: [],
};

function el(tag, attrs) {
  var node = document.createElement(tag);
  var children = Array.prototype.slice.call(arguments, 2);
  Object.keys(attrs || {}).forEach(function (name) {
    var value = attrs[name];
    if (value === null || value === undefined || value === false) { return; }
    if (name === "class") { node.className = value; }
    else if (name === "text") { node.textContent = value; }
    else if (name.indexOf("on") === 0) { node.addEventListener(name.slice(2), value); }
    else if (name === "value") { node.value = value; }
    else { node.setAttribute(name, value === true ? "" : value); }
  });
  children.forEach(function (child) { append(node, child); });
  return node;
}

function append(node, child) {
  if (child === null || child === undefined || child === false) { return; }
  if (Array.isArray(child)) { child.forEach(function (item) { append(node, item); }); return; }
  node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
}

var uid = 0;
function nextId(prefix) { uid += 1; return "lb-" + prefix + "-" + uid; }

function clone(value) { return JSON.parse(JSON.stringify(value)); }

function csrfToken() {
  var input = document.querySelector("#lmsauto-builder input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

// One request at a time: the builder's requests are small, and in order they never race each other
// (a save never overtakes the preview it follows).
var queue = Promise.resolve();
function queued(send) {
  var next = queue.then(send, send);
  queue = next.catch(function () { return null; });
  return next;
}

function getJSON(url) {
  return queued(function () {
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}}).then(function (response) {
      return response.json().then(function (body) { return {status: response.status, body: body}; });
    });
  });
}

function postJSON(url, body) {
  return queued(function () { return postNow(url, body); });
}

function postNow(url, body) {
  return fetch(url, {
    method: "POST", credentials: "same-origin", body: JSON.stringify(body),
    headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken()},
  }).then(function (response) {
    return response.json().then(function (data) { return {status: response.status, body: data}; },
      function () { return {status: response.status, body: {}}; });
  });
}

function announce(text, isError) {
  var live = document.getElementById("lb-live");
  if (!live) { return; }
  live.textContent = text;
  live.className = "lb-live " + (isError ? "lb-live-error" : "lb-live-ok");
}

// --- the catalogue ------------------------------------------------------------------------------
function entries(kind) { return (S.catalogue && S.catalogue[kind]) || []; }
function entry(kind, key) {
  return entries(kind).filter(function (item) { return item.key === key; })[0] || null;
}
function stepEntry(step) {
  if (step.type === "action") { return entry("actions", step.action); }
  if (step.type === "wait") { return entry("waits", step.wait); }
  return null;
}
function eventLabel(key) { var found = entry("events", key); return found ? found.label : key; }

// --- the step tree --------------------------------------------------------------------------------
// Every list of steps is an array in S.doc (the top list, or a branch's yes / no); a step is found
// by its id, with the list that holds it.
function walk(steps, visit, parent) {
  (steps || []).forEach(function (step, index) {
    visit(step, steps, index, parent);
    if (step.type === "branch") {
      walk(step.yes, visit, step);
      walk(step.no, visit, step);
    }
  });
}

function findStep(id) {
  var found = null;
  walk(S.doc.steps, function (step, list, index, parent) {
    if (step.id === id) { found = {step: step, list: list, index: index, parent: parent}; }
  });
  return found;
}

function allIds() {
  var ids = {};
  walk(S.doc.steps, function (step) { ids[step.id] = true; });
  return ids;
}

function newStepId(base) {
  var ids = allIds();
  var slug = String(base || "step").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "step";
  for (var number = 1; ; number += 1) {
    var candidate = number === 1 ? slug : slug + "-" + number;
    if (!ids[candidate]) { return candidate; }
  }
}

function newStep(type) {
  if (type === "branch") {
    return {id: newStepId("branch"), type: "branch", condition: {all: []}, yes: [], no: []};
  }
  var step = {id: newStepId(type), type: type, params: {}};
  step[type] = "";
  return step;
}

function changed() {
  S.dirty = true;
  dryRunOutdated();
  render();
}

function stepErrors(id) {
  return S.errors.filter(function (error) { return error.where === "step" && error.step_id === id; });
}
function rowErrors(where, index) {
  return S.errors.filter(function (error) { return error.where === where && error.index === index; });
}
function fieldErrors(errors, name) {
  return errors.filter(function (error) {
    var field = error.field || "";
    return field === name || field.indexOf(name + ".") === 0 || field.indexOf(name + "[") === 0;
  });
}

function errorList(errors, id) {
  if (!errors.length) { return null; }
  return el("ul", {class: "lb-field-errors errorlist", id: id || null, role: "alert"},
    errors.map(function (error) { return el("li", {text: error.message}); }));
}

// --- 10-widgets.js
// Form fields generated from a catalogue entry's params schema: builder_catalogue.py names the
// widget of each field; a widget edits `params[field.name]` in place and calls `touched()` (the
// flow is redrawn, the panel keeps its focus) or `changed()` (everything is redrawn).
var UNITS = [["minutes", "PT%sM"], ["hours", "PT%sH"], ["days", "P%sD"], ["weeks", "P%sW"]];
var UNIT_LABELS = {minutes: _("minutes"), hours: _("hours"), days: _("days"), weeks: _("weeks")};

function touched() { S.dirty = true; dryRunOutdated(); renderFlow(); }

function setParam(params, name, value) {
  if (value === undefined || value === "" || value === null || (Array.isArray(value) && !value.length)) {
    delete params[name];
  } else {
    params[name] = value;
  }
  touched();
}

function humanName(name) { return name.replace(/_/g, " ").replace(/^./, function (c) { return c.toUpperCase(); }); }

function paramsForm(fields, params, ctx, errors) {
  if (!fields.length) { return el("p", {class: "lb-hint", text: _("Nothing to set: this one takes no settings.")}); }
  return el("div", {class: "lb-form"}, fields.map(function (field) {
    return fieldRow(field, params, ctx, fieldErrors(errors || [], field.name.split("|")[0]));
  }));
}

function fieldRow(field, params, ctx, errors) {
  var id = nextId("f");
  var help = field.description ? el("p", {class: "lb-help", id: id + "-help", text: field.description}) : null;
  var control = fieldInput(field, params, ctx, id);
  var text = field.label || humanName(field.name);
  var label = el("label", {for: id, class: field.required ? "required" : ""}, text);
  if (field.widget === "condition") { label = el("span", {class: "lb-label"}, text); }
  var row = el("div", {class: "lb-row lb-widget-" + field.widget + (errors.length ? " lb-has-error" : ""),
    "data-field": field.name}, label, control, help, errorList(errors, id + "-errors"));
  var input = row.querySelector("#" + id);
  if (input) {
    input.setAttribute("aria-describedby", [help ? id + "-help" : "", errors.length ? id + "-errors" : ""]
      .join(" ").trim() || null);
    if (errors.length) { input.setAttribute("aria-invalid", "true"); }
  }
  return row;
}

function select(id, options, current, onChange, blank) {
  var node = el("select", {id: id, onchange: function () { onChange(node.value); }});
  if (blank !== undefined) { node.appendChild(el("option", {value: "", text: blank})); }
  var known = false;
  options.forEach(function (option) {
    if (option.group) {
      var group = el("optgroup", {label: option.group});
      option.options.forEach(function (item) {
        known = known || item[0] === current;
        group.appendChild(el("option", {value: item[0], text: item[1]}));
      });
      node.appendChild(group);
    } else {
      known = known || option[0] === current;
      node.appendChild(el("option", {value: option[0], text: option[1]}));
    }
  });
  if (current && !known) {
    node.appendChild(el("option", {value: current, text: interpolate(_("%s (not in the catalogue)"), [current])}));
  }
  node.value = current === undefined || current === null ? "" : String(current);
  return node;
}

function grouped(list) {
  var groups = {};
  var order = [];
  list.forEach(function (item) {
    var name = item.category || _("Other");
    if (!groups[name]) { groups[name] = []; order.push(name); }
    groups[name].push([item.key, item.label]);
  });
  return order.map(function (name) { return {group: name, options: groups[name]}; });
}

function datalist(id, values) {
  return el("datalist", {id: id}, values.map(function (value) { return el("option", {value: value}); }));
}

function suggestionsFor(field, listId) {
  var list = datalist(listId, field.suggestions || S.names[field.suggest] || []);
  if (field.suggest && !S.names[field.suggest]) {
    S.names[field.suggest] = [];
    getJSON(S.urls.names.replace("KIND", field.suggest)).then(function (answer) {
      S.names[field.suggest] = answer.body.names || [];
      document.querySelectorAll("datalist[data-suggest=" + field.suggest + "]").forEach(function (node) {
        S.names[field.suggest].forEach(function (value) { node.appendChild(el("option", {value: value})); });
      });
    });
  }
  if (field.suggest) { list.setAttribute("data-suggest", field.suggest); }
  return list;
}

function fieldInput(field, params, ctx, id) {
  var value = params[field.name];
  var name = field.name;
  switch (field.widget) {
  case "select":
    return select(id, field.enum.map(function (item) { return [item, String(item)]; }), value,
      function (picked) { setParam(params, name, picked); }, field.required ? undefined : _("— default —"));
  case "checkbox":
    return select(id, [["true", _("yes")], ["false", _("no")]], value === undefined ? "" : String(value),
      function (picked) { setParam(params, name, picked === "" ? undefined : picked === "true"); },
      _("— default —"));
  case "number":
    return el("input", {id: id, type: "number", value: value === undefined ? "" : String(value),
      min: field.minimum, max: field.maximum, step: field.type === "integer" ? "1" : "any",
      oninput: function (event) {
        var text = event.target.value;
        setParam(params, name, text === "" ? undefined : Number(text));
      }});
  case "textarea": case "html":
    return el("textarea", {id: id, rows: field.widget === "html" ? 10 : 4, value: value || "", class: "lb-template",
      oninput: function (event) { setParam(params, name, event.target.value); }});
  case "multi_select":
    return checkboxes(id, field.enum.map(function (item) { return [item, String(item)]; }), value || [],
      function (picked) { setParam(params, name, picked); });
  case "string_list":
    return chips(id, value || [], field, function (items) { setParam(params, name, items); });
  case "course":
    return coursePicker(id, value, function (picked) { setParam(params, name, picked); changed(); });
  case "blocks": case "lessons":
    return outlinePicker(id, field.widget, params, ctx, function (items) { setParam(params, name, items); });
  case "event_type":
    return select(id, grouped(entries("events")), value, function (picked) {
      setParam(params, name, picked); changed();
    }, _("— choose an event —"));
  case "condition":
    return conditionEditor(params, name, {event: params.event || (ctx && ctx.event)}, ctx && ctx.errors, id);
  case "timezone":
    return select(id, S.catalogue.timezones.map(function (zone) { return [zone, zone]; }), value,
      function (picked) { setParam(params, name, picked); }, _("— the learner's time zone —"));
  case "duration": case "signed_duration":
    return durationInput(id, value, field.widget === "signed_duration",
      function (text) { setParam(params, name, text); });
  case "duration_parts":
    return durationParts(id, params);
  case "time":
    return el("input", {id: id, type: "time", value: value || "",
      oninput: function (event) { setParam(params, name, event.target.value); }});
  case "datetime":
    return el("input", {id: id, type: "datetime-local", value: (value || "").slice(0, 16),
      oninput: function (event) { setParam(params, name, event.target.value); }});
  case "op":
    var allowed = field.enum || S.catalogue.ops.map(function (op) { return op.key; });
    return select(id, S.catalogue.ops.filter(function (op) { return allowed.indexOf(op.key) >= 0; })
      .map(function (op) { return [op.key, op.label]; }), value, function (picked) {
      setParam(params, name, picked); changed();
    }, _("— choose —"));
  case "value":
    return valueInput(id, params);
  case "payload_field":
    var fields = Object.keys(((entry("events", ctx && ctx.event) || {}).payload_fields) || {});
    var listId = id + "-list";
    return el("span", {class: "lb-inline"}, el("input", {id: id, list: listId, value: value || "",
      placeholder: _("a payload field"), oninput: function (event) { setParam(params, name, event.target.value); }}),
      datalist(listId, fields));
  case "json":
    return jsonInput(id, value, function (parsed) { setParam(params, name, parsed); });
  default:
    var suggestions = field.suggest || field.suggestions ? suggestionsFor(field, id + "-list") : null;
    return el("span", {class: "lb-inline"}, el("input", {id: id, type: "text", value: value === undefined ? "" :
      String(value), list: suggestions ? id + "-list" : null, class: "lb-template",
      oninput: function (event) { setParam(params, name, event.target.value); }}), suggestions);
  }
}

function checkboxes(id, options, current, onChange) {
  var picked = current.slice();
  return el("div", {id: id, role: "group", class: "lb-checks", tabindex: "-1"}, options.map(function (option) {
    var boxId = nextId("c");
    return el("label", {for: boxId, class: "lb-check"}, el("input", {type: "checkbox", id: boxId,
      checked: picked.indexOf(option[0]) >= 0, onchange: function (event) {
        if (event.target.checked) { picked.push(option[0]); } else { picked.splice(picked.indexOf(option[0]), 1); }
        onChange(picked.slice());
      }}), " " + option[1]);
  }));
}

function chips(id, items, field, onChange) {
  var listId = id + "-list";
  var current = items.slice();
  var box = el("div", {class: "lb-chips"});
  function draw() {
    box.textContent = "";
    current.forEach(function (item, index) {
      box.appendChild(el("span", {class: "lb-chip"}, item, el("button", {type: "button", class: "lb-chip-x",
        "aria-label": interpolate(_("Remove %s"), [item]), text: "×", onclick: function () {
          current.splice(index, 1); onChange(current.slice()); draw();
        }})));
    });
  }
  draw();
  var input = el("input", {id: id, type: "text", list: listId, placeholder: _("type, then Enter"),
    onkeydown: function (event) {
      if (event.key === "Enter" || event.key === ",") { event.preventDefault(); add(); }
    }, onchange: function () { add(); }});
  function add() {
    var text = input.value.trim();
    if (text && current.indexOf(text) < 0) { current.push(text); onChange(current.slice()); draw(); }
    input.value = "";
  }
  return el("div", {class: "lb-chip-field"}, box, input, suggestionsFor(field, listId),
    el("button", {type: "button", class: "lb-small", text: _("Add"), onclick: add}));
}

function coursePicker(id, value, onChange) {
  var options = S.courses.map(function (course) { return [course.key, course.name + " (" + course.key + ")"]; });
  options.unshift(["{{ event.course_key }}", _("The event's course")]);
  return select(id, options, value, onChange, _("— choose a course —"));
}

function courseOf(params) {
  var key = params.course_key;
  var scope = (S.doc.scope && S.doc.scope.courses) || [];
  if (!key || key.indexOf("{") >= 0) { key = scope.length === 1 ? scope[0] : ""; }
  return key;
}

function outlinePicker(id, kind, params, ctx, onChange) {
  var course = courseOf(params);
  if (!course) { return el("p", {id: id, class: "lb-hint", text: _("Choose a course first.")}); }
  var units = S.outlines[course];
  if (!units) {
    S.outlines[course] = null;
    getJSON(S.urls.outline + "?course=" + encodeURIComponent(course)).then(function (answer) {
      S.outlines[course] = answer.body.units || [];
      renderPanel();
    });
    return el("p", {id: id, class: "lb-hint", text: _("Loading the course outline…")});
  }
  var current = params[kind === "lessons" ? "lesson_keys" : "block_keys"] || [];
  var options = [];
  units.forEach(function (unit) {
    if (kind === "lessons") { options.push([unit.key, unit.name]); return; }
    unit.blocks.forEach(function (block) { options.push([block, unit.name + " › " + block.split("@").pop()]); });
  });
  return checkboxes(id, options, current, onChange);
}

function durationInput(id, value, signed, onChange) {
  var match = /^([-+]?)P(?:T(\d+)([HM])|(\d+)([DW]))$/.exec(value || "");
  var amount = "", unit = "days", sign = "";
  if (match) {
    sign = match[1];
    amount = match[2] || match[4];
    unit = {H: "hours", M: "minutes", D: "days", W: "weeks"}[match[3] || match[5]];
  } else if (value) {
    return el("input", {id: id, type: "text", value: value, oninput: function (event) { onChange(event.target.value); }});
  }
  var number = el("input", {id: id, type: "number", min: "1", step: "1", value: amount, class: "lb-amount"});
  var units = select(id + "-unit", UNITS.map(function (item) { return [item[0], UNIT_LABELS[item[0]]]; }), unit,
    function () { emit(); });
  units.setAttribute("aria-label", _("unit"));
  var direction = signed ? select(id + "-sign", [["", _("after")], ["-", _("before")]], sign, function () { emit(); })
    : null;
  if (direction) { direction.setAttribute("aria-label", _("before or after")); }
  function emit() {
    var format = UNITS.filter(function (item) { return item[0] === units.value; })[0][1];
    onChange(number.value ? (direction ? direction.value : "") + interpolate(format, [number.value]) : undefined);
  }
  number.addEventListener("input", emit);
  return el("span", {class: "lb-inline"}, number, units, direction);
}

function durationParts(id, params) {
  var unit = ["days", "hours", "minutes"].filter(function (name) { return params[name] !== undefined; })[0] || "days";
  var number = el("input", {id: id, type: "number", min: "1", step: "1", class: "lb-amount",
    value: params[unit] === undefined ? "" : String(params[unit])});
  var units = select(id + "-unit", ["minutes", "hours", "days"].map(function (name) {
    return [name, UNIT_LABELS[name]];
  }), unit, function () { emit(); });
  units.setAttribute("aria-label", _("unit"));
  function emit() {
    delete params.days; delete params.hours; delete params.minutes;
    if (number.value !== "") { params[units.value] = Number(number.value); }
    touched();
  }
  number.addEventListener("input", emit);
  return el("span", {class: "lb-inline"}, number, units);
}

function valueInput(id, params) {
  if ((S.catalogue.valueless_ops || []).indexOf(params.op) >= 0) {
    return el("span", {id: id, class: "lb-hint", text: _("(no value needed)")});
  }
  var value = params.value;
  var text = Array.isArray(value) ? value.join(", ") : value === undefined ? "" : String(value);
  return el("input", {id: id, type: "text", value: text, class: "lb-template",
    placeholder: params.op === "in" || params.op === "not_in" ? _("values, separated by commas") : "",
    oninput: function (event) { setParam(params, "value", parseValue(event.target.value, params.op)); }});
}

function parseValue(text, op) {
  if (op === "in" || op === "not_in") {
    return text.split(",").map(function (item) { return parseValue(item.trim()); }).filter(function (item) {
      return item !== "";
    });
  }
  if (/^[-+]?\d+(\.\d+)?$/.test(text.trim())) { return Number(text); }
  return text;
}

function jsonInput(id, value, onChange) {
  var area = el("textarea", {id: id, rows: 3, class: "lb-json", value: value === undefined ? "" :
    JSON.stringify(value, null, 2)});
  area.addEventListener("change", function () {
    try {
      onChange(area.value.trim() ? JSON.parse(area.value) : undefined);
      area.removeAttribute("aria-invalid");
    } catch (error) {
      area.setAttribute("aria-invalid", "true");
      announce(_("That is not valid JSON."), true);
    }
  });
  return area;
}

// --- 20-conditions.js
// AND / OR / NOT condition groups as nested rows (SPEC §4.2): a group is {all: [...]} or
// {any: [...]}; any row can be negated ({not: row}); a leaf is {condition, params}, edited with the
// form of its catalogue entry.
function conditionEditor(holder, key, ctx, errors, id) {
  var root = holder[key];
  var box = el("div", {class: "lb-conditions", id: id, role: "group", tabindex: "-1"});
  if (!root) {
    box.appendChild(el("p", {class: "lb-hint", text: _("No condition: always.")}));
    box.appendChild(el("button", {type: "button", class: "lb-small", text: _("+ Condition"), onclick: function () {
      holder[key] = {all: [newLeaf()]};
      changed();
    }}));
    return box;
  }
  if (!root.all && !root.any) { root = holder[key] = {all: [root]}; }
  box.appendChild(groupEditor(root, ctx, function () {
    if (ctx.keepEmpty) { holder[key] = {all: []}; } else { holder[key] = null; }
    changed();
  }, 0));
  return box;
}

function newLeaf() { return {condition: "", params: {}}; }

function groupEditor(group, ctx, onEmpty, depth) {
  var mode = group.all ? "all" : "any";
  var items = group[mode];
  var modeId = nextId("g");
  var modeSelect = select(modeId, [["all", _("All of these (AND)")], ["any", _("Any of these (OR)")]], mode,
    function (picked) {
      if (picked !== mode) { group[picked] = items; delete group[mode]; changed(); }
    });
  modeSelect.setAttribute("aria-label", _("How the conditions combine"));
  var rows = el("ol", {class: "lb-group-rows"});
  items.forEach(function (item, index) {
    rows.appendChild(el("li", {class: "lb-cond-row"}, conditionRow(items, index, ctx, depth, function () {
      items.splice(index, 1);
      if (!items.length && depth === 0) { onEmpty(); } else { changed(); }
    })));
  });
  var tools = el("div", {class: "lb-group-tools"},
    el("button", {type: "button", class: "lb-small", text: _("+ Condition"), onclick: function () {
      items.push(newLeaf()); changed();
    }}),
    depth < 3 ? el("button", {type: "button", class: "lb-small", text: _("+ Group"), onclick: function () {
      items.push({any: [newLeaf()]}); changed();
    }}) : null);
  return el("div", {class: "lb-group lb-depth-" + depth}, modeSelect, rows, tools);
}

function conditionRow(items, index, ctx, depth, onRemove) {
  var item = items[index];
  var negated = Boolean(item.not);
  var inner = negated ? item.not : item;
  var notId = nextId("n");
  var notBox = el("label", {for: notId, class: "lb-not"}, el("input", {type: "checkbox", id: notId, checked: negated,
    onchange: function (event) {
      items[index] = event.target.checked ? {not: inner} : inner;
      changed();
    }}), " " + _("not"));
  var body;
  if (inner.all || inner.any) {
    body = groupEditor(inner, ctx, function () {}, depth + 1);
  } else {
    body = leafEditor(inner, ctx);
  }
  return el("div", {class: "lb-cond"}, notBox, body, el("button", {type: "button", class: "lb-remove",
    "aria-label": _("Remove this condition"), title: _("Remove this condition"), text: "×", onclick: onRemove}));
}

function leafEditor(leaf, ctx) {
  var id = nextId("k");
  var picker = select(id, grouped(entries("conditions")), leaf.condition, function (picked) {
    leaf.condition = picked;
    leaf.params = {};
    if (picked === "event.field") { leaf.params = {path: "", op: "eq"}; }
    changed();
  }, _("— choose a condition —"));
  picker.setAttribute("aria-label", _("Condition"));
  if (!leaf.params) { leaf.params = {}; }
  var found = entry("conditions", leaf.condition);
  return el("div", {class: "lb-leaf"}, picker,
    found ? paramsForm(found.fields, leaf.params, ctx, []) : null);
}

function describeCondition(tree) {
  if (!tree) { return _("always"); }
  if (tree.not) { return _("not") + " (" + describeCondition(tree.not) + ")"; }
  if (tree.all || tree.any) {
    var parts = (tree.all || tree.any).map(describeCondition);
    if (!parts.length) { return _("(no condition yet)"); }
    return parts.join(tree.all ? " " + _("and") + " " : " " + _("or") + " ");
  }
  var found = entry("conditions", tree.condition);
  var label = found ? found.label : tree.condition || _("(choose a condition)");
  var params = tree.params || {};
  if (params.op) {
    var op = (S.catalogue.ops.filter(function (item) { return item.key === params.op; })[0] || {}).label || params.op;
    var subject = params.path || params.field || "";
    var said = tree.condition === "event.field" && subject ? interpolate(_("the event's %s"), [subject])
      : tree.condition === "learner.field" && subject ? interpolate(_("the learner's %s"), [subject])
        : label + (subject ? " " + subject : "");
    return said + " " + op + (params.value !== undefined ? " " +
      JSON.stringify(params.value) : "");
  }
  return label;
}

// --- 30-flow.js
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
      describeParams(trigger),
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
        describeParams(exit),
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

// --- 40-panel.js
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
    // What a trigger chooses (the days of activity.inactive, ...) belongs to its event type.
    row.event = value; delete row.params; changed();
  }, _("— choose an event —"));
  var found = entry("events", row.event);
  var payload = found ? Object.keys(found.payload_fields || {}) : [];
  var chosen = found && found.fields.length ? paramsForm(found.fields, row.params || (row.params = {}),
    {event: row.event}, paramErrors(errors)) : null;
  var outcome = isExit ? labelled(_("Outcome"), select("lb-outcome", [["converted", _("converted (the goal was met)")],
    ["exited", _("exited")]], row.outcome || "converted", function (value) { row.outcome = value; touched(); })) : null;
  var filterId = nextId("flt");
  return [heading(isExit ? interpolate(_("Exit condition %s"), [index + 1]) : interpolate(_("Trigger %s"), [index + 1])),
    labelled(isExit ? _("Exit when") : _("When"), eventSelect, fieldErrors(errors, "event")),
    found ? el("p", {class: "lb-help", text: found.description}) : null,
    chosen,
    payload.length ? el("p", {class: "lb-help"}, _("The event carries: "), payload.map(function (name, at) {
      return [at ? ", " : "", el("code", {text: name}), " (" + found.payload_fields[name] + ")"];
    })) : null,
    el("div", {class: "lb-row" + (fieldErrors(errors, "filter").length ? " lb-has-error" : "")},
      el("span", {class: "lb-label", id: filterId, text: _("Only if")}),
      conditionEditor(row, "filter", {event: row.event}, [], nextId("c")), errorList(fieldErrors(errors, "filter"))),
    outcome,
    advanced(row, function (parsed) { rows[index] = parsed; })];
}

// A trigger's or exit condition's own errors about its params, named as the params form names them.
function paramErrors(errors) {
  return errors.filter(function (error) { return (error.field || "").indexOf("params.") === 0; })
    .map(function (error) {
      return {message: error.message, path: error.path, field: error.field.slice("params.".length)};
    });
}

// "10 days" on a trigger's card: what the course team chose for its event.
function describeParams(row) {
  var found = entry("events", row.event);
  var params = row.params || {};
  var parts = (found ? found.fields : []).filter(function (field) { return params[field.name] !== undefined; })
    .map(function (field) { return field.label + ": " + String(params[field.name]); });
  return parts.length ? el("span", {class: "lb-summary lb-params", text: parts.join(", ")}) : null;
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

// --- 45-settings.js
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

// --- 50-email.js
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

// --- 60-dryrun.js
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

// --- 90-main.js
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

}());
