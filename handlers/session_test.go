package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhupei/recruit"
	"zhupei/wechat"
)

// login stores a session the way startSession does and returns its cookie
// value and CSRF token.
func (f *fixture) login(t testing.TB, openID string, identityID int64) (cookie, token string) {
	t.Helper()
	sess := session{ID: randomToken(32), OpenID: openID, IdentityID: identityID, CSRF: randomToken(16), Via: "qr", CreatedAt: testNow}
	raw, err := json.Marshal(sess)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetKV(context.Background(), sessionKey(sess.ID), string(raw), sessionTTL, testNow); err != nil {
		t.Fatal(err)
	}
	return sess.ID, sess.CSRF
}

// post sends a form POST with an optional session cookie.
func (f *fixture) post(t testing.TB, target string, form url.Values, cookie string, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := f.app.Test(req, -1)
	if err != nil {
		t.Fatalf("POST %s: %v", target, err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

func TestLogoutNeedsCSRFToken(t *testing.T) {
	f := newFixture(t, true)
	cookie, token := f.login(t, "openid-x", 0)

	resp, body := f.post(t, "/logout", nil, cookie)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "页面已过期") {
		t.Fatalf("logout without token: %d %s", resp.StatusCode, body)
	}
	resp, _ = f.post(t, "/logout", url.Values{csrfField: {"wrong" + token}}, cookie)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout with a wrong token: %d", resp.StatusCode)
	}
	if _, err := f.store.GetKV(context.Background(), sessionKey(cookie), testNow); err != nil {
		t.Fatalf("a refused logout ended the session: %v", err)
	}

	resp, _ = f.post(t, "/logout", url.Values{csrfField: {token}}, cookie)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := f.store.GetKV(context.Background(), sessionKey(cookie), testNow); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Fatalf("session still there after logout: %v", err)
	}
	// The header works as well as the form field.
	cookie, token = f.login(t, "openid-y", 0)
	if resp, _ := f.post(t, "/logout", nil, cookie, csrfHeader, token); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout with the header token: %d", resp.StatusCode)
	}
}

func TestStaleSessionCookieIsRefusedForPosts(t *testing.T) {
	f := newFixture(t, true)
	resp, body := f.post(t, "/logout", nil, strings.Repeat("a", 64))
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "请先登录") {
		t.Fatalf("POST with an unknown session: %d %s", resp.StatusCode, body)
	}
}

func TestSessionExpires(t *testing.T) {
	f := newFixture(t, true)
	sess := session{ID: randomToken(32), OpenID: "openid-z", CSRF: randomToken(16), CreatedAt: testNow.Add(-13 * time.Hour)}
	raw, _ := json.Marshal(sess)
	if err := f.store.SetKV(context.Background(), sessionKey(sess.ID), string(raw), sessionTTL, sess.CreatedAt); err != nil {
		t.Fatal(err)
	}
	resp, body := f.post(t, "/logout", url.Values{csrfField: {sess.CSRF}}, sess.ID)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "请先登录") {
		t.Fatalf("POST with an expired session: %d %s", resp.StatusCode, body)
	}
}

func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/apply", "/apply"},
		{"/result?x=1", "/result?x=1"},
		{"", "/fallback"},
		{"https://evil.example/", "/fallback"},
		{"//evil.example/x", "/fallback"},
		{"/\\evil.example", "/fallback"},
		{"javascript:alert(1)", "/fallback"},
		{"/a\r\nSet-Cookie: x", "/fallback"},
	} {
		if got := safeNext(tc.in, "/fallback"); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUnbindingEndsTheIdentityOfEverySession(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	id, err := f.store.CreateIdentity(ctx, recruit.Identity{OpenID: "openid-pc", Name: "王五", IDType: recruit.IDTypePassport, IDNumber: "E12345678", BoundAt: testNow})
	if err != nil {
		t.Fatal(err)
	}
	pc, _ := f.login(t, "openid-pc", id.ID)
	get := func() *http.Response {
		req := httptest.NewRequest(http.MethodGet, "/apply/basic", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: pc})
		resp, err := f.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get(); resp.StatusCode != http.StatusOK {
		t.Fatalf("bound session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The phone unbinds; the PC session still names the identity.
	if err := f.store.UnbindIdentity(ctx, id.ID); err != nil {
		t.Fatal(err)
	}
	resp := get()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/bind?next=") {
		t.Fatalf("after unbinding elsewhere: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestSessionIDStoredByHash logs in through the WeChat sandbox and reads
// every key-value record: the cookie's session id is in none of them, its
// hash is the key of one.
func TestSessionIDStoredByHash(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	b := f.browser()
	b.oauthLogin(t, f.user(t, "甲"), "/bind")
	id := b.cookies[sessionCookie]
	if len(id) != 64 {
		t.Fatalf("session cookie %q", id)
	}
	hashed := 0
	err := f.store.ScanKV(context.Background(), "", testNow, func(key, value string, _ time.Time) error {
		if strings.Contains(key, id) || strings.Contains(value, id) {
			t.Errorf("record %q holds the raw session id", key)
		}
		if key == sessionPrefix+recruit.HashSecret(id) {
			hashed++
		}
		return nil
	})
	if err != nil || hashed != 1 {
		t.Fatalf("ScanKV: %v; %d records under the id's hash, want 1", err, hashed)
	}
}
