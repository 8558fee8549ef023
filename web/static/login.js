// PC QR login: counts down the QR code's life and polls the login status
// every two seconds until the phone confirms, then follows the redirect.
(function () {
  'use strict';
  var box = document.getElementById('login');
  if (!box) { return; }
  var ticket = box.getAttribute('data-ticket');
  var deadline = Date.now() + Number(box.getAttribute('data-seconds')) * 1000;
  var statusEl = document.getElementById('login-status');
  var leftEl = document.getElementById('login-left');
  var stopped = false;

  function show(text, cls) {
    statusEl.textContent = text;
    statusEl.className = 'wx-status' + (cls ? ' ' + cls : '');
  }
  function stop(text) {
    stopped = true;
    show(text, 'wx-error');
    box.classList.add('wx-expired');
  }
  function tick() {
    if (stopped) { return; }
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    leftEl.textContent = Math.floor(left / 60) + ':' + ('0' + (left % 60)).slice(-2);
    if (left === 0) {
      stop('二维码已过期，请点击“刷新二维码”重新获取');
      return;
    }
    setTimeout(tick, 1000);
  }
  function poll() {
    if (stopped) { return; }
    fetch('/api/v1/login/status?t=' + encodeURIComponent(ticket), { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      })
      .then(function (res) {
        if (!res.ok) {
          stop(res.body && res.body.error ? res.body.error.message : '登录失败，请刷新页面重试');
          return;
        }
        switch (res.body.state) {
          case 'scanned':
            show('已扫码，请在手机上确认登录', 'wx-ok');
            break;
          case 'cancelled':
            stop('已在手机上取消登录，请点击“刷新二维码”重新扫码');
            return;
          case 'confirmed':
            stopped = true;
            show('登录成功，正在跳转……', 'wx-ok');
            window.location.assign(res.body.redirect);
            return;
        }
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 4000); });
  }
  tick();
  setTimeout(poll, 2000);
})();
