package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"zhupei/apply"
	"zhupei/internal/testclock"
	"zhupei/internal/testid"
	"zhupei/miniprogram"
	"zhupei/province"
	"zhupei/recruit"
	"zhupei/store/storetest"
	"zhupei/wechat"
	"zhupei/wechat/sandbox"
)

// wxFixture is the service with WeChat in sandbox (or live) mode, served
// over real HTTP on 127.0.0.1 because the SDK and the sandbox talk to it.
type wxFixture struct {
	*fixture
	base   string
	clock  *testclock.Clock
	client *wechat.Client
	sb     *sandbox.Sandbox // nil in live mode
}

const (
	wxAppID  = "wx5andb0x0000001"
	wxSecret = "s3cr3t-0123456789abcdef"
	wxToken  = "callbacktoken"
	wxAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

	wxMiniAppID  = "wx5andb0xm1n1001"
	wxMiniSecret = "mini-s3cr3t-0123456789"
)

// newWeChatFixture wires the service as cmd/zhupei does, the staff
// mini-program's API included; options adjust the handlers' Config (its
// Forms serve the mini-program too).
func newWeChatFixture(t *testing.T, mode string, verifier apply.Verifier, options ...func(*Config)) *wxFixture {
	t.Helper()
	f := newFixture(t, false)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	clock := testclock.New(testNow)
	cfg := wechat.Config{Mode: mode, AppID: wxAppID, Secret: wxSecret, Token: wxToken, AESKey: wxAESKey,
		BaseURL: base, SandboxURL: base + "/sandbox", Timeout: 5 * time.Second,
		MiniAppID: wxMiniAppID, MiniSecret: wxMiniSecret}
	client, err := wechat.New(cfg, f.store, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	sbApp, sb, err := sandbox.App(cfg, f.store, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(f.logs, nil))
	hcfg := Config{
		Store: f.store, Now: clock.Now, Logger: log,
		Apply:    apply.New(apply.Deps{Store: f.store, Now: clock.Now, Logger: log, Sealer: storetest.Sealer(), Verifier: verifier}),
		Registry: prometheus.NewRegistry(), Version: "test",
		WeChat: client, Sandbox: sbApp,
	}
	for _, o := range options {
		o(&hcfg)
	}
	mp := miniprogram.New(miniprogram.Config{Store: f.store, WeChat: client, Province: province.New(province.Deps{Store: f.store, Now: clock.Now}), Forms: hcfg.Forms, Now: clock.Now, Logger: log})
	f.app = New(hcfg)
	mp.Register(f.app)
	cb := client.NewCallback(WeChatEvents(hcfg), wechat.CallbackOptions{Workers: 1, Queue: 16})
	cb.Register(f.app)
	go func() { _ = f.app.Listener(ln) }()
	t.Cleanup(func() {
		_ = f.app.ShutdownWithTimeout(5 * time.Second)
		cb.Close()
	})
	return &wxFixture{fixture: f, base: base, clock: clock, client: client, sb: sb}
}

// browser is one user agent's cookies, sending requests through app.Test
// on the fixture's own host name.
type browser struct {
	f       *wxFixture
	cookies map[string]string
	ua      string // the User-Agent sent, none when empty
}

func (f *wxFixture) browser() *browser { return &browser{f: f, cookies: map[string]string{}} }

// do sends a request; target is a path or an absolute URL of the service.
func (b *browser) do(t testing.TB, method, target string, form url.Values) (*http.Response, string) {
	t.Helper()
	if strings.HasPrefix(target, "/") {
		target = b.f.base + target
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.ua != "" {
		req.Header.Set("User-Agent", b.ua)
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.f.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

func (b *browser) get(t testing.TB, target string) (*http.Response, string) {
	t.Helper()
	return b.do(t, http.MethodGet, target, nil)
}

func (b *browser) post(t testing.TB, target string, form url.Values) (*http.Response, string) {
	t.Helper()
	return b.do(t, http.MethodPost, target, form)
}

// want fails unless resp has the status and, for redirects, the location.
func want(t testing.TB, what string, resp *http.Response, body string, status int, location string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d; body: %.400s", what, resp.StatusCode, status, body)
	}
	if location != "" && resp.Header.Get("Location") != location {
		t.Fatalf("%s: location %q, want %q", what, resp.Header.Get("Location"), location)
	}
}

// authorize is the sandbox's OAuth page: user u approves the authorization
// request at authURL; it returns the callback URL carrying code and state.
func (b *browser) authorize(t testing.TB, authURL string, u sandbox.User) string {
	t.Helper()
	au, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"openid": {u.OpenID}}
	for k, v := range au.Query() {
		form.Set(k, v[0])
	}
	resp, body := b.post(t, au.Path, form)
	want(t, "authorize", resp, body, http.StatusFound, "")
	return resp.Header.Get("Location")
}

// oauthLogin runs the H5 login of u to next and returns the final location.
func (b *browser) oauthLogin(t testing.TB, u sandbox.User, next string) string {
	t.Helper()
	resp, body := b.get(t, "/wechat/oauth/start?next="+url.QueryEscape(next))
	want(t, "oauth start", resp, body, http.StatusFound, "")
	back := b.authorize(t, resp.Header.Get("Location"), u)
	resp, body = b.get(t, back)
	want(t, "oauth callback", resp, body, http.StatusSeeOther, "")
	return resp.Header.Get("Location")
}

// session returns the browser's session as stored.
func (b *browser) session(t testing.TB) session {
	t.Helper()
	raw, err := b.f.store.GetKV(context.Background(), sessionKey(b.cookies[sessionCookie]), b.f.clock.Now())
	if err != nil {
		t.Fatalf("no session: %v", err)
	}
	var s session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *wxFixture) user(t testing.TB, name string) sandbox.User {
	t.Helper()
	u, err := f.sb.AddUser(name, true)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestOAuthLoginLeavesTheCodeURL(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	u := f.user(t, "甲")
	b := f.browser()
	resp, body := b.get(t, "/wechat/oauth/start?next=/bind")
	want(t, "start", resp, body, http.StatusFound, "")
	authURL := resp.Header.Get("Location")
	if !strings.HasPrefix(authURL, f.base+"/sandbox/connect/oauth2/authorize?") || !strings.Contains(authURL, "snsapi_base") {
		t.Fatalf("start went to %q", authURL)
	}
	back := b.authorize(t, authURL, u)
	resp, body = b.get(t, back)
	want(t, "callback", resp, body, http.StatusSeeOther, "/bind")
	if s := b.session(t); s.OpenID != u.OpenID || s.Via != "oauth" || s.IdentityID != 0 {
		t.Fatalf("session %+v", s)
	}
	// The same callback URL again: the state was used.
	resp, body = b.get(t, back)
	want(t, "replayed state", resp, body, http.StatusConflict, "")
	wantContains(t, "replayed state", body, "该授权链接已使用")

	// A bound account's session carries its identity.
	id, err := f.store.CreateIdentity(context.Background(), recruit.Identity{OpenID: u.OpenID, Name: "甲", IDType: recruit.IDTypePassport, IDNumber: "E12345678", BoundAt: testNow})
	if err != nil {
		t.Fatal(err)
	}
	b2 := f.browser()
	if to := b2.oauthLogin(t, u, "/apply"); to != "/apply" {
		t.Fatalf("went to %q", to)
	}
	if s := b2.session(t); s.IdentityID != id.ID {
		t.Fatalf("session identity %d, want %d", s.IdentityID, id.ID)
	}
	// A foreign next is dropped.
	if to := f.browser().oauthLogin(t, u, "https://evil.example/"); to != "/apply" {
		t.Fatalf("foreign next kept: %q", to)
	}
}

func TestOAuthStateChecks(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	u := f.user(t, "乙")
	b := f.browser()
	resp, body := b.get(t, "/wechat/oauth/callback?code=abc")
	want(t, "missing state", resp, body, http.StatusBadRequest, "")
	wantContains(t, "missing state", body, "缺少 state")
	resp, body = b.get(t, "/wechat/oauth/callback?code=abc&state="+strings.Repeat("a", 32))
	want(t, "unknown state", resp, body, http.StatusForbidden, "")
	wantContains(t, "unknown state", body, "授权链接无效或已过期")

	// A state made for another browser.
	resp, body = b.get(t, "/wechat/oauth/start?next=/bind")
	want(t, "start", resp, body, http.StatusFound, "")
	back := b.authorize(t, resp.Header.Get("Location"), u)
	other := f.browser()
	resp, body = other.get(t, back)
	want(t, "foreign state", resp, body, http.StatusForbidden, "")
	wantContains(t, "foreign state", body, "不是从当前浏览器发起的")
	if _, ok := other.cookies[sessionCookie]; ok {
		t.Fatal("a foreign state started a session")
	}
	// The rightful browser still gets in.
	resp, body = b.get(t, back)
	want(t, "own state", resp, body, http.StatusSeeOther, "/bind")

	// Another host name than base_url is sent to base_url first (sandbox).
	req := httptest.NewRequest(http.MethodGet, "http://localhost:1/wechat/oauth/start?next=/bind", nil)
	r, err := f.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != f.base+"/wechat/oauth/start?next=/bind" {
		t.Fatalf("other host: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestOAuthReplayedCode(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	u := f.user(t, "丙")
	b := f.browser()
	resp, body := b.get(t, "/wechat/oauth/start?next=/bind")
	want(t, "start", resp, body, http.StatusFound, "")
	back := b.authorize(t, resp.Header.Get("Location"), u)
	resp, body = b.get(t, back)
	want(t, "login", resp, body, http.StatusSeeOther, "/bind")

	// The same code under a fresh, valid state of the same browser: WeChat
	// refuses a code the second time.
	resp, body = b.get(t, "/wechat/oauth/start?next=/bind")
	want(t, "second start", resp, body, http.StatusFound, "")
	authURL, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	used, err := url.Parse(back)
	if err != nil {
		t.Fatal(err)
	}
	replay := "/wechat/oauth/callback?code=" + url.QueryEscape(used.Query().Get("code")) +
		"&state=" + url.QueryEscape(authURL.Query().Get("state"))
	resp, body = b.get(t, replay)
	want(t, "replayed code", resp, body, http.StatusUnauthorized, "")
	wantContains(t, "replayed code", body, "微信授权已失效")
}

// A callback URL with a state the browser did not get from the service — the
// shape of the old fixed menu state — must not log anyone in: otherwise an
// attacker could send a victim a link carrying the attacker's own code and
// have the victim bind their real name to the attacker's account.
func TestOAuthCallbackRefusesForeignState(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	attacker := f.user(t, "攻击者")
	authURL, err := f.client.OAuthURL(f.base+"/wechat/oauth/callback?next=/bind", "menu")
	if err != nil {
		t.Fatal(err)
	}
	back := f.browser().authorize(t, authURL, attacker)
	victim := f.browser()
	resp, body := victim.get(t, back)
	want(t, "foreign state", resp, body, http.StatusForbidden, "")
	if _, ok := victim.cookies[sessionCookie]; ok {
		t.Fatal("a callback with a foreign state started a session")
	}
}

// loggedIn is a browser with a session for a new sandbox user.
func (f *wxFixture) loggedIn(t testing.TB, name string) (*browser, sandbox.User, string) {
	t.Helper()
	u := f.user(t, name)
	b := f.browser()
	b.oauthLogin(t, u, "/bind")
	return b, u, b.session(t).CSRF
}

// relogin logs u in again (sessions last 12 hours) and returns the token.
func (b *browser) relogin(t testing.TB, u sandbox.User) string {
	t.Helper()
	b.oauthLogin(t, u, "/bind")
	return b.session(t).CSRF
}

func bindValues(csrf, name, number string) url.Values {
	return url.Values{csrfField: {csrf}, "name": {name}, "id_type": {recruit.IDTypeResident}, "id_number": {number}}
}

// The binding page through a bind, an unbind and their refusals; the
// windows themselves are apply's (TestBindWindows).
func TestBindAndUnbindOncePer30Days(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	b, u, csrf := f.loggedIn(t, "丁")
	number := testid.Resident("37010219900307123")

	resp, body := b.post(t, "/bind", bindValues(csrf, "丁一", testid.Resident("37010219900307124")[:17]+"0"))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "校验") && !strings.Contains(body, "身份证") {
		t.Fatalf("bad check digit: %d %.300s", resp.StatusCode, body)
	}
	form := bindValues(csrf, "丁一", number)
	form.Set("next", "/apply")
	resp, body = b.post(t, "/bind", form)
	want(t, "bind", resp, body, http.StatusSeeOther, "/apply")
	id, err := f.store.IdentityByOpenID(context.Background(), u.OpenID)
	if err != nil || id.Name != "丁一" || id.IDNumber != number {
		t.Fatalf("identity %+v, %v", id, err)
	}
	if s := b.session(t); s.IdentityID != id.ID {
		t.Fatalf("session identity %d, want %d", s.IdentityID, id.ID)
	}
	_, body = b.get(t, "/bind")
	wantContains(t, "bound page", body, "丁一", recruit.MaskID(number), "解除认证", "一个月内仅限认证一次")
	wantMissing(t, "bound page", body, number)

	// Day 29: unbind; binding again within 30 days of day 0 is refused
	// with the date.
	f.clock.Add(29 * 24 * time.Hour)
	csrf = b.relogin(t, u)
	// A post that does not confirm shows the confirmation, with the date of
	// the next binding, and unbinds nothing.
	resp, body = b.post(t, "/bind/unbind", url.Values{csrfField: {csrf}})
	want(t, "unconfirmed unbind", resp, body, http.StatusOK, "")
	wantContains(t, "unconfirmed unbind", body, "确定要解除实名认证吗", "下次可认证时间：<b id=\"unbind-next\">2025年8月4日</b>")
	wantMissing(t, "unconfirmed unbind", body, `id="unbind-dialog" role="dialog" aria-modal="true" aria-labelledby="unbind-title" hidden`)
	if _, err := f.store.IdentityByOpenID(context.Background(), u.OpenID); err != nil {
		t.Fatalf("an unconfirmed unbind unbound the account: %v", err)
	}
	resp, body = b.post(t, "/bind/unbind", url.Values{csrfField: {csrf}, "confirm": {"yes"}})
	want(t, "unbind", resp, body, http.StatusSeeOther, "/bind")
	if s := b.session(t); s.IdentityID != 0 {
		t.Fatalf("session keeps identity %d after unbinding", s.IdentityID)
	}
	resp, body = b.post(t, "/bind", bindValues(csrf, "丁一", number))
	want(t, "second bind", resp, body, http.StatusForbidden, "")
	wantContains(t, "second bind", body, "30天内只能认证一次，下次可认证时间：2025年8月4日")
	_, body = b.get(t, "/bind")
	wantContains(t, "bind page", body, "下次可认证时间：2025年8月4日", "输入姓名、证件类型及证件号码进行认证")

	// Day 30: binding again re-attaches the person; unbinding again within
	// 30 days of day 29 is refused.
	f.clock.Add(24 * time.Hour)
	csrf = b.relogin(t, u)
	resp, body = b.post(t, "/bind", bindValues(csrf, "丁一", number))
	want(t, "rebind", resp, body, http.StatusSeeOther, "/bind")
	again, err := f.store.IdentityByOpenID(context.Background(), u.OpenID)
	if err != nil || again.ID != id.ID {
		t.Fatalf("rebinding made identity %+v (%v), want id %d", again, err, id.ID)
	}
	resp, body = b.post(t, "/bind/unbind", url.Values{csrfField: {csrf}, "confirm": {"yes"}})
	want(t, "second unbind", resp, body, http.StatusForbidden, "")
	wantContains(t, "second unbind", body, "30天内只能解除认证一次，下次可解除认证时间：2025年9月2日")
	_, body = b.get(t, "/bind")
	wantContains(t, "bound page", body, "下次可解除认证时间：2025年9月2日")
}

func TestCSRFOnBindAndConfirm(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	b, u, _ := f.loggedIn(t, "庚")
	form := bindValues("", "庚", testid.Resident("37010219900307123"))
	form.Del(csrfField)
	resp, body := b.post(t, "/bind", form)
	want(t, "bind without token", resp, body, http.StatusForbidden, "")
	wantContains(t, "bind without token", body, "页面已过期")
	resp, body = b.post(t, "/bind/unbind", url.Values{})
	want(t, "unbind without token", resp, body, http.StatusForbidden, "")
	resp, body = b.post(t, "/login/confirm", url.Values{"t": {strings.Repeat("0", 32)}, "action": {"confirm"}})
	want(t, "confirm without token", resp, body, http.StatusForbidden, "")
	wantContains(t, "confirm without token", body, "页面已过期")
	if _, err := f.store.IdentityByOpenID(context.Background(), u.OpenID); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Fatalf("a refused POST bound the account: %v", err)
	}
}

var ticketRe = regexp.MustCompile(`data-ticket="([0-9a-f]{32})"`)
var hrefRe = regexp.MustCompile(`href="([^"]+)"`)

// pcLogin opens the PC login page and returns the ticket.
func (b *browser) pcLogin(t testing.TB, next string) string {
	t.Helper()
	resp, body := b.get(t, "/login?next="+url.QueryEscape(next))
	want(t, "login page", resp, body, http.StatusOK, "")
	wantContains(t, "login page", body, "请使用微信扫一扫，扫码后在手机上确认登录", "/login/qr.png?t=", `id="sandbox-scan"`)
	m := ticketRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no ticket on the login page: %.500s", body)
	}
	return m[1]
}

// scan is u scanning the QR code of login ticket t with the sandbox; it
// returns the text the account replied.
func (f *wxFixture) scan(t testing.TB, ticket string, u sandbox.User) string {
	t.Helper()
	var tk loginTicket
	if err := f.getJSON(ticket, &tk); err != nil {
		t.Fatal(err)
	}
	q, err := url.Parse(tk.QRURL)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := f.sb.Scan(context.Background(), q.Query().Get("ticket"), u.OpenID)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	text, err := f.sb.ReplyText(answer)
	if err != nil {
		t.Fatalf("reply %q: %v", answer, err)
	}
	return text
}

func (f *wxFixture) getJSON(ticket string, v any) error {
	raw, err := f.store.GetKV(context.Background(), loginKey+ticket, f.clock.Now())
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(raw), v)
}

// status polls the login status of ticket t.
func (b *browser) status(t testing.TB, ticket string) (int, map[string]any) {
	t.Helper()
	resp, body := b.get(t, "/api/v1/login/status?t="+ticket)
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("status body %q: %v", body, err)
	}
	return resp.StatusCode, m
}

func TestQRLogin(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	pc := f.browser()
	pc.ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	ticket := pc.pcLogin(t, "/apply")
	resp, body := pc.get(t, "/login/qr.png?t="+ticket)
	want(t, "QR image", resp, body, http.StatusOK, "")
	if !strings.HasPrefix(body, "\x89PNG") {
		t.Fatal("QR image is not a PNG")
	}
	if code, m := pc.status(t, ticket); code != http.StatusOK || m["state"] != "pending" {
		t.Fatalf("status before scanning: %d %v", code, m)
	}

	u := f.user(t, "辛")
	reply := f.scan(t, ticket, u)
	m := hrefRe.FindStringSubmatch(reply)
	if m == nil || !strings.Contains(reply, "点此确认登录") {
		t.Fatalf("scan reply %q has no confirmation link", reply)
	}
	if code, m := pc.status(t, ticket); code != http.StatusOK || m["state"] != "scanned" {
		t.Fatalf("status after scanning: %d %v", code, m)
	}
	// Another account scanning the same code is told so.
	if r := f.scan(t, ticket, f.user(t, "旁人")); !strings.Contains(r, "已被其他微信扫描") {
		t.Fatalf("second scanner got %q", r)
	}

	// The phone follows the link: OAuth, then binding first (unbound).
	link := strings.ReplaceAll(m[1], "&amp;", "&")
	phone := f.browser()
	resp, body = phone.get(t, link)
	want(t, "confirm link", resp, body, http.StatusFound, "")
	to := phone.authorize(t, resp.Header.Get("Location"), u)
	resp, body = phone.get(t, to)
	want(t, "oauth", resp, body, http.StatusSeeOther, "/login/confirm?t="+ticket)
	resp, body = phone.get(t, "/login/confirm?t="+ticket)
	want(t, "unbound confirm", resp, body, http.StatusSeeOther, "/bind?next="+url.QueryEscape("/login/confirm?t="+ticket))
	csrf := phone.session(t).CSRF
	form := bindValues(csrf, "辛", testid.Resident("37010219900307123"))
	form.Set("next", "/login/confirm?t="+ticket)
	resp, body = phone.post(t, "/bind", form)
	want(t, "bind", resp, body, http.StatusSeeOther, "/login/confirm?t="+ticket)

	// An account that did not scan cannot confirm.
	intruder, _, icsrf := f.loggedIn(t, "外人")
	resp, body = intruder.get(t, "/login/confirm?t="+ticket)
	want(t, "intruder page", resp, body, http.StatusForbidden, "")
	wantContains(t, "intruder page", body, "请使用扫描该二维码的微信确认登录")
	resp, body = intruder.post(t, "/login/confirm", url.Values{csrfField: {icsrf}, "t": {ticket}, "action": {"confirm"}})
	want(t, "intruder confirm", resp, body, http.StatusForbidden, "")

	resp, body = phone.get(t, "/login/confirm?t="+ticket)
	want(t, "confirm page", resp, body, http.StatusOK, "")
	wantContains(t, "confirm page", body, "确认登录", "取消", "辛")
	// The phone is shown which PC asks (app.Test's peer is 0.0.0.0) and
	// warned not to confirm someone else's code.
	wantContains(t, "confirm page", body, "0.0.0.0", "Chrome / Windows", "2025-07-05 10:00:00", "请只确认您本人")
	resp, body = phone.post(t, "/login/confirm", url.Values{csrfField: {csrf}, "t": {ticket}, "action": {"confirm"}})
	want(t, "confirm", resp, body, http.StatusOK, "")
	wantContains(t, "confirm", body, "已确认登录")
	resp, body = phone.post(t, "/login/confirm", url.Values{csrfField: {csrf}, "t": {ticket}, "action": {"cancel"}})
	want(t, "answer twice", resp, body, http.StatusConflict, "")

	// A foreign browser polling the ticket is refused and gets no session.
	thief := f.browser()
	if code, m := thief.status(t, ticket); code != http.StatusForbidden || !strings.Contains(errMessage(m), "不是在当前浏览器上生成的") {
		t.Fatalf("foreign poll: %d %v", code, m)
	}
	if _, ok := thief.cookies[sessionCookie]; ok {
		t.Fatal("a foreign poll got a session")
	}
	// The PC gets its session and lands on the basic-information page.
	code, st := pc.status(t, ticket)
	if code != http.StatusOK || st["state"] != "confirmed" || st["redirect"] != "/apply/basic" {
		t.Fatalf("confirmed status: %d %v", code, st)
	}
	s := pc.session(t)
	id, _ := f.store.IdentityByOpenID(context.Background(), u.OpenID)
	if s.OpenID != u.OpenID || s.Via != "qr" || s.IdentityID != id.ID || id.ID == 0 {
		t.Fatalf("PC session %+v, identity %d", s, id.ID)
	}
	_, body = pc.get(t, "/")
	wantContains(t, "home after login", body, `id="who-name">辛<`, "退出登录")
	// The ticket works once.
	if code, m := pc.status(t, ticket); code != http.StatusConflict || !strings.Contains(errMessage(m), "已使用") {
		t.Fatalf("reused ticket: %d %v", code, m)
	}

	// With a profile the login lands on the result page.
	if _, err := f.store.SaveProfile(context.Background(), recruit.Profile{IdentityID: id.ID}, recruit.Revision{Kind: "basic", By: "test", At: testNow}, 0); err != nil {
		t.Fatal(err)
	}
	pc2 := f.browser()
	t2 := pc2.pcLogin(t, "/result")
	f.scan(t, t2, u)
	phone.post(t, "/login/confirm", url.Values{csrfField: {csrf}, "t": {t2}, "action": {"confirm"}})
	if code, st := pc2.status(t, t2); code != http.StatusOK || st["redirect"] != "/result" {
		t.Fatalf("login with a profile: %d %v", code, st)
	}
}

func errMessage(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

func TestLoginTicketExpiresAndCancels(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	pc := f.browser()
	pc.ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	ticket := pc.pcLogin(t, "/apply")
	f.clock.Add(loginTTL + time.Second)
	if code, m := pc.status(t, ticket); code != http.StatusNotFound || !strings.Contains(errMessage(m), "已过期") {
		t.Fatalf("expired ticket: %d %v", code, m)
	}
	// A scan of an expired code is answered so.
	u := f.user(t, "壬")
	reply, err := WeChatEvents(Config{Store: f.store, Now: f.clock.Now, WeChat: f.client}).(wechat.Replier).Reply(context.Background(), wechat.Event{Type: "SCAN", OpenID: u.OpenID, Key: loginScene + ticket})
	if err != nil || !strings.Contains(reply, "已过期") {
		t.Fatalf("scan of an expired code: %q %v", reply, err)
	}

	// Cancelled on the phone.
	t2 := pc.pcLogin(t, "/apply")
	f.scan(t, t2, u)
	phone := f.browser()
	phone.oauthLogin(t, u, "/")
	resp, body := phone.post(t, "/login/confirm", url.Values{csrfField: {phone.session(t).CSRF}, "t": {t2}, "action": {"cancel"}})
	want(t, "cancel", resp, body, http.StatusOK, "")
	wantContains(t, "cancel", body, "已取消")
	if code, m := pc.status(t, t2); code != http.StatusOK || m["state"] != "cancelled" {
		t.Fatalf("cancelled: %d %v", code, m)
	}
	if _, ok := pc.cookies[sessionCookie]; ok {
		t.Fatal("a cancelled login started a session")
	}
}

func TestWeChatEventsWelcome(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	r := WeChatEvents(Config{Store: f.store, Now: f.clock.Now, WeChat: f.client}).(wechat.Replier)
	text, err := r.Reply(context.Background(), wechat.Event{Type: "subscribe", OpenID: "o1"})
	if err != nil || !strings.Contains(text, "实名认证") || !strings.Contains(text, "消息免打扰") {
		t.Fatalf("follow reply %q %v", text, err)
	}
	if text, err := r.Reply(context.Background(), wechat.Event{Type: "CLICK", OpenID: "o1", Key: "x"}); text != "" || err != nil {
		t.Fatalf("click reply %q %v", text, err)
	}
}

func TestSandboxRoutesOnlyInSandboxMode(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	b := f.browser()
	resp, body := b.get(t, "/sandbox/")
	want(t, "sandbox index", resp, body, http.StatusOK, "")
	wantContains(t, "sandbox index", body, "电脑端扫码登录", "/login?next=/apply", "/sandbox/menu", "/sandbox/messages", "/wechat/oauth/start?next=/bind")
	// The sandbox is another site: none of the service's headers.
	if resp.Header.Get("Content-Security-Policy") != "" {
		t.Error("the sandbox got the service's CSP")
	}

	live := newWeChatFixture(t, wechat.ModeLive, nil)
	if live.sb != nil {
		t.Fatal("live mode made a sandbox")
	}
	lb := live.browser()
	for _, p := range []string{"/sandbox/", "/sandbox/phone?ticket=x", "/sandbox/cgi-bin/token?grant_type=client_credential", "/sandbox/connect/oauth2/authorize"} {
		resp, body := lb.get(t, p)
		want(t, "live "+p, resp, body, http.StatusNotFound, "")
	}
	resp, body = lb.post(t, "/sandbox/faults", url.Values{})
	want(t, "live POST faults", resp, body, http.StatusNotFound, "")
	// The login page has no sandbox link in live mode (the QR code needs
	// the real WeChat, unreachable here, so only the OAuth start is checked).
	resp, _ = lb.get(t, "/wechat/oauth/start?next=/bind")
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "https://open.weixin.qq.com/connect/oauth2/authorize?") {
		t.Fatalf("live OAuth goes to %q", loc)
	}
}

// The page shows a configured verifier's answers (its protocol is apply's,
// tested there) under their statuses, and the number never reaches the log.
func TestHTTPVerifierOnTheBindPage(t *testing.T) {
	var mu sync.Mutex
	answer := `{"pass": true}`
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	defer srv.Close()
	v := apply.NewHTTPVerifier(srv.URL, time.Second, func() time.Time { return testNow })
	f := newWeChatFixture(t, wechat.ModeSandbox, v)
	b, _, csrf := f.loggedIn(t, "癸")
	number := testid.Resident("37010219900307123")

	mu.Lock()
	answer = `{"pass": false, "message": "姓名与身份证号码不匹配"}`
	mu.Unlock()
	resp, body := b.post(t, "/bind", bindValues(csrf, "癸", number))
	want(t, "provider refuses", resp, body, http.StatusBadRequest, "")
	wantContains(t, "provider refuses", body, "实名核验未通过：姓名与身份证号码不匹配")
	mu.Lock()
	status, answer = http.StatusInternalServerError, "oops"
	mu.Unlock()
	resp, body = b.post(t, "/bind", bindValues(csrf, "癸", number))
	want(t, "provider down", resp, body, http.StatusBadGateway, "")
	wantContains(t, "provider down", body, "实名核验服务暂时不可用")
	mu.Lock()
	status, answer = http.StatusOK, `{"pass": true}`
	mu.Unlock()
	resp, body = b.post(t, "/bind", bindValues(csrf, "癸", number))
	want(t, "provider passes", resp, body, http.StatusSeeOther, "")
	if strings.Contains(f.logs.String(), number) {
		t.Fatal("the ID number reached the log")
	}
}

// Behind a trusted reverse proxy, the login page's rate limit counts each
// client (X-Forwarded-For) rather than the proxy; from anyone else the
// header is ignored.
func TestLoginRateLimitPerClientBehindProxy(t *testing.T) {
	pcLogin := func(f *wxFixture, client string) int {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, f.base+"/login?next=/apply", nil)
		req.Header.Set("X-Forwarded-For", client)
		resp, err := f.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	proxied := newWeChatFixture(t, wechat.ModeSandbox, nil, func(c *Config) {
		c.ProxyHeader, c.TrustedProxies = "X-Forwarded-For", []string{"0.0.0.0/0"}
	})
	for i := range loginRateLimit + 5 {
		if code := pcLogin(proxied, fmt.Sprintf("203.0.113.%d", i+1)); code != http.StatusOK {
			t.Fatalf("client %d behind the proxy: %d, want 200", i, code)
		}
	}
	for i := range loginRateLimit {
		if code := pcLogin(proxied, "198.51.100.7"); code != http.StatusOK {
			t.Fatalf("request %d of one client: %d", i, code)
		}
	}
	if code := pcLogin(proxied, "198.51.100.7"); code != http.StatusTooManyRequests {
		t.Fatalf("one client over the limit: %d, want 429", code)
	}

	direct := newWeChatFixture(t, wechat.ModeSandbox, nil)
	for i := range loginRateLimit {
		pcLogin(direct, fmt.Sprintf("203.0.113.%d", i+1))
	}
	if code := pcLogin(direct, "203.0.113.250"); code != http.StatusTooManyRequests {
		t.Fatalf("an untrusted X-Forwarded-For was believed: %d, want 429", code)
	}
}
