// The polling shared by the live tables (招录情况一览表, 调剂缺额一览):
// zhupeiPoll.start(url, apply, status) fetches url every 5 seconds while the
// page is visible and hands the JSON to apply, or says in status that it
// failed; zhupeiPoll.set(el, value, cls) changes an element's text and
// marks it with cls for 1.5 s when it changed. A filter form's selects
// (and checkboxes) submit it on change.
window.zhupeiPoll = (function () {
  'use strict';
  document.querySelectorAll('form.filter select, form.filter input[type="checkbox"]').forEach(function (s) {
    s.addEventListener('change', function () { s.form.submit(); });
  });

  function set(el, value, cls) {
    if (!el) { return; }
    var text = String(value);
    if (el.textContent !== text) {
      el.textContent = text;
      el.classList.add(cls);
      setTimeout(function () { el.classList.remove(cls); }, 1500);
    }
  }

  function start(url, apply, status) {
    setInterval(function () {
      if (document.hidden) { return; }
      fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) { apply(data); status.textContent = ''; })
        .catch(function () { status.textContent = '（自动更新失败，稍后重试）'; });
    }, 5000);
  }

  function shanghai(t) {
    return new Date(t).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
  }

  return { set: set, start: start, shanghai: shanghai };
})();
