// Keeps the 调剂缺额一览 fresh: polls the JSON the server names in data-poll
// every 5 seconds and updates the counts in place; a row whose program is
// no longer listed (filled) is dimmed until the next page load.
(function () {
  'use strict';
  var table = document.getElementById('vacancies');
  if (!table) { return; }
  var url = table.getAttribute('data-poll');
  var status = document.getElementById('poll-status');

  document.querySelectorAll('#vacancy-filter select, #only-vacant').forEach(function (s) {
    s.addEventListener('change', function () { s.form.submit(); });
  });

  function set(el, value) {
    if (!el) { return; }
    var text = String(value);
    if (el.textContent !== text) {
      el.textContent = text;
      el.classList.add('bump');
      setTimeout(function () { el.classList.remove('bump'); }, 1500);
    }
  }

  function apply(data) {
    var seen = {};
    (data.programs || []).forEach(function (p) {
      seen[p.program_id] = true;
      var row = table.querySelector('tr[data-id="' + p.program_id + '"]');
      if (!row) { return; }
      ['plan', 'admitted', 'vacancies'].forEach(function (f) {
        set(row.querySelector('[data-field="' + f + '"]'), p[f]);
      });
      row.classList.remove('gone');
    });
    table.querySelectorAll('tr[data-id]').forEach(function (row) {
      if (!seen[row.getAttribute('data-id')]) {
        row.classList.add('gone');
        set(row.querySelector('[data-field="vacancies"]'), 0);
      }
    });
    set(document.getElementById('with-vacant'), data.with_vacant);
    set(document.getElementById('vacancy-total'), data.vacancies);
    document.getElementById('updated-at').textContent =
      new Date(data.updated_at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
    status.textContent = '';
  }

  function poll() {
    if (document.hidden) { return; }
    fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(apply)
      .catch(function () { status.textContent = '（自动更新失败，稍后重试）'; });
  }

  setInterval(poll, 5000);
})();
