package handlers

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// Every route of the app, with a signed-in applicant's cookie and without,
// answers with Cache-Control: no-store, whatever its status; only the
// static files are cacheable.
func TestNoStoreOnEveryRoute(t *testing.T) {
	f := newFixture(t, true)
	m := f.newMember(t, 41)
	f.completeProfile(t, m.id)
	param := regexp.MustCompile(`:[A-Za-z]+\??|\*`)
	seen := 0
	for _, r := range f.app.GetRoutes(true) {
		if strings.HasPrefix(r.Path, "/static") {
			continue
		}
		target := param.ReplaceAllString(r.Path, "1")
		for _, cookie := range []string{"", sessionCookie + "=" + m.cookie} {
			req := httptest.NewRequest(r.Method, target, nil)
			if cookie != "" {
				req.Header.Set("Cookie", cookie)
				req.Header.Set(csrfHeader, m.token)
			}
			resp, err := f.app.Test(req, -1)
			if err != nil {
				t.Fatalf("%s %s: %v", r.Method, target, err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Cache-Control"); !strings.Contains(got, "no-store") {
				t.Errorf("%s %s (signed in: %v) → %d with Cache-Control %q, want no-store", r.Method, target, cookie != "", resp.StatusCode, got)
			}
			seen++
		}
	}
	if seen < 40 {
		t.Fatalf("swept %d requests: the route list is not what was expected", seen)
	}
	resp, _ := f.do(t, http.MethodGet, "/static/site.css")
	if got := resp.Header.Get("Cache-Control"); resp.StatusCode != http.StatusOK || strings.Contains(got, "no-store") {
		t.Errorf("static file: %d, Cache-Control %q; want 200, cacheable", resp.StatusCode, got)
	}
}

// With a metrics token /metrics answers only a request bearing it.
func TestMetricsNeedToken(t *testing.T) {
	f := newFixture(t, false)
	f.app = New(Config{Store: f.store, Registry: f.reg, Logger: slog.New(slog.NewTextHandler(f.logs, nil)), MetricsToken: "metrics-token-1"})
	for _, auth := range []string{"", "Bearer wrong", "metrics-token-1", "Basic bWV0cmljcy10b2tlbi0x"} {
		resp, body := f.do(t, http.MethodGet, "/metrics", "Authorization", auth)
		if resp.StatusCode != http.StatusUnauthorized || strings.Contains(body, "zhupei_http_requests_total") {
			t.Errorf("/metrics with Authorization %q: %d, want 401 without metrics", auth, resp.StatusCode)
		}
	}
	resp, body := f.do(t, http.MethodGet, "/metrics", "Authorization", "Bearer metrics-token-1")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "zhupei_http_requests_total") {
		t.Errorf("/metrics with the token: %d", resp.StatusCode)
	}
}
