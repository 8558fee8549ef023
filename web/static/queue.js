// The review queue: "select all" toggles the page's rows.
(function () {
  var all = document.getElementById('check-all');
  if (!all) return;
  all.addEventListener('change', function () {
    var boxes = document.querySelectorAll('.q-pick');
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = all.checked;
  });
})();
