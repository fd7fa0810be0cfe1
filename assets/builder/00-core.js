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
