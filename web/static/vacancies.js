// Keeps the 调剂缺额一览 fresh: polls the JSON the server names in data-poll
// (poll.js) and updates the counts in place; a row whose program is no
// longer listed (filled) is dimmed until the next page load.
(function () {
  'use strict';
  var table = document.getElementById('vacancies');
  if (!table) { return; }

  function set(el, value) { zhupeiPoll.set(el, value, 'bump'); }

  zhupeiPoll.start(table.getAttribute('data-poll'), function (data) {
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
    document.getElementById('updated-at').textContent = zhupeiPoll.shanghai(data.updated_at);
  }, document.getElementById('poll-status'));
})();
