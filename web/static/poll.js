// The polling shared by the live tables (招录情况一览表, 调剂缺额一览) and the
// choice page's specialty list: zhupeiPoll.start(url, apply, status,
// unchanged) fetches url every 5 seconds while the page is visible and
// hands the JSON to apply (a 304 to unchanged), or says in status that it
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

  // start polls url every 5 seconds with the ETag of the answer it has
  // (If-None-Match): while the data is unchanged the server answers 304
  // without a body, and unchanged (if given) gets the answer's Date, when
  // the data was last known current. url may be a function giving the URL
  // to poll at that moment ('' for none, as a choice page before a base is
  // chosen): the ETag is sent only to the URL it came from, and an answer
  // for a URL no longer current is dropped. start returns a function that
  // polls at once.
  function start(url, apply, status, unchanged) {
    var current = typeof url === 'function' ? url : function () { return url; };
    var tagged = { url: null, etag: null };
    function poll() {
      var u = current();
      if (!u || document.hidden) { return; }
      var headers = { Accept: 'application/json' };
      if (tagged.url === u && tagged.etag) { headers['If-None-Match'] = tagged.etag; }
      fetch(u, { headers: headers, cache: 'no-store' })
        .then(function (r) {
          if (current() !== u) { return; }
          if (r.status === 304) {
            if (unchanged) { unchanged(r.headers.get('Date')); }
            status.textContent = '';
            return;
          }
          if (!r.ok) { throw new Error(r.status); }
          var etag = r.headers.get('ETag');
          return r.json().then(function (data) {
            if (current() !== u) { return; }
            tagged = { url: u, etag: etag };
            apply(data);
            status.textContent = '';
          });
        })
        .catch(function () { if (current() === u) { status.textContent = '（自动更新失败，稍后重试）'; } });
    }
    setInterval(poll, 5000);
    return poll;
  }

  // shanghai shows a date string in Beijing time ('' when it is none).
  function shanghai(t) {
    var at = new Date(t || NaN);
    return isNaN(at) ? '' : at.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
  }

  return { set: set, start: start, shanghai: shanghai };
})();
