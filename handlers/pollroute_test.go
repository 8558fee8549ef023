package handlers

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"
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

// serveInProcess runs h on a GET of target with the given headers (name,
// value pairs) and returns the status: one request as the server handles
// it, without the network.
func serveInProcess(h fasthttp.RequestHandler, ctx *fasthttp.RequestCtx, target string, header ...string) int {
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.Request.Header.SetMethod(fiber.MethodGet)
	ctx.Request.SetRequestURI(target)
	for i := 0; i+1 < len(header); i += 2 {
		ctx.Request.Header.Set(header[i], header[i+1])
	}
	h(ctx)
	return ctx.Response.StatusCode()
}

// BenchmarkPollRoute measures, without the network, what the server does
// for a 304 of the polled JSON beyond what bench/baseline's trivial handler
// does: "trivial" is that handler (a bare Fiber app answering a constant);
// "route" the whole route of New's app with the access log off (the level
// of make surge) and "route+accesslog" with it on (the default level,
// formatted but written to nowhere); the others are each of the route's
// middleware alone in front of the trivial handler.
func BenchmarkPollRoute(b *testing.B) {
	f := newFixture(b, true)
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
	verbose := slog.New(slog.NewTextHandler(io.Discard, nil))
	route := func(log *slog.Logger) *fiber.App {
		return New(Config{Store: f.store, Now: func() time.Time { return testNow }, Logger: log, Registry: prometheus.NewRegistry()})
	}
	_, tag := firstAnswer(b, route(quiet))
	constant := func(c *fiber.Ctx) error { return c.SendString("ok") }
	alone := func(m fiber.Handler) *fiber.App {
		app := fiber.New()
		app.Get(pollRoute, m, constant)
		return app
	}
	s := &server{log: quiet}
	trivial := fiber.New()
	trivial.Get(pollRoute, constant)
	for _, c := range []struct {
		name string
		app  *fiber.App
		want int
	}{
		{"trivial", trivial, http.StatusOK},
		{"route", route(quiet), http.StatusNotModified},
		{"route+accesslog", route(verbose), http.StatusNotModified},
		{"requestID", alone(requestID), http.StatusOK},
		{"securityHeaders", alone(securityHeaders("")), http.StatusOK},
		{"noStore", alone(noStore), http.StatusOK},
		{"observe", alone(s.observe(newHTTPMetrics(prometheus.NewRegistry()), pollRoute)), http.StatusOK},
		{"recoverPanic", alone(s.recoverPanic), http.StatusOK},
	} {
		b.Run(c.name, func(b *testing.B) {
			h := c.app.Handler()
			var ctx fasthttp.RequestCtx
			for b.Loop() {
				if got := serveInProcess(h, &ctx, pollRoute, "Accept-Encoding", "gzip", "If-None-Match", tag); got != c.want {
					b.Fatalf("status %d, want %d", got, c.want)
				}
			}
		})
	}
}

// firstAnswer reads the polled JSON from app in process and returns its
// status and ETag.
func firstAnswer(t testing.TB, app *fiber.App) (int, string) {
	t.Helper()
	var ctx fasthttp.RequestCtx
	status := serveInProcess(app.Handler(), &ctx, pollRoute, "Accept-Encoding", "gzip")
	tag := string(ctx.Response.Header.Peek(fiber.HeaderETag))
	if status != http.StatusOK || tag == "" {
		t.Fatalf("%s: %d, ETag %q", pollRoute, status, tag)
	}
	return status, tag
}
