package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"zhupei/recruit"
)

// Every public JSON made from the snapshot carries a weak ETag and answers
// a matching If-None-Match with 304 and no body, whatever the encoding; a
// tag of other data gets the full answer.
func TestPublicJSONConditional(t *testing.T) {
	f := newFixture(t, true)
	paths := []string{
		"/api/v1/programs", fmt.Sprintf("/api/v1/programs?base=%d", f.baseA), "/api/v1/chart", "/api/v1/chart?by=base",
		"/api/v1/year", "/api/v1/bases", "/api/v1/specialties", fmt.Sprintf("/api/v1/results/%d", f.baseB),
	}
	for _, path := range paths {
		resp, body := f.do(t, http.MethodGet, path)
		tag := resp.Header.Get("ETag")
		if resp.StatusCode != http.StatusOK || body == "" || !strings.HasPrefix(tag, `W/"`) || !strings.HasSuffix(tag, `"`) {
			t.Errorf("%s: %d, ETag %q; want 200 with a weak ETag", path, resp.StatusCode, tag)
			continue
		}
		strong := strings.TrimPrefix(tag, "W/")
		for _, inm := range []string{tag, strong, `"other", ` + tag, "*"} {
			for _, enc := range []string{"", "gzip"} {
				resp, body := f.do(t, http.MethodGet, path, "If-None-Match", inm, "Accept-Encoding", enc)
				if resp.StatusCode != http.StatusNotModified || body != "" || resp.Header.Get("ETag") != tag {
					t.Errorf("%s with If-None-Match %s (%q): %d, %d bytes, ETag %q; want 304, empty, %s",
						path, inm, enc, resp.StatusCode, len(body), resp.Header.Get("ETag"), tag)
				}
			}
		}
		if resp, again := f.do(t, http.MethodGet, path, "If-None-Match", `W/"other"`); resp.StatusCode != http.StatusOK || again != body {
			t.Errorf("%s with another tag: %d, want 200 with the same body", path, resp.StatusCode)
		}
	}
	resp, _ := f.do(t, http.MethodGet, "/api/v1/programs", "If-None-Match", "*", "Accept-Encoding", "gzip")
	if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("304 of /api/v1/programs: Vary %q, Cache-Control %q", resp.Header.Get("Vary"), resp.Header.Get("Cache-Control"))
	}
	if resp, _ := f.do(t, http.MethodGet, "/api/v1/programs?base=x", "If-None-Match", "*"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad filter with If-None-Match: %d, want 400", resp.StatusCode)
	}
}

// The tag is of the data, not of the load: another instance on the same
// store (a new application, its own snapshot loaded later) gives the same
// tag until a count changes, and a new registration changes it.
func TestETagFollowsTheData(t *testing.T) {
	f := newFixture(t, true)
	instanceOf := func(path string, at time.Time) string {
		t.Helper()
		f.app = New(Config{Store: f.store, Registry: f.reg, Logger: slog.New(slog.NewTextHandler(f.logs, nil)),
			Now: func() time.Time { return at }})
		resp, _ := f.do(t, http.MethodGet, path)
		return resp.Header.Get("ETag")
	}
	instance := func(at time.Time) string { return instanceOf("/api/v1/programs", at) }
	first := instance(testNow)
	if second := instance(testNow.Add(time.Minute)); second != first || first == "" {
		t.Fatalf("two loads of the same data: ETags %q and %q, want one", first, second)
	}
	// The year's answer names the phase, which moves with the clock alone.
	round1 := recruit.DefaultCalendar(testYear).Round1.Add(time.Hour)
	if a, b := instanceOf("/api/v1/year", testNow), instanceOf("/api/v1/year", round1); a == b {
		t.Errorf("/api/v1/year has the ETag %q in registration and in round1", a)
	}
	ctx := context.Background()
	id, err := f.store.CreateIdentity(ctx, recruit.Identity{OpenID: "openid-etag", Name: "测试", IDType: recruit.IDTypePassport, IDNumber: "E77777777", BoundAt: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.SubmitChoice(ctx, id.ID, testYear, 0, recruit.Choice{ProgramID: f.progA2}, testNow, nil); err != nil {
		t.Fatal(err)
	}
	if after := instance(testNow.Add(2 * time.Minute)); after == first {
		t.Errorf("a registration left the ETag %q", after)
	}
}

func TestETagMatches(t *testing.T) {
	for _, c := range []struct {
		header string
		want   bool
	}{
		{`W/"abc"`, true}, {`"abc"`, true}, {`"x", W/"abc"`, true}, {` W/"abc" `, true}, {"*", true},
		{`"x",,W/"abc",`, true}, {"", false}, {",", false}, {`W/"abcd"`, false}, {`"ab"`, false}, {`abc`, false},
	} {
		if got := etagMatches(c.header, `W/"abc"`); got != c.want {
			t.Errorf("etagMatches(%q) = %v, want %v", c.header, got, c.want)
		}
	}
}
