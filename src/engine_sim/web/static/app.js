// engine-sim's web view: progressive enhancement only (every screen works without it).
"use strict";

function $(sel, root) { return (root || document).querySelector(sel); }
function $$(sel, root) { return Array.from((root || document).querySelectorAll(sel)); }

// Selects marked data-autosubmit submit their form; a changed process clears the version.
function autosubmit() {
  $$("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      var form = select.form;
      if (select.name === "process") {
        ["version", "element"].forEach(function (n) { if (form.elements[n]) form.elements[n].value = ""; });
      }
      if (select.dataset.clears) { var other = document.getElementById(select.dataset.clears); if (other) other.value = ""; }
      form.submit();
    });
  });
}

// The Processes screen: the selection count and the Migrate button follow the checkboxes.
function selection() {
  var form = $("#list-form");
  if (!form) return;
  var all = $("#select-all");
  var rows = $$("tbody tr[data-key]", form);
  function update() {
    var checkedRunning = 0, checked = 0;
    rows.forEach(function (row) {
      var box = $("input[name=key]", row);
      if (box.checked) { checked++; if (row.dataset.running === "1") checkedRunning++; }
    });
    var elsewhere = parseInt(all.checked ? form.dataset.allElsewhere : form.dataset.keysElsewhere, 10) || 0;
    var carried = all.checked ? 0 : $$("input[data-carried]", form).length;
    var total = all.checked
      ? parseInt(form.dataset.total, 10) - $$("input[name=carried_exclude]", form).length - (rows.length - checked)
      : carried + checked;
    $("#selected-count").textContent = String(Math.max(total, 0));
    var running = elsewhere + checkedRunning;
    var enabled = form.dataset.hasVersion === "1" && running > 0;
    $("#migrate").disabled = !enabled;
    var hint = $("#migrate-hint");
    if (hint.dataset.text === undefined) hint.dataset.text = hint.textContent;
    hint.textContent = enabled ? running + " running instance" + (running === 1 ? "" : "s") + " to migrate" : hint.dataset.text;
  }
  all.addEventListener("change", function () {
    rows.forEach(function (row) { $("input[name=key]", row).checked = all.checked; });
    update();
  });
  rows.forEach(function (row) { $("input[name=key]", row).addEventListener("change", update); });
  update();
  // clicking a diagram element filters the list by it
  $$("[data-filter-diagram] .el").forEach(function (el) {
    function pick() {
      var filter = $("#filter-form");
      var field = filter.elements.element;
      field.value = field.value === el.dataset.element ? "" : el.dataset.element;
      filter.submit();
    }
    el.addEventListener("click", pick);
    el.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); } });
  });
}

// The Migration screen: highlight a source element and its target in both diagrams.
function mapping() {
  var form = $("#migration-form");
  if (!form) return;
  var selects = $$("select[name=map]", form);
  function clear() { $$(".highlight").forEach(function (n) { n.classList.remove("highlight"); }); }
  function targetOf(select) { return select.value ? select.value.split("=").slice(1).join("=") : ""; }
  function show(source, target) {
    clear();
    if (source) {
      var s = $('#source-diagram .el[data-element="' + CSS.escape(source) + '"]'); if (s) s.classList.add("highlight");
      var row = $('tr[data-source="' + CSS.escape(source) + '"]', form); if (row) row.classList.add("highlight");
    }
    if (target) { var t = $('#target-diagram .el[data-element="' + CSS.escape(target) + '"]'); if (t) t.classList.add("highlight"); }
  }
  function bySource(id) { return selects.find(function (s) { return s.dataset.source === id; }); }
  function markRow(select) {
    var row = select.closest("tr");
    var mapped = !!select.value;
    row.classList.toggle("is-mapped", mapped); row.classList.toggle("is-unmapped", !mapped);
    var how = $(".how", row);
    if (how && select.dataset.initial !== select.value) how.innerHTML = mapped ? "mapped" : '<span class="dim">not mapped</span>';
    var el = $('#source-diagram .el[data-element="' + CSS.escape(select.dataset.source) + '"]');
    if (el) { el.classList.toggle("mapped", mapped); el.classList.toggle("unmapped", !mapped); }
  }
  selects.forEach(function (select) {
    select.dataset.initial = select.value;
    select.addEventListener("change", function () {
      markRow(select); show(select.dataset.source, targetOf(select)); filter();
      var preview = $("#preview");
      if (preview) { preview.classList.add("stale"); var b = $("#migrate-button"); if (b) { b.disabled = true; b.title = "The mapping changed: preview again"; } }
    });
    select.addEventListener("focus", function () { show(select.dataset.source, targetOf(select)); });
    select.closest("tr").addEventListener("click", function () { show(select.dataset.source, targetOf(select)); });
  });
  function activate(el, handler) {
    el.addEventListener("click", handler);
    el.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); handler(); } });
  }
  $$("#source-diagram .el").forEach(function (el) {
    activate(el, function () {
      var select = bySource(el.dataset.element);
      show(el.dataset.element, select ? targetOf(select) : "");
      if (select) select.closest("tr").scrollIntoView({ block: "nearest" });
    });
  });
  $$("#target-diagram .el").forEach(function (el) {
    activate(el, function () {
      var target = el.dataset.element;
      var select = selects.find(function (s) { return targetOf(s) === target; });
      show(select ? select.dataset.source : "", target);
      if (select) select.closest("tr").classList.add("highlight");
    });
  });
  var only = $("#only-unmapped");
  function filter() {
    selects.forEach(function (select) { select.closest("tr").classList.toggle("filtered", only.checked && !!select.value); });
  }
  only.addEventListener("change", filter);
  var confirm = $("#confirm"), run = $("#migrate-button");
  if (confirm && run) {
    var check = function () { if (!$("#preview").classList.contains("stale")) run.disabled = confirm.value.trim() !== confirm.dataset.word; };
    confirm.addEventListener("input", check); check();
  }
}

// An operation's page: poll its progress until it is COMPLETED, then show the full page.
function progress() {
  var section = $("#operation");
  if (!section || section.dataset.state === "COMPLETED") return;
  var key = section.dataset.key;
  function poll() {
    fetch("/operations/" + key + "/progress", { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (op) {
        if (op.error) return;
        $("#op-progress").max = op.total || 1; $("#op-progress").value = op.done;
        $("#op-done").textContent = op.done; $("#op-total").textContent = op.total;
        $("#op-completed").textContent = op.completed; $("#op-failed").textContent = op.failed; $("#op-ignored").textContent = op.ignored;
        if (op.state === "COMPLETED") { window.location.reload(); } else if (op.running) { setTimeout(poll, 500); }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 300);
}

function operationsList() {
  var table = $("table.operations");
  if (table && table.dataset.poll === "1") setTimeout(function () { window.location.reload(); }, 1500);
}

document.addEventListener("DOMContentLoaded", function () {
  autosubmit(); selection(); mapping(); progress(); operationsList();
});
