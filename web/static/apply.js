// Applicant registration pages: shows the fields that depend on another
// answer (data-show-if / data-show-in), keeps the specialty list of the
// choice page live (labels refreshed every few seconds from
// /api/v1/programs?base=<id>) and asks for confirmation before a choice is
// submitted. The server validates everything regardless.
(function () {
  'use strict';

  // ---- conditional fields ----
  function control(name) { return document.querySelector('[name="' + name + '"]'); }
  var dependents = Array.prototype.slice.call(document.querySelectorAll('[data-show-if]'));
  function refreshDependents() {
    dependents.forEach(function (el) {
      var src = control(el.getAttribute('data-show-if'));
      var show = !!src && el.getAttribute('data-show-in').split('|').indexOf(src.value) >= 0;
      el.hidden = !show;
      // Hidden inputs are not submitted, so they cannot fail validation.
      el.querySelectorAll('input,select,textarea').forEach(function (i) { i.disabled = !show; });
    });
  }
  dependents.forEach(function (el) {
    var src = control(el.getAttribute('data-show-if'));
    if (src) { src.addEventListener('change', refreshDependents); }
  });
  document.querySelectorAll('form.apply-form').forEach(function (f) {
    f.addEventListener('reset', function () { setTimeout(refreshDependents, 0); });
  });
  refreshDependents();

  // ---- choice: live specialty list ----
  var form = document.getElementById('choice-form');
  if (!form) { return; }
  var base = document.getElementById('f-base');
  var program = document.getElementById('f-program');
  var updated = document.getElementById('counts-updated');
  var api = base.getAttribute('data-programs');

  function label(p) {
    return p.specialty_name + '(已报名:' + p.registered + '/已录取:' + p.admitted + '/计划数:' + p.plan + ')';
  }
  function fill(programs) {
    var chosen = program.value;
    var seen = {};
    programs.forEach(function (p) {
      var id = String(p.id);
      seen[id] = true;
      var opt = program.querySelector('option[value="' + id + '"]');
      if (!opt) {
        opt = document.createElement('option');
        opt.value = id;
        program.appendChild(opt);
      }
      if (opt.textContent !== label(p)) { opt.textContent = label(p); }
    });
    Array.prototype.slice.call(program.options).forEach(function (o) {
      if (o.value && !seen[o.value]) { program.removeChild(o); }
    });
    program.value = seen[chosen] ? chosen : '';
  }
  function load() {
    if (!base.value || document.hidden) { return; }
    var want = base.value;
    fetch(api + '?base=' + encodeURIComponent(want), { headers: { Accept: 'application/json' }, cache: 'no-store' })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        if (base.value !== want) { return; }
        fill(data.programs || []);
        updated.textContent = '名额数据更新于 ' + new Date(data.updated_at).toLocaleTimeString('zh-CN', { hour12: false });
      })
      .catch(function () { updated.textContent = '（名额数据自动更新失败，稍后重试）'; });
  }
  base.addEventListener('change', function () {
    Array.prototype.slice.call(program.options).forEach(function (o) { if (o.value) { program.removeChild(o); } });
    load();
  });
  setInterval(load, 3000);

  // ---- choice: confirmation dialog ----
  var dialog = document.getElementById('confirm-dialog');
  var confirmed = false;
  form.addEventListener('submit', function (e) {
    if (confirmed) { return; }
    e.preventDefault();
    dialog.hidden = false;
    document.getElementById('confirm-ok').focus();
  });
  document.getElementById('confirm-ok').addEventListener('click', function () {
    confirmed = true;
    dialog.hidden = true;
    form.submit();
  });
  document.getElementById('confirm-cancel').addEventListener('click', function () { dialog.hidden = true; });
})();
