// Keeps the 招录情况一览表 counts fresh: polls the JSON the server names in
// data-poll (poll.js) and updates the cells in place.
(function () {
  'use strict';
  var table = document.getElementById('board');
  if (!table) { return; }
  var fields = ['plan', 'registered', 'admitted'];

  function setCell(cell, value) { zhupeiPoll.set(cell, value, 'flash'); }

  zhupeiPoll.start(table.getAttribute('data-poll'), function (data) {
    (data.programs || []).forEach(function (p) {
      var row = table.querySelector('tr[data-id="' + p.id + '"]');
      if (!row) { return; }
      fields.forEach(function (f) { setCell(row.querySelector('[data-field="' + f + '"]'), p[f]); });
    });
    fields.forEach(function (f) { setCell(table.querySelector('[data-total="' + f + '"]'), data.totals[f]); });
    document.getElementById('updated-at').textContent = zhupeiPoll.shanghai(data.updated_at);
  }, document.getElementById('poll-status'));
})();
