package wechat_test

import (
	"context"
	"errors"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"zhupei/recruit"
	"zhupei/wechat"
	"zhupei/wechat/sandbox"
)

func sendTo(e *env, c *wechat.Client, openID, clientMsgID string) (int64, error) {
	return c.SendTemplate(context.Background(), wechat.Template{
		ToUser: openID, TemplateID: "TPL-REVIEW", URL: e.cfg.BaseURL + "/h5/messages",
		ClientMsgID: clientMsgID, Data: map[string]string{"thing1": "审核通过"},
	})
}

func TestTokenCachedInStoreAndSharedByInstances(t *testing.T) {
	e := newEnv(t, envOptions{})
	u := e.follower(t, "张三")
	if _, err := sendTo(e, e.client, u.OpenID, ""); err != nil {
		t.Fatal(err)
	}
	key := "wechat:gowechat_officialaccount__access_token_" + testAppID
	tok, err := e.db.GetKV(context.Background(), key, time.Now())
	if err != nil || tok == "" {
		t.Fatalf("token not in the store: %q, %v", tok, err)
	}
	other := e.newClient(t, e.cfg)
	if _, err := sendTo(e, other, u.OpenID, ""); err != nil {
		t.Fatal(err)
	}
	if n := e.sb.Calls(sandbox.EndpointToken); n != 1 {
		t.Fatalf("token fetched %d times by two instances, want 1", n)
	}
	if n := e.sb.Calls(sandbox.EndpointTemplate); n != 2 {
		t.Fatalf("template endpoint called %d times, want 2", n)
	}
}

func TestRevokedTokenRefreshedOnceUnderConcurrency(t *testing.T) {
	e := newEnv(t, envOptions{})
	u := e.follower(t, "李四")
	if _, err := sendTo(e, e.client, u.OpenID, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.sb.InvalidateTokens(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Two instances, ten callers each, all holding the revoked token.
	clients := []*wechat.Client{e.client, e.newClient(t, e.cfg)}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := sendTo(e, clients[i%2], u.OpenID, "")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.sb.Calls(sandbox.EndpointToken); n != 2 {
		t.Fatalf("token fetched %d times, want 2 (start + exactly one refresh)", n)
	}
	if got := len(e.sb.Messages(u.OpenID)); got != 21 {
		t.Fatalf("%d messages recorded, want 21", got)
	}
}

func TestTokenErrorRefreshesAndRetriesOnce(t *testing.T) {
	for _, code := range []int{40001, 42001} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			e := newEnv(t, envOptions{})
			u := e.follower(t, "王五")
			if err := e.sb.Inject(sandbox.Fault{Endpoint: sandbox.EndpointTemplate, Code: code, Count: 1}); err != nil {
				t.Fatal(err)
			}
			if _, err := sendTo(e, e.client, u.OpenID, ""); err != nil {
				t.Fatalf("one %d should be absorbed by a refresh and a retry: %v", code, err)
			}
			if tok, tpl := e.sb.Calls(sandbox.EndpointToken), e.sb.Calls(sandbox.EndpointTemplate); tok != 2 || tpl != 2 {
				t.Fatalf("token calls %d, template calls %d; want 2 and 2", tok, tpl)
			}
			// Twice in a row: one refresh, one retry, then the error.
			if err := e.sb.Inject(sandbox.Fault{Endpoint: sandbox.EndpointTemplate, Code: code, Count: 2}); err != nil {
				t.Fatal(err)
			}
			_, err := sendTo(e, e.client, u.OpenID, "")
			if recruit.ErrorCode(err) != recruit.EUPSTREAM || wechat.ErrCode(err) != int64(code) {
				t.Fatalf("got %v, want EUPSTREAM with errcode %d", err, code)
			}
			if tok, tpl := e.sb.Calls(sandbox.EndpointToken), e.sb.Calls(sandbox.EndpointTemplate); tok != 3 || tpl != 4 {
				t.Fatalf("token calls %d, template calls %d; want 3 and 4", tok, tpl)
			}
		})
	}
}

func TestOtherErrorsSurfaceWithoutRetry(t *testing.T) {
	e := newEnv(t, envOptions{})
	u := e.follower(t, "赵六")
	if err := e.sb.Inject(sandbox.Fault{Endpoint: sandbox.EndpointTemplate, Code: 45009, Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := sendTo(e, e.client, u.OpenID, "")
	if recruit.ErrorCode(err) != recruit.EUPSTREAM || wechat.ErrCode(err) != 45009 {
		t.Fatalf("got %v, want EUPSTREAM with errcode 45009", err)
	}
	if recruit.ErrorMessage(err) == "" || strings.Contains(recruit.ErrorMessage(err), "errcode") {
		t.Fatalf("user message %q should be plain Chinese", recruit.ErrorMessage(err))
	}
	if n := e.sb.Calls(sandbox.EndpointTemplate); n != 1 {
		t.Fatalf("template endpoint called %d times, want 1", n)
	}
	// Not following: 43004, which the outbox records and gives up on.
	stranger, err := e.sb.AddUser("未关注", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sendTo(e, e.client, stranger.OpenID, ""); wechat.ErrCode(err) != 43004 {
		t.Fatalf("got %v, want errcode 43004", err)
	}
}

func TestSecretsScrubbedFromErrors(t *testing.T) {
	// A hanging token endpoint makes the HTTP client fail with the URL,
	// secret included, in its error.
	e := newEnv(t, envOptions{timeout: 300 * time.Millisecond})
	if err := e.sb.Inject(sandbox.Fault{Endpoint: sandbox.EndpointToken, Hang: true, Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.TempQR(context.Background(), "login-1", 5*time.Minute)
	if recruit.ErrorCode(err) != recruit.EUPSTREAM {
		t.Fatalf("got %v, want EUPSTREAM", err)
	}
	if text := err.Error(); strings.Contains(text, testSecret) || !strings.Contains(text, "secret=***") {
		t.Fatalf("secret not scrubbed: %s", text)
	}
	// A wrong secret is refused by the platform (40125).
	bad := newEnv(t, envOptions{secret: "wrong-secret-value"})
	_, err = bad.client.TempQR(context.Background(), "login-2", 5*time.Minute)
	if wechat.ErrCode(err) != 40125 || strings.Contains(err.Error(), "wrong-secret-value") {
		t.Fatalf("got %v, want scrubbed errcode 40125", err)
	}
}

func TestScrub(t *testing.T) {
	raw := errors.New(`Get "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=TOPSECRET": ` +
		`timeout; access_token=AT123&x=1 errcode=40001 {"session_key": "SK"}`)
	got := wechat.Scrub(raw).Error()
	for _, leak := range []string{"TOPSECRET", "AT123", `"SK"`} {
		if strings.Contains(got, leak) {
			t.Errorf("%q left in %q", leak, got)
		}
	}
	for _, keep := range []string{"appid=wx1", "errcode=40001", "&x=1"} {
		if !strings.Contains(got, keep) {
			t.Errorf("%q lost from %q", keep, got)
		}
	}
	if wechat.Scrub(nil) != nil {
		t.Error("Scrub(nil) is not nil")
	}
}

func TestTemplateIdempotentByClientMsgID(t *testing.T) {
	e := newEnv(t, envOptions{})
	u := e.follower(t, "孙七")
	first, err := sendTo(e, e.client, u.OpenID, "outbox-42")
	if err != nil {
		t.Fatal(err)
	}
	again, err := sendTo(e, e.client, u.OpenID, "outbox-42")
	if err != nil {
		t.Fatal(err)
	}
	other, err := sendTo(e, e.client, u.OpenID, "outbox-43")
	if err != nil {
		t.Fatal(err)
	}
	if first != again || other == first {
		t.Fatalf("msgids %d, %d, %d: same client_msg_id must give the same msgid, another a new one", first, again, other)
	}
	msgs := e.sb.Messages(u.OpenID)
	if len(msgs) != 2 || msgs[0].Data["thing1"] != "审核通过" || msgs[0].ClientMsgID != "outbox-42" {
		t.Fatalf("recorded %+v, want two messages", msgs)
	}
}

func TestTempQRAndImage(t *testing.T) {
	e := newEnv(t, envOptions{})
	before := time.Now()
	qr, err := e.client.TempQR(context.Background(), "login-7f3a", 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ticket, show := qr.Ticket, qr.ImageURL
	if !strings.HasPrefix(qr.URL, e.cfg.SandboxURL+"/phone?ticket=") {
		t.Fatalf("QR content %q is not the sandbox's phone page", qr.URL)
	}
	if life := qr.Expires.Sub(before); life < 4*time.Minute || life > 5*time.Minute+time.Second {
		t.Fatalf("QR lives %v, want about 5m", life)
	}
	if !strings.HasPrefix(show, e.cfg.SandboxURL+"/cgi-bin/showqrcode?ticket=") {
		t.Fatalf("show URL %q is not the sandbox's", show)
	}
	u, _ := url.Parse(show)
	if u.Query().Get("ticket") != ticket {
		t.Fatalf("ticket %q not carried intact by %q", ticket, show)
	}
	resp, err := http.Get(show)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	img, err := png.Decode(resp.Body)
	if err != nil {
		t.Fatalf("showqrcode is not a PNG: %v", err)
	}
	if img.Bounds().Dx() < 100 {
		t.Fatalf("QR image too small: %v", img.Bounds())
	}
	if _, err := e.client.TempQR(context.Background(), "", time.Minute); recruit.ErrorCode(err) != recruit.EINVALID {
		t.Fatalf("empty scene: got %v, want EINVALID", err)
	}
}

// noRedirect is an HTTP client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestOAuthCodeWorksOnce(t *testing.T) {
	e := newEnv(t, envOptions{})
	back := e.cfg.BaseURL + "/h5/oauth?next=%2Fh5%2Fapply"
	auth, err := e.client.OAuthURL(back, "st4te")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(auth, e.cfg.SandboxURL+"/connect/oauth2/authorize?") || !strings.Contains(auth, "scope=snsapi_base") {
		t.Fatalf("OAuth URL %q", auth)
	}
	page, err := http.Get(auth)
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != http.StatusOK {
		t.Fatalf("authorize page: %d", page.StatusCode)
	}
	// The tester creates a user on the page; the browser is sent back with code and state.
	a, _ := url.Parse(auth)
	form := a.Query()
	form.Set("nickname", "周八")
	form.Set("follow", "1")
	resp, err := noRedirect.PostForm(e.cfg.SandboxURL+"/connect/oauth2/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), e.cfg.BaseURL+"/h5/oauth?") {
		t.Fatalf("authorize answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if loc.Query().Get("state") != "st4te" || loc.Query().Get("next") != "/h5/apply" {
		t.Fatalf("redirect %q lost state or the original query", loc)
	}
	openID, err := e.client.ExchangeCode(context.Background(), loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	users := e.sb.Users()
	if len(users) != 1 || users[0].OpenID != openID || users[0].Nickname != "周八" {
		t.Fatalf("openid %q does not belong to the created user %+v", openID, users)
	}
	_, err = e.client.ExchangeCode(context.Background(), loc.Query().Get("code"))
	if recruit.ErrorCode(err) != recruit.EUNAUTHORIZED || wechat.ErrCode(err) != 40163 {
		t.Fatalf("reused code: got %v, want EUNAUTHORIZED (40163)", err)
	}
	if _, err := e.client.OAuthURL("/relative", "x"); recruit.ErrorCode(err) != recruit.EINVALID {
		t.Fatalf("relative redirect: got %v, want EINVALID", err)
	}
}

func TestMenuPublished(t *testing.T) {
	e := newEnv(t, envOptions{})
	if err := e.client.CreateMenu(context.Background(), "/h5/apply", "/h5/bind"); err != nil {
		t.Fatal(err)
	}
	menu := e.sb.Menu()
	if len(menu) != 2 || menu[0].Name != "住培山东" || menu[1].Name != "个人中心" ||
		len(menu[0].Sub) != 1 || menu[0].Sub[0].Name != "招录报名" || menu[1].Sub[0].Name != "实名认证" {
		t.Fatalf("menu %+v", menu)
	}
	// The buttons open the service's own pages, which start an OAuth login
	// with a per-browser state.
	for path, b := range map[string]sandbox.MenuButton{"/h5/apply": menu[0].Sub[0], "/h5/bind": menu[1].Sub[0]} {
		if b.URL != e.cfg.BaseURL+path {
			t.Fatalf("%s button URL %q, want %q", b.Name, b.URL, e.cfg.BaseURL+path)
		}
	}
}

func TestMiniProgramLoginAndSubscribe(t *testing.T) {
	e := newEnv(t, envOptions{})
	u := e.follower(t, "基地老师")
	code, err := e.sb.MiniCode(context.Background(), u.OpenID)
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.client.Code2Session(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if s.OpenID != u.MiniOpenID || s.SessionKey == "" {
		t.Fatalf("session %+v, want openid %q", s, u.MiniOpenID)
	}
	if _, err := e.client.Code2Session(context.Background(), code); recruit.ErrorCode(err) != recruit.EUNAUTHORIZED {
		t.Fatalf("reused js_code: got %v, want EUNAUTHORIZED", err)
	}
	if err := e.client.SendSubscribe(context.Background(), s.OpenID, "SUB-1", "pages/review", map[string]string{"thing1": "有新的报名"}); err != nil {
		t.Fatal(err)
	}
	msgs := e.sb.Messages(s.OpenID)
	if len(msgs) != 1 || msgs[0].Kind != "订阅消息" || msgs[0].Data["thing1"] != "有新的报名" {
		t.Fatalf("recorded %+v", msgs)
	}
}

func TestLiveModeHasNoSandbox(t *testing.T) {
	e := newEnv(t, envOptions{}) // a sandboxed client existed before in this process
	live := e.cfg
	live.Mode = wechat.ModeLive
	live.SandboxURL = ""
	c := e.newClient(t, live)
	if c.Sandboxed() {
		t.Fatal("live client reports the sandbox")
	}
	if tr := util.DefaultHTTPClient.Transport; tr != http.DefaultTransport {
		t.Fatalf("live mode SDK transport is %T, want http.DefaultTransport", tr)
	}
	if util.DefaultHTTPClient == http.DefaultClient {
		t.Fatal("http.DefaultClient must not be handed to the SDK (it would be shared and unbounded)")
	}
	auth, err := c.OAuthURL(e.cfg.BaseURL+"/h5/oauth", "s")
	if err != nil || !strings.HasPrefix(auth, "https://open.weixin.qq.com/connect/oauth2/authorize?") {
		t.Fatalf("live OAuth URL %q, %v", auth, err)
	}
	// Back to sandbox mode for the rest of the process.
	e.newClient(t, e.cfg)
}

func TestConfigValidate(t *testing.T) {
	good := wechat.Config{Mode: wechat.ModeSandbox, AppID: "wx1", Secret: "s", Token: "t",
		BaseURL: "https://zp.example.cn", SandboxURL: "https://zp.example.cn/sandbox"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*wechat.Config){
		"mode":        func(c *wechat.Config) { c.Mode = "test" },
		"secret":      func(c *wechat.Config) { c.Secret = "" },
		"aes key":     func(c *wechat.Config) { c.AESKey = "short" },
		"base url":    func(c *wechat.Config) { c.BaseURL = "zp.example.cn" },
		"sandbox url": func(c *wechat.Config) { c.SandboxURL = "" },
		"mini":        func(c *wechat.Config) { c.MiniAppID = "wxmini" },
	} {
		c := good
		mutate(&c)
		if err := c.Validate(); recruit.ErrorCode(err) != recruit.EINVALID {
			t.Errorf("%s: got %v, want EINVALID", name, err)
		}
	}
}
