package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestCopyToBaseline checks that the baseline is given the board's body
// and every header of its answer but those a server writes itself.
func TestCopyToBaseline(t *testing.T) {
	var got http.Header
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header
		body, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	a := boardAnswer{body: []byte("gz"), header: http.Header{
		"Content-Type": {"application/json; charset=utf-8"}, "Content-Encoding": {"gzip"},
		"Etag": {`W/"x"`}, "X-Request-Id": {"0123"}, "Cache-Control": {"no-store"},
		"Date": {"Wed, 02 Dec 2026 13:35:24 GMT"}, "Content-Length": {"2"},
	}}
	if err := copyToBaseline(srv.Client(), srv.URL, a); err != nil {
		t.Fatal(err)
	}
	if string(body) != "gz" {
		t.Errorf("body %q", body)
	}
	for _, k := range []string{"Content-Type", "Content-Encoding", "Etag", "X-Request-Id", "Cache-Control"} {
		if got.Get(baselineHeader+k) != a.header.Get(k) {
			t.Errorf("%s: %q, want %q", k, got.Get(baselineHeader+k), a.header.Get(k))
		}
	}
	for _, k := range written {
		if v := got.Get(baselineHeader + k); v != "" {
			t.Errorf("%s given: %q", k, v)
		}
	}
}
