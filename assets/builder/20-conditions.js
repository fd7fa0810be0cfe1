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
