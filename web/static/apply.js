// Applicant registration pages: shows the fields that depend on another
// answer (data-show-if / data-show-in), refuses a file of the wrong size
// before it is sent (data-min-size / data-max-size), tells the server the
// layout a form is posted from (layout=pc|h5: where the save leads), keeps
// the specialty list of the choice page live (labels refreshed from
// /api/v1/programs?base=<id>, polled with If-None-Match by poll.js, which
// the choice page loads first) and asks for confirmation before a choice
// is submitted. The server validates everything regardless.
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

  // ---- uploads: size checked before anything is sent ----
  // A file outside data-min-size..data-max-size is taken out of the form
  // with a message next to it; the rest of the form is kept as typed.
  function mb(n) { return (n / 1048576).toFixed(1) + 'MB'; }
  function sizeProblem(input) {
    var f = input.files && input.files[0];
    if (!f) { return ''; }
    var label = input.getAttribute('data-label') || '文件';
    var maxSize = Number(input.getAttribute('data-max-size') || 0);
    var minSize = Number(input.getAttribute('data-min-size') || 0);
    if (maxSize && f.size > maxSize) {
      return '所选' + label + '为' + mb(f.size) + '，超过' + mb(maxSize).replace('.0', '') + '的上限，未上传；请压缩后重新选择。您填写的其他内容不受影响。';
    }
    if (minSize && f.size < minSize) {
      return '所选' + label + '为' + Math.round(f.size / 1024) + 'KB，小于' + Math.round(minSize / 1024) + 'KB，未上传；请选择更清晰的原图。';
    }
    return '';
  }
  document.querySelectorAll('input[type=file][data-max-size]').forEach(function (input) {
    var msg = document.querySelector('[data-size-error-for="' + input.name + '"]');
    input.addEventListener('change', function () {
      var problem = sizeProblem(input);
      if (msg) { msg.textContent = problem; msg.hidden = !problem; }
      if (problem) { input.value = ''; }
    });
  });

  // ---- ux2: where a save leads ----
  // The PC layout (the tabs shown, see site.css) goes on to the next tab
  // after a save (seed 6.1–6.6), the phone layout back to the step list
  // (7.7–7.16); the form tells the server which layout it was posted from.
  var tabs = document.querySelector('.apply-tabs');
  document.querySelectorAll('form.apply-form').forEach(function (f) {
    f.addEventListener('submit', function () {
      var pc = !!tabs && getComputedStyle(tabs).display !== 'none';
      var input = f.querySelector('input[name="layout"]');
      if (!input) {
        input = document.createElement('input');
        input.type = 'hidden';
        input.name = 'layout';
        f.appendChild(input);
      }
      input.value = pc ? 'pc' : 'h5';
    });
  });

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
  function shown(when) {
    var text = zhupeiPoll.shanghai(when);
    if (text) { updated.textContent = '名额数据更新于 ' + text; }
  }
  var poll = zhupeiPoll.start(function () {
    return base.value ? api + '?base=' + encodeURIComponent(base.value) : '';
  }, function (data) {
    fill(data.programs || []);
    shown(data.updated_at);
  }, document.getElementById('counts-status'), shown);
  base.addEventListener('change', function () {
    Array.prototype.slice.call(program.options).forEach(function (o) { if (o.value) { program.removeChild(o); } });
    updated.textContent = '';
    poll();
  });

  // ---- choice: confirmation dialog ----
  var dialog = document.getElementById('confirm-dialog');
  var confirmed = false;
  // ux2: what is missing is said next to its field before the dialog.
  var required = { program_id: '请选择培训专业', accepts_adjustment: '请选择是否接受调剂' };
  function missing() {
    var first = null;
    Object.keys(required).forEach(function (name) {
      var el = control(name);
      var msg = form.querySelector('[data-error-for="' + name + '"]');
      var empty = !el.value;
      msg.textContent = empty ? required[name] : '';
      msg.hidden = !empty;
      el.closest('.field').classList.toggle('has-error', empty);
      if (empty && !first) { first = el; }
    });
    if (first) { first.focus(); }
    return !!first;
  }
  form.addEventListener('submit', function (e) {
    if (confirmed) { return; }
    e.preventDefault();
    if (missing()) { return; }
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
