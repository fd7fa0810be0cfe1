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
