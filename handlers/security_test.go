package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhupei/apply"
	"zhupei/internal/testid"
	"zhupei/recruit"
	"zhupei/wechat"
)

// Binding a number that another account holds answers one message without
// a date, which tells the real owner how to appeal; a wrong name gets the
// same answer, and the refused account stays free to bind.
func TestBindRegisteredNumberOneAnswer(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	number := testid.Resident("37010219900307123")
	owner, _, csrf := f.loggedIn(t, "甲")
	resp, body := owner.post(t, "/bind", bindValues(csrf, "丁一", number))
	want(t, "owner binds", resp, body, http.StatusSeeOther, "")

	other, u, csrf := f.loggedIn(t, "乙")
	for _, name := range []string{"丁一", "丁二"} {
		resp, body := other.post(t, "/bind", bindValues(csrf, name, number))
		want(t, "bind the owner's number as "+name, resp, body, http.StatusConflict, "")
		wantContains(t, "refusal", body, apply.MsgNumberTaken)
		wantMissing(t, "refusal", body, "下次可认证时间", "2025年")
	}
	if _, err := f.store.IdentityByOpenID(context.Background(), u.OpenID); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Fatalf("the refused account is bound: %v", err)
	}
	resp, body = other.post(t, "/bind", bindValues(csrf, "丁二", testid.Resident("37010219900307124")))
	want(t, "the refused account binds its own number", resp, body, http.StatusSeeOther, "")
}

// With no trusted proxies a client's X-Forwarded-Proto and X-Forwarded-Host
// are not believed: the session cookie is not marked Secure by a header,
// and the sandbox's host check is not fooled.
func TestForwardedHeadersFromAnUntrustedClient(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	req := httptest.NewRequest(http.MethodGet, f.base+"/wechat/oauth/start?next=/apply", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	req.Header.Set("X-Forwarded-Host", "evil.example")
	resp, _ := f.send(t, req)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("oauth start: %d", resp.StatusCode)
	}
	// app.Test's host is the fixture's, so a believed header would have
	// sent the browser to the configured base first.
	if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, f.base+"/wechat/oauth/start") || strings.Contains(loc, "evil.example") {
		t.Errorf("X-Forwarded-* believed from a client: location %q", loc)
	}
	for _, c := range resp.Cookies() {
		if c.Secure {
			t.Errorf("cookie %s marked Secure by a client's X-Forwarded-Proto", c.Name)
		}
	}
}

// The client behind trusted proxies is the right-most hop that is not a
// proxy: what a client writes to the left of its own address is ignored.
func TestClientIsRightMostUntrustedHop(t *testing.T) {
	p := newProxies("X-Forwarded-For", []string{"10.0.0.0/8", "192.0.2.1"})
	ip := netip.MustParseAddr
	for _, tc := range []struct {
		name string
		peer string
		hops []string
		want string
	}{
		{"direct client", "203.0.113.9", []string{"1.1.1.1"}, "203.0.113.9"},
		{"one proxy", "10.1.1.1", []string{"203.0.113.9"}, "203.0.113.9"},
		{"forged prefix", "10.1.1.1", []string{"6.6.6.6", " 203.0.113.9"}, "203.0.113.9"},
		{"two proxies", "192.0.2.1", []string{"6.6.6.6", "203.0.113.9", "10.2.2.2"}, "203.0.113.9"},
		{"with port", "10.1.1.1", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		{"garbage hop", "10.1.1.1", []string{"203.0.113.9", "not-an-ip", "10.2.2.2"}, "10.2.2.2"},
		{"only proxies", "10.1.1.1", []string{"10.3.3.3"}, "10.3.3.3"},
		{"no header", "10.1.1.1", nil, "10.1.1.1"},
		{"mapped peer", "::ffff:10.1.1.1", []string{"203.0.113.9"}, "203.0.113.9"},
	} {
		if got := p.client(ip(tc.peer), tc.hops); got != ip(tc.want) {
			t.Errorf("%s: client %s, want %s", tc.name, got, tc.want)
		}
	}
	if got := newProxies("", []string{"10.0.0.0/8"}).client(ip("10.1.1.1"), []string{"203.0.113.9"}); got != ip("10.1.1.1") {
		t.Errorf("without a proxy header the hops were read: %s", got)
	}
	if a, b := rateKey(ip("2001:db8:1:2:3::1")), rateKey(ip("2001:db8:1:2:ffff::9")); a != b || a != "2001:db8:1:2::/64" {
		t.Errorf("IPv6 rate keys %q and %q, want one /64", a, b)
	}
}

// Behind a trusted proxy a client cannot escape the login page's rate
// limit by writing addresses into X-Forwarded-For itself.
func TestLoginRateLimitIgnoresForgedHops(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil, func(c *Config) {
		c.ProxyHeader, c.TrustedProxies = "X-Forwarded-For", []string{"0.0.0.0"} // app.Test's peer
	})
	status := func(xff string) int {
		req := httptest.NewRequest(http.MethodGet, f.base+"/login?next=/apply", nil)
		req.Header.Set("X-Forwarded-For", xff)
		resp, _ := f.send(t, req)
		return resp.StatusCode
	}
	for i := range loginRateLimit {
		if code := status(netip.AddrFrom4([4]byte{6, 6, 6, byte(i)}).String() + ", 198.51.100.7"); code != http.StatusOK {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	if code := status("6.6.6.200, 198.51.100.7"); code != http.StatusTooManyRequests {
		t.Fatalf("a forged left-most hop escaped the limit: %d, want 429", code)
	}
	f.clock.Add(time.Minute + time.Second)
	if code := status("198.51.100.7"); code != http.StatusOK {
		t.Fatalf("a minute later: %d", code)
	}
}

func TestBrowserLabel(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0": "Edge / Windows",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15":        "Safari / macOS",
		"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0":                                                    "Firefox / Linux",
		"<script>alert(1)</script>": "未知 / 未知",
		"":                          "未知 / 未知",
	} {
		if got := browserLabel(ua); got != want {
			t.Errorf("browserLabel(%q) = %q, want %q", ua, got, want)
		}
	}
}

// GET /wechat/oauth/start writes nothing however often it is called, and a
// next page longer than maxNext is replaced by the default.
func TestOAuthStartWritesNothing(t *testing.T) {
	counter := &writeCounter{}
	f := newWeChatFixture(t, wechat.ModeSandbox, nil, func(c *Config) {
		counter.Store = c.Store
		c.Store = counter
	})
	for range 50 {
		resp, _ := f.send(t, httptest.NewRequest(http.MethodGet, f.base+"/wechat/oauth/start?next=/apply%3Fx%3D"+strings.Repeat("a", 4000), nil))
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("oauth start: %d", resp.StatusCode)
		}
		for _, c := range resp.Cookies() {
			if c.Name == oauthNext && c.Value != url.QueryEscape("/apply") {
				t.Fatalf("an over-long next was kept: %d bytes", len(c.Value))
			}
		}
	}
	if n := counter.n.Load(); n != 0 {
		t.Fatalf("50 anonymous OAuth starts wrote %d records", n)
	}
	// The login still works, writing once WeChat accepted the code.
	b := f.browser()
	if to := b.oauthLogin(t, f.user(t, "甲"), "/bind"); to != "/bind" {
		t.Fatalf("login went to %q", to)
	}
}
