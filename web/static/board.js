// Keeps the 招录情况一览表 counts fresh: polls the JSON the server names in
// data-poll (poll.js, which sends If-None-Match: while the counts are
// unchanged only the time is updated) and updates the cells in place.
(function () {
  'use strict';
  var table = document.getElementById('board');
  if (!table) { return; }
  var updated = document.getElementById('updated-at');

  function setCell(cell, value) { zhupeiPoll.set(cell, value, 'flash'); }

  // The cells shown: 拟录取 is the seats taken less the final admissions
  // (已录取, a column of its own once there are any); free (剩余名额, the
  // console's admission screen) the seats left.
  function values(c) {
    return { plan: c.plan, registered: c.registered, provisional: c.admitted - (c.final || 0), final: c.final || 0, free: c.plan - c.admitted };
  }

  function fresh(when) {
    var text = zhupeiPoll.shanghai(when);
    if (text) { updated.textContent = text; }
  }

  zhupeiPoll.start(table.getAttribute('data-poll'), function (data) {
    (data.programs || []).forEach(function (p) {
      var row = table.querySelector('tr[data-id="' + p.id + '"]');
      if (!row) { return; }
      var v = values(p);
      Object.keys(v).forEach(function (f) { setCell(row.querySelector('[data-field="' + f + '"]'), v[f]); });
    });
    var t = values(data.totals);
    Object.keys(t).forEach(function (f) { setCell(table.querySelector('[data-total="' + f + '"]'), t[f]); });
    fresh(data.updated_at);
  }, document.getElementById('poll-status'), fresh);
})();
