package handlers

import (
	"encoding/json"
	"net/http"
	"testing"
)

// The polled JSON, served ahead of the middleware chain, still gets what
// every answer gets: the request id (kept when well-formed), the security
// and caching headers, its metrics under its own route, and errors as the
// one error handler writes them; a session cookie changes nothing.
func TestPollRouteKeepsTheCommonHeaders(t *testing.T) {
	f := newFixture(t, true)
	resp, _ := f.do(t, http.MethodGet, pollRoute, "X-Request-ID", "poll-1", "Cookie", sessionCookie+"=not-a-session")
	for h, want := range map[string]string{
		"X-Request-Id": "poll-1", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
		"Cache-Control": "no-store", "Content-Type": "application/json; charset=utf-8",
	} {
		if got := resp.Header.Get(h); resp.StatusCode != http.StatusOK || got != want {
			t.Errorf("%s: %d, %s %q, want %q", pollRoute, resp.StatusCode, h, got, want)
		}
	}
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Error("no Content-Security-Policy on the polled JSON")
	}
	f.do(t, http.MethodGet, pollRoute, "If-None-Match", resp.Header.Get("ETag"))
	resp, body := f.do(t, http.MethodGet, pollRoute+"?base=0", "X-Request-ID", "poll-bad")
	var e apiError
	if err := json.Unmarshal([]byte(body), &e); err != nil || resp.StatusCode != http.StatusBadRequest || e.Error.Code != "invalid" ||
		e.Error.RequestID != "poll-bad" || e.Error.Fields["base"] != "培训基地参数无效" {
		t.Errorf("bad filter: %d %s (%v)", resp.StatusCode, body, err)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("the error answer lacks the common headers: %v", resp.Header)
	}
	_, metrics := f.do(t, http.MethodGet, "/metrics")
	wantContains(t, "metrics", metrics,
		`zhupei_http_requests_total{method="GET",route="/api/v1/programs",status="200"} 1`,
		`zhupei_http_requests_total{method="GET",route="/api/v1/programs",status="304"} 1`,
		`zhupei_http_requests_total{method="GET",route="/api/v1/programs",status="400"} 1`)
}
