package miniprogram

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"zhupei/forms"
	"zhupei/handlers"
	"zhupei/internal/testclock"
	"zhupei/internal/testhttp"
	"zhupei/internal/testlog"
	"zhupei/province"
	"zhupei/recruit"
	"zhupei/store/sqlite"
	"zhupei/store/storetest"
	"zhupei/wechat"
	"zhupei/wechat/sandbox"
)

var testNow = time.Date(2025, time.July, 12, 9, 0, 0, 0, recruit.Shanghai)

// fixture is the service as cmd/zhupei wires it — the handlers application
// with its error handler, the mini-program API and the WeChat sandbox —
// over a real SQLite store, served over HTTP on 127.0.0.1 because the SDK
// calls the sandbox through it.
type fixture struct {
	store        *sqlite.DB
	url          string
	clock        *testclock.Clock
	sb           *sandbox.Sandbox
	logs         *testlog.Buffer
	baseA, baseB recruit.Base
}

// seededStore opens a fresh SQLite store with two bases, 甲医院 and 乙医院.
func seededStore(t *testing.T) (*sqlite.DB, []recruit.Base) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"), storetest.Sealer())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.ImportPlan(ctx, 2025, []recruit.PlanRow{
		{Line: 1, BaseName: "甲医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 10},
		{Line: 2, BaseName: "乙医院", City: "青岛", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 5},
	}); err != nil {
		t.Fatal(err)
	}
	bases, err := db.ListBases(ctx)
	if err != nil || len(bases) != 2 {
		t.Fatalf("bases %v, %v", bases, err)
	}
	return db, bases
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, bases := seededStore(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: db, url: "http://" + ln.Addr().String(), clock: testclock.New(testNow), logs: &testlog.Buffer{},
		baseA: bases[0], baseB: bases[1]}
	cfg := wechat.Config{Mode: wechat.ModeSandbox, AppID: "wx5andb0x0000001", Secret: "s3cr3t-0123456789abcdef",
		Token: "callbacktoken", BaseURL: f.url, SandboxURL: f.url + "/sandbox",
		MiniAppID: "wx5andb0xm1n1001", MiniSecret: "mini-s3cr3t-0123456789", Timeout: 5 * time.Second}
	client, err := wechat.New(cfg, db, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	sbApp, sb, err := sandbox.App(cfg, db, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	f.sb = sb
	log := slog.New(slog.NewTextHandler(f.logs, nil))
	app := handlers.New(handlers.Config{Store: db, Now: f.clock.Now, Logger: log, Registry: prometheus.NewRegistry(),
		Version: "test", WeChat: client, Sandbox: sbApp})
	New(Config{Store: db, WeChat: client, Province: province.New(province.Deps{Store: db, Now: f.clock.Now}), Forms: newForms(t, db, f.clock.Now, log), Now: f.clock.Now, Logger: log}).Register(app)
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() {
		client.CloseIdleConnections()
		_ = app.ShutdownWithTimeout(5 * time.Second)
	})
	return f
}

var codeRe = regexp.MustCompile(`<code>([^<]+)</code>`)

// user creates a sandbox test user. (Users are created through the
// sandbox's Go API: its page keeps the nickname of a form without copying
// it out of the request buffer.)
func (f *fixture) user(t *testing.T, nickname string) sandbox.User {
	t.Helper()
	u, err := f.sb.AddUser(nickname, false)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// miniCode gets a wx.login code for u from the sandbox's 小程序登录码 page,
// as a tester does.
func (f *fixture) miniCode(t *testing.T, u sandbox.User) string {
	t.Helper()
	resp, err := http.PostForm(f.url+"/sandbox/minicode", url.Values{"openid": {u.OpenID}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := codeRe.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("sandbox login-code page: %d %.300s", resp.StatusCode, body)
	}
	return string(m[1])
}

// result is a decoded API answer.
type result struct {
	status int
	header http.Header
	body   map[string]any // a JSON answer
	raw    []byte
}

// errCode and errMessage read the error body {"error": {...}}.
func (r result) errCode() string    { return r.errField("code") }
func (r result) errMessage() string { return r.errField("message") }

func (r result) errField(k string) string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e[k].(string)
	return s
}

// call sends a request to the API with an optional bearer token and JSON
// body (a string is sent as is).
func (f *fixture) call(t *testing.T, method, path, token string, body any) result {
	t.Helper()
	status, header, raw := testhttp.Call(t, method, f.url+path, token, body)
	out := result{status: status, header: header, raw: raw}
	if header.Get("Content-Type") == fiber.MIMEApplicationJSON && json.Unmarshal(raw, &out.body) != nil {
		t.Fatalf("%s %s: %d, not JSON: %.300s", method, path, status, raw)
	}
	return out
}

// expect fails unless r has the status and, for errors, the code and a
// message containing msg.
func expect(t *testing.T, what string, r result, status int, code, msg string) {
	t.Helper()
	if r.status != status || r.errCode() != code || !strings.Contains(r.errMessage(), msg) {
		t.Fatalf("%s: %d %v, want %d %q %q", what, r.status, r.body, status, code, msg)
	}
}

// login logs the sandbox user u in and returns the token.
func (f *fixture) login(t *testing.T, u sandbox.User) (string, result) {
	t.Helper()
	r := f.call(t, http.MethodPost, "/api/v1/mp/login", "", map[string]string{"code": f.miniCode(t, u)})
	expect(t, "login", r, http.StatusOK, "", "")
	tok, _ := r.body["token"].(string)
	if len(tok) != tokenLen || r.body["expires_in"] != float64(7200) {
		t.Fatalf("login: %v", r.body)
	}
	return tok, r
}

// invite creates an invitation for a reviewer of base.
func (f *fixture) invite(t *testing.T, base recruit.Base, ttl time.Duration) string {
	t.Helper()
	inv, err := provinceAt(f.store, f.clock.Now()).CreateInvite(context.Background(), province.InviteRequest{Role: recruit.RoleReviewer, BaseID: base.ID, TTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	return inv.Code
}

// wantBound fails unless body is {"bound": true, "base": base, "role":
// "reviewer", "role_label": "审核员"}, or {"bound": false, "base": null} for a
// zero base.
func wantBound(t *testing.T, what string, body map[string]any, base recruit.Base) {
	t.Helper()
	if base.ID == 0 {
		if body["bound"] != false || body["base"] != nil || body["role"] != nil {
			t.Fatalf("%s: %v, want unbound", what, body)
		}
		return
	}
	b, _ := body["base"].(map[string]any)
	if body["bound"] != true || b["id"] != float64(base.ID) || b["name"] != base.Name ||
		body["role"] != string(recruit.RoleReviewer) || body["role_label"] != "审核员" {
		t.Fatalf("%s: %v, want a reviewer of %+v", what, body, base)
	}
}

func TestLoginBindMeLogout(t *testing.T) {
	f := newFixture(t)
	teacher := f.user(t, "张老师")
	code := f.miniCode(t, teacher)
	r := f.call(t, http.MethodPost, "/api/v1/mp/login", "", map[string]string{"code": code})
	expect(t, "login", r, http.StatusOK, "", "")
	wantBound(t, "login before binding", r.body, recruit.Base{})
	tok := r.body["token"].(string)

	// A wx.login code works once, as on WeChat.
	r = f.call(t, http.MethodPost, "/api/v1/mp/login", "", map[string]string{"code": code})
	expect(t, "reused code", r, http.StatusUnauthorized, recruit.EUNAUTHORIZED, "小程序登录凭证无效")
	r = f.call(t, http.MethodPost, "/api/v1/mp/login", "", map[string]string{"code": "not-a-code"})
	expect(t, "invalid code", r, http.StatusUnauthorized, recruit.EUNAUTHORIZED, "小程序登录凭证无效")
	r = f.call(t, http.MethodPost, "/api/v1/mp/login", "", map[string]string{})
	expect(t, "no code", r, http.StatusBadRequest, recruit.EINVALID, "缺少小程序登录凭证")
	r = f.call(t, http.MethodPost, "/api/v1/mp/login", "", "{code:")
	expect(t, "bad JSON", r, http.StatusBadRequest, recruit.EINVALID, "JSON")

	r = f.call(t, http.MethodGet, "/api/v1/mp/me", tok, nil)
	expect(t, "me before binding", r, http.StatusOK, "", "")
	wantBound(t, "me before binding", r.body, recruit.Base{})

	inv := f.invite(t, f.baseB, recruit.DefaultInviteTTL)
	r = f.call(t, http.MethodPost, "/api/v1/mp/bind", tok, map[string]string{"invite": inv})
	expect(t, "bind", r, http.StatusOK, "", "")
	wantBound(t, "bind", r.body, f.baseB)
	r = f.call(t, http.MethodGet, "/api/v1/mp/me", tok, nil)
	wantBound(t, "me after binding", r.body, f.baseB)
	openID := teacher.MiniOpenID
	st, err := f.store.StaffByMPOpenID(context.Background(), openID)
	if err != nil || st.BaseID != f.baseB.ID || st.Role != recruit.RoleReviewer || !st.CreatedAt.Equal(testNow) {
		t.Fatalf("staff account %+v, %v", st, err)
	}

	// The audit line names the action, the base and a hashed account.
	logs := f.logs.String()
	if !strings.Contains(logs, "action=staff.bind") || !strings.Contains(logs, "staff="+staffRef(openID)) ||
		!strings.Contains(logs, "result=ok") || strings.Contains(logs, openID) {
		t.Fatalf("audit log:\n%s", logs)
	}

	// A new login of the bound account says so at once.
	tok2, r := f.login(t, teacher)
	wantBound(t, "second login", r.body, f.baseB)
	if tok2 == tok {
		t.Fatal("two logins got the same token")
	}

	r = f.call(t, http.MethodPost, "/api/v1/mp/logout", tok, nil)
	if r.status != http.StatusNoContent {
		t.Fatalf("logout: %d %v", r.status, r.body)
	}
	r = f.call(t, http.MethodGet, "/api/v1/mp/me", tok, nil)
	expect(t, "me after logout", r, http.StatusUnauthorized, recruit.EUNAUTHORIZED, "登录已失效")
	r = f.call(t, http.MethodGet, "/api/v1/mp/me", tok2, nil)
	wantBound(t, "the other session lives on", r.body, f.baseB)

	// Sessions last two hours.
	f.clock.Add(SessionTTL)
	r = f.call(t, http.MethodGet, "/api/v1/mp/me", tok2, nil)
	expect(t, "expired session", r, http.StatusUnauthorized, recruit.EUNAUTHORIZED, "登录已失效")
}

func TestTokenRequired(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name, method, path, auth, msg string
	}{
		{"no token", http.MethodGet, "/api/v1/mp/me", "", "请先登录小程序"},
		{"no token, bind", http.MethodPost, "/api/v1/mp/bind", "", "请先登录小程序"},
		{"no token, logout", http.MethodPost, "/api/v1/mp/logout", "", "请先登录小程序"},
		{"garbage", http.MethodGet, "/api/v1/mp/me", "Bearer xyz", "登录已失效"},
		{"other scheme", http.MethodGet, "/api/v1/mp/me", "Basic " + strings.Repeat("a", tokenLen), "登录已失效"},
		{"unknown token", http.MethodGet, "/api/v1/mp/me", "Bearer " + strings.Repeat("ab", tokenLen/2), "登录已失效"},
	} {
		req, _ := http.NewRequest(tc.method, f.url+tc.path, strings.NewReader(`{"invite":"ABCDEFGH"}`))
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Error struct{ Code, Message, RequestID string }
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusUnauthorized || body.Error.Code != recruit.EUNAUTHORIZED ||
			!strings.Contains(body.Error.Message, tc.msg) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
			resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d %+v %v %v", tc.name, resp.StatusCode, body, resp.Header, err)
		}
	}
}

func TestInviteRefusals(t *testing.T) {
	f := newFixture(t)
	tokA, _ := f.login(t, f.user(t, "甲"))
	tokB, _ := f.login(t, f.user(t, "乙"))
	tokC, _ := f.login(t, f.user(t, "丙"))
	bind := func(tok, code string) result {
		return f.call(t, http.MethodPost, "/api/v1/mp/bind", tok, map[string]string{"invite": code})
	}

	expect(t, "unknown invite", bind(tokA, "ABCD2345"), http.StatusNotFound, recruit.ENOTFOUND, "邀请码无效或已过期")
	expect(t, "malformed invite", bind(tokA, "ABC"), http.StatusBadRequest, recruit.EINVALID, "8 位")
	expect(t, "ambiguous letters", bind(tokA, "ABCD1O00"), http.StatusBadRequest, recruit.EINVALID, "8 位")
	expect(t, "empty invite", bind(tokA, " "), http.StatusBadRequest, recruit.EINVALID, "请输入邀请码")

	inv := f.invite(t, f.baseA, recruit.DefaultInviteTTL)
	expect(t, "bind", bind(tokA, inv), http.StatusOK, "", "")
	expect(t, "same invite again", bind(tokB, inv), http.StatusConflict, recruit.ECONFLICT, "邀请码已被使用")
	expect(t, "bound account, new invite", bind(tokA, f.invite(t, f.baseB, recruit.DefaultInviteTTL)),
		http.StatusConflict, recruit.ECONFLICT, "该微信账号已绑定工作人员账号")
	r := f.call(t, http.MethodGet, "/api/v1/mp/me", tokB, nil)
	wantBound(t, "the refused account", r.body, recruit.Base{})

	// Typed in lower case with spaces around, a code still works.
	r = bind(tokB, "  "+strings.ToLower(f.invite(t, f.baseB, recruit.DefaultInviteTTL))+" ")
	expect(t, "lower case", r, http.StatusOK, "", "")
	wantBound(t, "lower case", r.body, f.baseB)

	// An invitation dies with its TTL.
	expiring := f.invite(t, f.baseA, time.Hour)
	f.clock.Add(time.Hour)
	expect(t, "expired invite", bind(tokC, expiring), http.StatusNotFound, recruit.ENOTFOUND, "邀请码无效或已过期")
	r = f.call(t, http.MethodGet, "/api/v1/mp/me", tokC, nil)
	wantBound(t, "after the expired invite", r.body, recruit.Base{})
	if !strings.Contains(f.logs.String(), "result=conflict") {
		t.Errorf("refusals are not audited:\n%s", f.logs.String())
	}
}

func TestConcurrentRedeemers(t *testing.T) {
	f := newFixture(t)
	const n = 10
	users := make([]sandbox.User, n)
	toks := make([]string, n)
	for i := range toks {
		users[i] = f.user(t, "用户"+string(rune('A'+i)))
		toks[i], _ = f.login(t, users[i])
	}
	inv := f.invite(t, f.baseA, recruit.DefaultInviteTTL)
	results := make([]result, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range toks {
		wg.Go(func() {
			<-start
			results[i] = f.call(t, http.MethodPost, "/api/v1/mp/bind", toks[i], map[string]string{"invite": inv})
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for i, r := range results {
		switch {
		case r.status == http.StatusOK:
			won++
			wantBound(t, "winner", r.body, f.baseA)
		case r.status != http.StatusConflict || r.errMessage() != "邀请码已被使用":
			t.Errorf("redeemer %d: %d %v", i, r.status, r.body)
		}
	}
	bound := 0
	for _, u := range users {
		if _, err := f.store.StaffByMPOpenID(context.Background(), u.MiniOpenID); err == nil {
			bound++
		}
	}
	if won != 1 || bound != 1 {
		t.Fatalf("%d winners and %d bound accounts, want exactly one", won, bound)
	}
}

func TestRateLimits(t *testing.T) {
	f := newFixture(t)
	a, b := f.user(t, "甲"), f.user(t, "乙")
	tok, _ := f.login(t, a)
	for range bindLimit {
		r := f.call(t, http.MethodPost, "/api/v1/mp/bind", tok, map[string]string{"invite": "ABCD2345"})
		expect(t, "bind attempt", r, http.StatusNotFound, recruit.ENOTFOUND, "")
	}
	inv := f.invite(t, f.baseA, recruit.DefaultInviteTTL)
	r := f.call(t, http.MethodPost, "/api/v1/mp/bind", tok, map[string]string{"invite": inv})
	expect(t, "bind beyond the limit", r, http.StatusTooManyRequests, recruit.ETOOMANY, "过于频繁")
	// Another account is not held back; the limited one may try again an
	// hour later.
	tokB, _ := f.login(t, b)
	expect(t, "other account", f.call(t, http.MethodPost, "/api/v1/mp/bind", tokB, map[string]string{"invite": "ABCD2345"}),
		http.StatusNotFound, recruit.ENOTFOUND, "")
	f.clock.Add(time.Hour)
	tok, _ = f.login(t, a)
	expect(t, "bind an hour later", f.call(t, http.MethodPost, "/api/v1/mp/bind", tok, map[string]string{"invite": inv}),
		http.StatusOK, "", "")

	// Logins from one address: loginLimit a minute, counted before the
	// code is checked. One was made in this minute.
	for range loginLimit - 1 {
		r := f.call(t, http.MethodPost, "/api/v1/mp/login", "", map[string]string{"code": "bad"})
		expect(t, "login attempt", r, http.StatusUnauthorized, recruit.EUNAUTHORIZED, "")
	}
	r = f.call(t, http.MethodPost, "/api/v1/mp/login", "", map[string]string{"code": f.miniCode(t, b)})
	expect(t, "login beyond the limit", r, http.StatusTooManyRequests, recruit.ETOOMANY, "登录过于频繁")
	f.clock.Add(time.Minute)
	f.login(t, b)
}

// TestRoutesDocumented checks that every route of the API is described in
// the OpenAPI file served at /api/v1/openapi.yaml, those after login with
// bearer authentication, and that the form and file routes exist only with
// the form service.
func TestRoutesDocumented(t *testing.T) {
	spec := testhttp.Spec(t)
	routes := func(cfg Config) int {
		app := fiber.New()
		New(cfg).Register(app)
		n := 0
		for _, r := range app.GetRoutes(true) {
			if r.Method == fiber.MethodHead {
				continue
			}
			n++
			path := strings.ReplaceAll(strings.TrimPrefix(r.Path, "/api/v1"), ":id", "{id}")
			op, ok := spec[path][strings.ToLower(r.Method)]
			if !ok {
				t.Errorf("%s %s is not in openapi.yaml", r.Method, r.Path)
			}
			if op.Bearer() != (path != "/mp/login") {
				t.Errorf("%s %s: security %v", r.Method, r.Path, op.Security)
			}
		}
		return n
	}
	db := &sqlite.DB{}
	cfg := Config{Store: db, WeChat: &wechat.Client{}, Province: province.New(province.Deps{Store: db})}
	if n := routes(cfg); n != 5 {
		t.Fatalf("%d routes, want login, bind, me, logout and link-code", n)
	}
	cfg.Forms = forms.New(forms.Deps{Store: db})
	if n := routes(cfg); n != 7 {
		t.Fatalf("%d routes with forms, want also the form and the files", n)
	}
}

// TestDisabledStaff: disabling an account refuses its sessions on their
// next request and its new logins; a province admin's status has a role
// and no base.
func TestDisabledStaff(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.user(t, "省中心")
	tok, _ := f.login(t, admin)
	inv, err := provinceAt(f.store, f.clock.Now()).CreateInvite(ctx, province.InviteRequest{Role: recruit.RoleProvince, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	r := f.call(t, http.MethodPost, "/api/v1/mp/bind", tok, map[string]string{"invite": inv.Code})
	expect(t, "bind", r, http.StatusOK, "", "")
	if r.body["bound"] != true || r.body["base"] != nil || r.body["role"] != "province" || r.body["role_label"] != "省级管理员" {
		t.Fatalf("province admin's status: %v", r.body)
	}
	other, _ := f.login(t, admin)

	st, err := f.store.StaffByMPOpenID(ctx, admin.MiniOpenID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.SetStaffDisabled(ctx, st.ID, true); err != nil {
		t.Fatal(err)
	}
	for _, tk := range []string{tok, other} {
		r = f.call(t, http.MethodGet, "/api/v1/mp/me", tk, nil)
		expect(t, "me of a disabled account", r, http.StatusForbidden, recruit.EFORBIDDEN, "该工作人员账号已停用")
	}
	r = f.call(t, http.MethodPost, "/api/v1/mp/login", "", map[string]string{"code": f.miniCode(t, admin)})
	expect(t, "login of a disabled account", r, http.StatusForbidden, recruit.EFORBIDDEN, "该工作人员账号已停用")
	if r.body["token"] != nil {
		t.Fatalf("a disabled account got a token: %v", r.body)
	}
}

// provinceAt is the province service over st with its clock stopped at now.
func provinceAt(st province.Store, now time.Time) *province.Service {
	return province.New(province.Deps{Store: st, Now: func() time.Time { return now }})
}

// A bound mini-program account's link code binds the PC console to the same
// account: redeemed with an official-account openid, it yields that account
// with both openids, and a second code is then refused as the console is
// bound. An unbound session gets no code.
func TestLinkCodeForTheConsole(t *testing.T) {
	f := newFixture(t)
	tok, _ := f.login(t, f.user(t, "李老师"))
	r := f.call(t, http.MethodPost, "/api/v1/mp/link-code", tok, nil)
	expect(t, "unbound", r, http.StatusForbidden, recruit.EFORBIDDEN, "该账号尚未绑定培训基地")
	r = f.call(t, http.MethodPost, "/api/v1/mp/bind", tok, map[string]string{"invite": f.invite(t, f.baseA, recruit.DefaultInviteTTL)})
	expect(t, "bind", r, http.StatusOK, "", "")

	r = f.call(t, http.MethodPost, "/api/v1/mp/link-code", tok, nil)
	expect(t, "link code", r, http.StatusOK, "", "")
	code, _ := r.body["code"].(string)
	if len(code) != recruit.InviteLen || r.body["channel"] != string(recruit.ChannelOA) {
		t.Fatalf("link code %v", r.body)
	}
	ctx := context.Background()
	st, err := provinceAt(f.store, f.clock.Now()).Redeem(ctx, code, recruit.ChannelOA, "oa-li")
	if err != nil {
		t.Fatal(err)
	}
	if st.BaseID != f.baseA.ID || st.Role != recruit.RoleReviewer || st.OAOpenID != "oa-li" || st.MPOpenID == "" {
		t.Fatalf("the console's account %+v, want the mini-program's reviewer of %+v", st, f.baseA)
	}
	r = f.call(t, http.MethodPost, "/api/v1/mp/link-code", tok, nil)
	expect(t, "the console bound", r, http.StatusConflict, recruit.ECONFLICT, "无需绑定码")
}
