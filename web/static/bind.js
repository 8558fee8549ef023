// Real-name binding page (bind.html): 解除认证 opens the confirmation that
// the page already holds (its consequence and the next binding date come from
// the server) instead of posting at once; the dialog's 确定解除 posts with
// confirm=yes. Without JavaScript the server shows the same confirmation.
(function () {
  'use strict';
  var form = document.getElementById('unbind-form');
  var dialog = document.getElementById('unbind-dialog');
  if (!form || !dialog) { return; }
  document.getElementById('unbind').addEventListener('click', function (e) {
    e.preventDefault();
    dialog.hidden = false;
    document.getElementById('unbind-cancel').focus();
  });
  document.getElementById('unbind-cancel').addEventListener('click', function (e) {
    e.preventDefault();
    dialog.hidden = true;
  });
})();
