package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

func TestHealthAndReadiness(t *testing.T) {
	f := newFixture(t, false)
	if body := f.get(t, "/healthz", http.StatusOK); body != "ok" {
		t.Errorf("healthz body %q", body)
	}
	if body := f.get(t, "/readyz", http.StatusOK); body != "ok" {
		t.Errorf("readyz body %q", body)
	}
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	wantContains(t, "readyz closed", f.get(t, "/readyz", http.StatusServiceUnavailable), "服务未就绪")
	if body := f.get(t, "/healthz", http.StatusOK); body != "ok" {
		t.Errorf("healthz after close %q", body)
	}
}

func TestMetricsByRoutePattern(t *testing.T) {
	f := newFixture(t, true)
	f.get(t, "/board?specialty=0100", http.StatusOK)
	f.get(t, "/results/1", http.StatusOK)
	f.get(t, "/results/2", http.StatusOK)
	f.get(t, "/board?base=abc", http.StatusBadRequest)
	f.get(t, "/secret/path/370102199001011234", http.StatusNotFound)
	body := f.get(t, "/metrics", http.StatusOK)
	wantContains(t, "metrics", body,
		`zhupei_http_requests_total{method="GET",route="/board",status="200"} 1`,
		`zhupei_http_requests_total{method="GET",route="/board",status="400"} 1`,
		`zhupei_http_requests_total{method="GET",route="/results/:baseID",status="200"} 2`,
		`zhupei_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`zhupei_http_request_duration_seconds_count{method="GET",route="/results/:baseID"} 2`,
	)
	wantMissing(t, "metrics", body, "370102199001011234", "specialty=0100")
}

func TestRequestID(t *testing.T) {
	f := newFixture(t, false)
	resp, _ := f.do(t, http.MethodGet, "/healthz", headerRequestID, "client-id.42")
	if got := resp.Header.Get(headerRequestID); got != "client-id.42" {
		t.Errorf("echoed id %q", got)
	}
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, sent := range []string{"", "has space", strings.Repeat("x", 65), "bad\"quote"} {
		resp, _ := f.do(t, http.MethodGet, "/healthz", headerRequestID, sent)
		if got := resp.Header.Get(headerRequestID); !hex32.MatchString(got) {
			t.Errorf("sent %q: got id %q, want a generated one", sent, got)
		}
	}
}

// Generated request ids are unique, also when made concurrently, and two
// processes (sources) start from different random prefixes.
func TestGeneratedRequestIDsAreUnique(t *testing.T) {
	const workers, each = 4, 2000
	ids := make(chan string, workers*each)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				ids <- requestIDs.next()
			}
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		if len(id) != 32 || !validRequestID(id) || seen[id] {
			t.Fatalf("id %q: malformed or repeated", id)
		}
		seen[id] = true
	}
	if a, b := newIDSource().next(), newIDSource().next(); a[:16] == b[:16] {
		t.Errorf("two sources share the prefix of %q and %q", a, b)
	}
}

func TestAccessLogHasNoQueryOrPath(t *testing.T) {
	f := newFixture(t, true)
	f.do(t, http.MethodGet, "/board?specialty=0100", headerRequestID, "log-test-1")
	f.do(t, http.MethodGet, "/results/370102199001011234", headerRequestID, "log-test-2")
	logs := f.logs.String()
	wantContains(t, "access log", logs,
		"method=GET route=/board status=200", "request_id=log-test-1",
		"route=/results/:baseID status=404", "request_id=log-test-2")
	wantMissing(t, "access log", logs, "specialty=0100", "370102199001011234", "level=ERROR")
}

func TestPanicBecomes500WithRequestID(t *testing.T) {
	f := newFixture(t, false)
	boom := func(*fiber.Ctx) error { panic("kaboom") }
	f.app.Get("/boom", boom)
	f.app.Get("/api/v1/boom", boom)

	resp, body := f.do(t, http.MethodGet, "/boom", headerRequestID, "panic-page")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d", resp.StatusCode)
	}
	wantContains(t, "500 page", body, "系统繁忙", "系统内部错误，请稍后重试", "panic-page")
	wantMissing(t, "500 page", body, "kaboom")

	var e apiError
	resp, body = f.do(t, http.MethodGet, "/api/v1/boom", headerRequestID, "panic-api")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("api status %d", resp.StatusCode)
	}
	decode(t, body, &e)
	if e.Error.Code != "internal" || e.Error.RequestID != "panic-api" || strings.Contains(body, "kaboom") {
		t.Errorf("api 500 = %s", body)
	}
	wantContains(t, "log", f.logs.String(), "level=ERROR", "request_id=panic-page", "request_id=panic-api", "kaboom")

	// The server keeps serving after a panic.
	f.get(t, "/healthz", http.StatusOK)
}

// A request failing while the store does not answer is refused as the
// outage it is, page and API alike, and logged with its request id.
func TestStoreFailureIsUnavailable(t *testing.T) {
	f := newFixture(t, true)
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/board", "/api/v1/bases"} {
		resp, body := f.do(t, http.MethodGet, path, headerRequestID, "store-down")
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != retryAfter {
			t.Fatalf("%s: status %d, Retry-After %q", path, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		wantContains(t, path, body, "数据库暂时无法访问，请稍后重试", "store-down")
	}
	wantContains(t, "log", f.logs.String(), "msg=\"internal error\"", "request_id=store-down")
}

// A store call that runs out of time (here a deadline already past, as
// when the writer's queue outlasts the request's deadline under overload)
// is a 503 with Retry-After saying the system is busy, read or write, not a
// 500.
func TestDeadlineIsBusy(t *testing.T) {
	f := newFixture(t, true)
	late := func(c *fiber.Ctx) context.Context {
		ctx, cancel := context.WithDeadline(c.UserContext(), time.Now().Add(-time.Second))
		cancel() // ctx.Err() stays DeadlineExceeded, as it expired first
		return ctx
	}
	f.app.Get("/api/v1/late-read", func(c *fiber.Ctx) error {
		_, err := f.store.GetIdentity(late(c), 1)
		return err
	})
	f.app.Get("/api/v1/late-write", func(c *fiber.Ctx) error {
		return f.store.SetKV(late(c), "late", "v", time.Minute, time.Now())
	})
	for _, path := range []string{"/api/v1/late-read", "/api/v1/late-write"} {
		resp, body := f.do(t, http.MethodGet, path, headerRequestID, "late")
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != retryAfter {
			t.Fatalf("%s: status %d, Retry-After %q: %s", path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
		wantContains(t, path, body, `"code":"unavailable"`, "系统繁忙，请稍后重试", "late")
	}
}

func TestRequestContextHasIDAndDeadline(t *testing.T) {
	app := fiber.New()
	app.Use(requestID, deadline)
	var (
		gotID       string
		hasDeadline bool
		ctx         context.Context
	)
	app.Get("/", func(c *fiber.Ctx) error {
		ctx = c.UserContext()
		gotID = recruit.RequestID(ctx)
		dl, ok := ctx.Deadline()
		hasDeadline = ok && time.Until(dl) > 0 && time.Until(dl) <= requestTimeout
		return nil
	})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set(headerRequestID, "ctx-test")
	if _, err := app.Test(req); err != nil {
		t.Fatal(err)
	}
	if gotID != "ctx-test" || !hasDeadline {
		t.Fatalf("request context: id %q, deadline %v", gotID, hasDeadline)
	}
	if ctx.Err() == nil {
		t.Fatal("the request context must be cancelled when the request ends")
	}
}

// /metrics shows the outbox by kind and state and the sender's lag, read
// from the store at the scrape.
func TestOutboxMetrics(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	id, err := f.store.CreateIdentity(ctx, recruit.Identity{OpenID: "o-metrics", Name: "张三", IDType: recruit.IDTypePassport, IDNumber: "E1234567"})
	if err != nil {
		t.Fatal(err)
	}
	for i, at := range []time.Time{testNow.Add(-90 * time.Second), testNow.Add(-30 * time.Second), testNow.Add(time.Hour)} {
		n := recruit.Notification{IdentityID: id.ID, Kind: recruit.KindRoundOpened, Key: fmt.Sprint("m-", i), Title: "t", NextAt: at, CreatedAt: at}
		if _, err := f.store.AddNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	wantContains(t, "metrics", f.get(t, "/metrics", http.StatusOK),
		`zhupei_notifications{kind="round_opened",state="queued"} 3`,
		"zhupei_notify_lag_seconds 90",
		"zhupei_notify_stats_errors 0",
	)
}
