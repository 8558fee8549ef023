// Keeps the 招录情况一览表 counts fresh: polls the JSON the server names in
// data-poll every 5 seconds and updates the cells in place. Each poll sends
// the ETag of the counts it has (If-None-Match): while they are unchanged
// the server answers 304 without a body, and only the time is updated.
(function () {
  'use strict';
  var table = document.getElementById('board');
  if (!table) { return; }
  var url = table.getAttribute('data-poll');
  var updated = document.getElementById('updated-at');
  var status = document.getElementById('poll-status');
  var interval = 5000;

  document.querySelectorAll('form.filter select').forEach(function (s) {
    s.addEventListener('change', function () { s.form.submit(); });
  });

  function setCell(cell, value) {
    if (!cell) { return; }
    var text = String(value);
    if (cell.textContent !== text) {
      cell.textContent = text;
      cell.classList.add('flash');
      setTimeout(function () { cell.classList.remove('flash'); }, 1500);
    }
  }

  // The cells shown: 拟录取 is the seats taken less the final admissions
  // (已录取, a column of its own once there are any); free (剩余名额, the
  // console's admission screen) the seats left.
  function values(c) {
    return { plan: c.plan, registered: c.registered, provisional: c.admitted - (c.final || 0), final: c.final || 0, free: c.plan - c.admitted };
  }

  function apply(data) {
    (data.programs || []).forEach(function (p) {
      var row = table.querySelector('tr[data-id="' + p.id + '"]');
      if (!row) { return; }
      var v = values(p);
      Object.keys(v).forEach(function (f) {
        setCell(row.querySelector('[data-field="' + f + '"]'), v[f]);
      });
    });
    var t = values(data.totals);
    Object.keys(t).forEach(function (f) {
      setCell(table.querySelector('[data-total="' + f + '"]'), t[f]);
    });
    fresh(data.updated_at);
  }

  // fresh shows when the counts were last known current (a date string),
  // in Beijing time.
  function fresh(when) {
    var at = new Date(when || NaN);
    if (!isNaN(at)) {
      updated.textContent = at.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
    }
    status.textContent = '';
  }

  var etag = null;
  function poll() {
    if (document.hidden) { return; }
    var headers = { Accept: 'application/json' };
    if (etag) { headers['If-None-Match'] = etag; }
    fetch(url, { headers: headers, cache: 'no-store' })
      .then(function (r) {
        if (r.status === 304) {
          // Unchanged: current as of the server's answer.
          fresh(r.headers.get('Date'));
          return;
        }
        if (!r.ok) { throw new Error(r.status); }
        etag = r.headers.get('ETag');
        return r.json().then(apply);
      })
      .catch(function () { status.textContent = '（自动更新失败，稍后重试）'; });
  }

  setInterval(poll, interval);
})();
