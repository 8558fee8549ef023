package sandbox_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/store/sqlite"
	"zhupei/store/storetest"
	"zhupei/wechat"
	"zhupei/wechat/sandbox"
)

const (
	appID  = "wxsandboxtest01"
	secret = "secret-0123456789"
	miniID = "wxminitest0001"
	miniSc = "mini-secret-0123"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	app   *fiber.App
	sb    *sandbox.Sandbox
	clock *clock
}

func cfg() wechat.Config {
	return wechat.Config{Mode: wechat.ModeSandbox, AppID: appID, Secret: secret, Token: "tok",
		BaseURL: "http://zp.test", SandboxURL: "http://zp.test/sandbox", MiniAppID: miniID, MiniSecret: miniSc}
}

func newFixture(t *testing.T, c wechat.Config) fixture {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sb.db"), storetest.Sealer())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := fixture{app: fiber.New(), clock: &clock{t: time.Unix(1751680000, 0)}}
	f.sb, err = sandbox.Mount(f.app, c, db, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// call makes a request and decodes a JSON answer (nil for other bodies).
func (f fixture) call(t *testing.T, method, target, body string) (int, map[string]any, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := f.app.Test(req, 10000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m, string(raw)
}

func errcode(m map[string]any) int {
	n, _ := m["errcode"].(float64)
	return int(n)
}

func (f fixture) token(t *testing.T) string {
	t.Helper()
	_, m, raw := f.call(t, "GET", "/sandbox/cgi-bin/token?grant_type=client_credential&appid="+appID+"&secret="+secret, "")
	tok, _ := m["access_token"].(string)
	if tok == "" || m["expires_in"] != 7200.0 {
		t.Fatalf("token answer %s", raw)
	}
	if _, has := m["errmsg"]; has {
		t.Fatalf("successful token answer carries errmsg: %s", raw)
	}
	return tok
}

func TestLiveModeRegistersNothing(t *testing.T) {
	live := cfg()
	live.Mode = wechat.ModeLive
	f := newFixture(t, live)
	if f.sb != nil || len(f.app.GetRoutes()) != 0 {
		t.Fatalf("live mode registered %d routes", len(f.app.GetRoutes()))
	}
	if status, _, _ := f.call(t, "GET", "/sandbox/cgi-bin/token?grant_type=client_credential&appid="+appID+"&secret="+secret, ""); status != http.StatusNotFound {
		t.Fatalf("live mode token endpoint: %d, want 404", status)
	}
	sb := newFixture(t, cfg())
	if sb.sb == nil || len(sb.app.GetRoutes()) == 0 {
		t.Fatal("sandbox mode registered nothing")
	}
}

func TestTokenCredentials(t *testing.T) {
	f := newFixture(t, cfg())
	for q, want := range map[string]int{
		"grant_type=client_credential&appid=wxother&secret=" + secret:  40013,
		"grant_type=client_credential&appid=" + appID + "&secret=bad":  40125,
		"grant_type=password&appid=" + appID + "&secret=" + secret:     40002,
		"grant_type=client_credential&appid=" + miniID + "&secret=bad": 40125,
	} {
		if _, m, raw := f.call(t, "GET", "/sandbox/cgi-bin/token?"+q, ""); errcode(m) != want || m["errmsg"] == "" {
			t.Errorf("%s: %s, want errcode %d", q, raw, want)
		}
	}
	if _, m, raw := f.call(t, "GET", "/sandbox/cgi-bin/token?grant_type=client_credential&appid="+miniID+"&secret="+miniSc, ""); m["access_token"] == nil {
		t.Errorf("mini-program token: %s", raw)
	}
}

func TestStableToken(t *testing.T) {
	f := newFixture(t, cfg())
	body := `{"grant_type":"client_credential","appid":"` + appID + `","secret":"` + secret + `"}`
	_, a, _ := f.call(t, "POST", "/sandbox/cgi-bin/stable_token", body)
	_, b, _ := f.call(t, "POST", "/sandbox/cgi-bin/stable_token", body)
	_, c, _ := f.call(t, "POST", "/sandbox/cgi-bin/stable_token", strings.Replace(body, "}", `,"force_refresh":true}`, 1))
	if a["access_token"] == nil || a["access_token"] != b["access_token"] || c["access_token"] == a["access_token"] {
		t.Fatalf("stable tokens %v %v %v: want same, same, new", a, b, c)
	}
}

func TestAccessTokenChecks(t *testing.T) {
	f := newFixture(t, cfg())
	qr := `{"expire_seconds":300,"action_name":"QR_SCENE","action_info":{"scene":{"scene_id":123}}}`
	if _, m, _ := f.call(t, "POST", "/sandbox/cgi-bin/qrcode/create", qr); errcode(m) != 41001 {
		t.Fatalf("no token: %v", m)
	}
	if _, m, _ := f.call(t, "POST", "/sandbox/cgi-bin/qrcode/create?access_token=forged", qr); errcode(m) != 40001 {
		t.Fatalf("forged token: %v", m)
	}
	tok := f.token(t)
	_, m, raw := f.call(t, "POST", "/sandbox/cgi-bin/qrcode/create?access_token="+tok, qr)
	if m["ticket"] == nil || m["expire_seconds"] != 300.0 || !strings.HasPrefix(m["url"].(string), "http://zp.test/sandbox/phone?ticket=") {
		t.Fatalf("QR_SCENE: %s", raw)
	}
	if _, has := m["errcode"]; has {
		t.Fatalf("successful qrcode answer carries errcode (the SDK treats any errmsg as an error): %s", raw)
	}
	if _, m, _ := f.call(t, "POST", "/sandbox/cgi-bin/qrcode/create?access_token="+tok, `{"action_name":"QR_STR_SCENE","action_info":{"scene":{}}}`); errcode(m) != 40097 {
		t.Fatalf("empty scene: %v", m)
	}
	f.clock.add(7201 * time.Second)
	if _, m, _ := f.call(t, "POST", "/sandbox/cgi-bin/qrcode/create?access_token="+tok, qr); errcode(m) != 42001 {
		t.Fatalf("expired token: %v", m)
	}
	if status, _, _ := f.call(t, "GET", "/sandbox/cgi-bin/showqrcode?ticket=unknown", ""); status != http.StatusNotFound {
		t.Fatalf("unknown ticket image: %d", status)
	}
}

func TestFaults(t *testing.T) {
	f := newFixture(t, cfg())
	if status, m, _ := f.call(t, "POST", "/sandbox/faults", `{"endpoint":"/nope","code":45009,"count":1}`); status != 400 || !strings.Contains(m["error"].(string), "不支持的接口") {
		t.Fatalf("unknown endpoint accepted: %d %v", status, m)
	}
	if status, _, _ := f.call(t, "POST", "/sandbox/faults", `{"endpoint":"/cgi-bin/token","code":12345,"count":1}`); status != 400 {
		t.Fatalf("unknown code accepted: %d", status)
	}
	if status, _, raw := f.call(t, "POST", "/sandbox/faults", `{"endpoint":"/cgi-bin/token","code":45009,"count":2}`); status != 200 {
		t.Fatalf("fault refused: %s", raw)
	}
	_, armed, _ := f.call(t, "GET", "/sandbox/faults", "")
	if list, _ := armed["faults"].([]any); len(list) != 1 {
		t.Fatalf("armed faults %v", armed)
	}
	q := "/sandbox/cgi-bin/token?grant_type=client_credential&appid=" + appID + "&secret=" + secret
	for range 2 {
		if _, m, _ := f.call(t, "GET", q, ""); errcode(m) != 45009 || m["errmsg"] != "reach max api daily quota limit" {
			t.Fatalf("fault not applied: %v", m)
		}
	}
	f.token(t) // the third call is normal again
	if n := f.sb.Calls(sandbox.EndpointToken); n != 3 {
		t.Fatalf("calls %d, want 3", n)
	}
}

func TestMenuAndTemplateShapes(t *testing.T) {
	f := newFixture(t, cfg())
	tok := f.token(t)
	four := `{"button":[{"name":"a","type":"click","key":"a"},{"name":"b","type":"click","key":"b"},{"name":"c","type":"click","key":"c"},{"name":"d","type":"click","key":"d"}]}`
	if _, m, _ := f.call(t, "POST", "/sandbox/cgi-bin/menu/create?access_token="+tok, four); errcode(m) != 40016 {
		t.Fatalf("four top buttons: %v", m)
	}
	good := `{"button":[{"name":"住培山东","sub_button":[{"type":"view","name":"招录报名","url":"http://zp.test/h5"}]}]}`
	if _, m, _ := f.call(t, "POST", "/sandbox/cgi-bin/menu/create?access_token="+tok, good); errcode(m) != 0 || m["errmsg"] != "ok" {
		t.Fatalf("menu: %v", m)
	}
	if menu := f.sb.Menu(); len(menu) != 1 || menu[0].Sub[0].URL != "http://zp.test/h5" {
		t.Fatalf("menu recorded %+v", menu)
	}
	u, _ := f.sb.AddUser("测试", true)
	msg := `{"touser":"` + u.OpenID + `","template_id":"T1","data":{"thing1":{"value":"审核通过"}}}`
	_, m, raw := f.call(t, "POST", "/sandbox/cgi-bin/message/template/send?access_token="+tok, msg)
	if errcode(m) != 0 || m["errmsg"] != "ok" || m["msgid"] == nil {
		t.Fatalf("template send: %s", raw)
	}
	if _, m, _ := f.call(t, "POST", "/sandbox/cgi-bin/message/template/send?access_token="+tok, strings.Replace(msg, u.OpenID, "oNobody", 1)); errcode(m) != 40003 {
		t.Fatalf("unknown user: %v", m)
	}
}

func TestPagesAreChinese(t *testing.T) {
	f := newFixture(t, cfg())
	if _, err := f.sb.AddUser("钱十", true); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/sandbox/":         "测试用户",
		"/sandbox/messages": "消息记录",
		"/sandbox/menu":     "尚未发布菜单",
		"/sandbox/minicode": "小程序登录码",
		"/sandbox/connect/oauth2/authorize?appid=" + appID + "&redirect_uri=" + url.QueryEscape("http://zp.test/h5") +
			"&response_type=code&scope=snsapi_base&state=s": "钱十",
	} {
		status, _, body := f.call(t, "GET", path, "")
		if status != 200 || !strings.Contains(body, want) {
			t.Errorf("%s: %d, missing %q", path, status, want)
		}
	}
	// Redirects only to the service's own host.
	status, _, body := f.call(t, "GET", "/sandbox/connect/oauth2/authorize?appid="+appID+"&redirect_uri="+
		url.QueryEscape("http://evil.test/x")+"&response_type=code&scope=snsapi_base", "")
	if status != 400 || !strings.Contains(body, "redirect_uri") {
		t.Fatalf("foreign redirect_uri: %d %s", status, body)
	}
	if _, err := f.sb.AddUser("", true); err == nil {
		t.Fatal("empty nickname accepted")
	}
}

func TestUsersCreatedByPagesKeepTheirNicknames(t *testing.T) {
	f := newFixture(t, cfg()) // a plain fiber.New(), which reuses request buffers
	for _, name := range []string{"用户甲", "用户乙", "用户丙"} {
		req := httptest.NewRequest("POST", "/sandbox/minicode", strings.NewReader("nickname="+url.QueryEscape(name)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := f.app.Test(req, 10000)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("create %s: %d", name, resp.StatusCode)
		}
	}
	var got []string
	for _, u := range f.sb.Users() {
		got = append(got, u.Nickname)
	}
	if strings.Join(got, ",") != "用户甲,用户乙,用户丙" {
		t.Fatalf("nicknames = %v", got)
	}
}

// The message log as JSON, all or for one openid; mixed, random and report
// faults are validated and applied.
func TestMessagesJSONAndFaultMixes(t *testing.T) {
	f := newFixture(t, cfg())
	tok := f.token(t)
	a, _ := f.sb.AddUser("甲", true)
	b, _ := f.sb.AddUser("乙", true)
	send := func(to, id string) map[string]any {
		msg := `{"touser":"` + to + `","template_id":"T1","url":"http://zp.test/messages/` + id + `","client_msg_id":"` + id + `","data":{"thing1":{"value":"审核通过"}}}`
		_, m, _ := f.call(t, "POST", "/sandbox/cgi-bin/message/template/send?access_token="+tok, msg)
		return m
	}
	send(a.OpenID, "1")
	send(b.OpenID, "2")
	send(a.OpenID, "1") // repeated client_msg_id: not logged again, counted
	_, all, _ := f.call(t, "GET", "/sandbox/api/messages", "")
	_, one, _ := f.call(t, "GET", "/sandbox/api/messages?openid="+url.QueryEscape(b.OpenID), "")
	list, _ := all["messages"].([]any)
	mine, _ := one["messages"].([]any)
	if len(list) != 2 || len(mine) != 1 || f.sb.Duplicates() != 1 {
		t.Fatalf("messages %v, for b %v, duplicates %d", all, one, f.sb.Duplicates())
	}
	m := mine[0].(map[string]any)
	if m["openid"] != b.OpenID || m["template_id"] != "T1" || m["url"] != "http://zp.test/messages/2" || m["client_msg_id"] != "2" ||
		m["data"].(map[string]any)["thing1"] != "审核通过" || m["time"] == nil {
		t.Errorf("message %v", m)
	}

	for _, bad := range []string{
		`{"endpoint":"/cgi-bin/message/template/send","codes":[45009,12345],"count":1}`,
		`{"endpoint":"/cgi-bin/message/template/send","code":-1,"rate":1.5,"count":1}`,
		`{"endpoint":"TEMPLATESENDJOBFINISH","status":"lost","count":1}`,
	} {
		if status, _, raw := f.call(t, "POST", "/sandbox/faults", bad); status != 400 {
			t.Errorf("fault %s accepted: %s", bad, raw)
		}
	}
	// Half the calls fail, each with 43101 or 45009, until 20 have failed.
	if status, _, raw := f.call(t, "POST", "/sandbox/faults", `{"endpoint":"/cgi-bin/message/template/send","codes":[43101,45009],"rate":0.5,"count":20}`); status != 200 {
		t.Fatalf("fault refused: %s", raw)
	}
	codes := map[int]int{}
	for i := 0; codes[43101]+codes[45009] < 20 && i < 500; i++ {
		codes[errcode(send(a.OpenID, "x"+strconv.Itoa(i)))]++
	}
	if codes[43101] == 0 || codes[45009] == 0 || codes[0] < 5 || codes[43101]+codes[45009] != 20 {
		t.Errorf("answers by errcode %v, want both codes 20 times in all and successes between", codes)
	}
	if _, m, _ := f.call(t, "POST", "/sandbox/faults", `{"endpoint":"TEMPLATESENDJOBFINISH","status":"failed:user block","count":1}`); m["armed"] == nil {
		t.Fatalf("report fault refused: %v", m)
	}
	// Every call counted, the failed ones too: one token, 2 + 3 + i sends.
	_, m, _ = f.call(t, "GET", "/sandbox/api/calls", "")
	calls, _ := m["calls"].(map[string]any)
	if calls[sandbox.EndpointToken] != 1.0 || calls[sandbox.EndpointTemplate] != float64(f.sb.Calls(sandbox.EndpointTemplate)) || f.sb.Calls(sandbox.EndpointTemplate) < 23 {
		t.Errorf("calls %v, Calls(template) %d", m, f.sb.Calls(sandbox.EndpointTemplate))
	}
}
