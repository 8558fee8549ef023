package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCopiedAnswer checks that /board answers what PUT /board gave it,
// every X-Board- header as a header of its own, and /body the same body
// with only its Content-Type and Content-Encoding.
func TestCopiedAnswer(t *testing.T) {
	app := newApp(0)
	put := httptest.NewRequest(http.MethodPut, "/board", strings.NewReader("gzipped bytes"))
	copied := map[string]string{
		"Content-Type":            "application/json; charset=utf-8",
		"Content-Encoding":        "gzip",
		"Etag":                    `W/"abc"`,
		"Vary":                    "Accept-Encoding",
		"X-Request-Id":            "0123456789abcdef0123456789abcdef",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
	}
	for k, v := range copied {
		put.Header.Set(headerPrefix+k, v)
	}
	put.Header.Set("X-Other", "not copied")
	if resp, err := app.Test(put); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT /board: %v %v", resp, err)
	}

	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := app.Test(httptest.NewRequest(http.MethodGet, path, nil))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
		}
		return resp, string(body)
	}
	resp, body := get("/board")
	if body != "gzipped bytes" {
		t.Errorf("/board body %q", body)
	}
	for k, v := range copied {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("/board %s = %q, want %q", k, got, v)
		}
	}
	if resp.Header.Get("X-Other") != "" {
		t.Errorf("/board answers a header not given as X-Board-: %v", resp.Header)
	}

	resp, body = get("/body")
	if body != "gzipped bytes" || resp.Header.Get("Content-Type") != copied["Content-Type"] || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("/body: %q %v", body, resp.Header)
	}
	for _, k := range []string{"Etag", "Vary", "X-Request-Id", "Content-Security-Policy"} {
		if resp.Header.Get(k) != "" {
			t.Errorf("/body answers %s", k)
		}
	}
}
