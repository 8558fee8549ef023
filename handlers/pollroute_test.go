package handlers

import (
	"bytes"
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
	// The JSON's own set (apiHeaders), not the pages'.
	if csp, rp := resp.Header.Get("Content-Security-Policy"), resp.Header.Get("Referrer-Policy"); csp != "default-src 'none'; frame-ancestors 'none'" || rp != "" {
		t.Errorf("the polled JSON's Content-Security-Policy %q, Referrer-Policy %q", csp, rp)
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
	// A generated id: the same in the header and in the context (the
	// error body's).
	resp, body = f.do(t, http.MethodGet, pollRoute+"?base=0")
	if err := json.Unmarshal([]byte(body), &e); err != nil || len(e.Error.RequestID) != 32 || resp.Header.Get("X-Request-Id") != e.Error.RequestID {
		t.Errorf("generated id: header %q, body %s (%v)", resp.Header.Get("X-Request-Id"), body, err)
	}
	_, metrics := f.do(t, http.MethodGet, "/metrics")
	wantContains(t, "metrics", metrics,
		`zhupei_http_requests_total{method="GET",route="/api/v1/programs",status="200"} 1`,
		`zhupei_http_requests_total{method="GET",route="/api/v1/programs",status="304"} 1`,
		`zhupei_http_requests_total{method="GET",route="/api/v1/programs",status="400"} 2`)
}

// serveInProcess runs h on a GET of target with the given headers (name,
// value pairs) and returns the status: one request as the server handles
// it, without the network.
func serveInProcess(h fasthttp.RequestHandler, ctx *fasthttp.RequestCtx, target string, header ...string) int {
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.ResetUserValues() // as the server does: else each context holds the last
	ctx.Request.Header.SetMethod(fiber.MethodGet)
	ctx.Request.SetRequestURI(target)
	for i := 0; i+1 < len(header); i += 2 {
		ctx.Request.Header.Set(header[i], header[i+1])
	}
	h(ctx)
	return ctx.Response.StatusCode()
}

// BenchmarkPollRoute measures, without the network, what the server does
// for the polled JSON beyond what bench/baseline's handlers do: "trivial"
// is its trivial handler (a bare Fiber app answering a constant) and
// "same-bytes" its same-body handler (the board's gzipped answer with its
// Content-Type and Content-Encoding), "same-answer" its same-answer handler
// (the same body with all the route's headers); "route" is the whole route of New's
// app answering 304 with the access log off (the level of make surge),
// "route+accesslog" with it on (the default level, formatted but written
// to nowhere) and "route-200" its full gzipped answer; the others are each
// middleware whose work the route does (see polled) alone in front of the
// trivial handler.
func BenchmarkPollRoute(b *testing.B) {
	f := newFixture(b, true)
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
	verbose := slog.New(slog.NewTextHandler(io.Discard, nil))
	route := func(log *slog.Logger) *fiber.App {
		return New(Config{Store: f.store, Now: func() time.Time { return testNow }, Logger: log, Registry: prometheus.NewRegistry()})
	}
	first := firstAnswer(b, route(quiet))
	tag := string(first.Header.Peek(fiber.HeaderETag))
	constant := func(c *fiber.Ctx) error { return c.SendString("ok") }
	alone := func(m fiber.Handler) *fiber.App {
		app := fiber.New()
		app.Get(pollRoute, m, constant)
		return app
	}
	s := &server{log: quiet}
	trivial := fiber.New()
	trivial.Get(pollRoute, constant)
	same := fiber.New()
	gz, ctype := first.Body(), string(first.Header.ContentType())
	same.Get(pollRoute, func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, ctype)
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(gz)
	})
	// The same answer: the same body with every header of the route's
	// answer (as bench/baseline's /board copies them), set as the route
	// sets its own.
	var header headerSet
	first.Header.VisitAll(func(k, v []byte) {
		if string(k) != fiber.HeaderDate && string(k) != fiber.HeaderContentLength {
			header = append(header, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
		}
	})
	answer := fiber.New()
	answer.Get(pollRoute, func(c *fiber.Ctx) error {
		header.set(c)
		return c.Send(gz)
	})
	conditional := []string{"Accept-Encoding", "gzip", "If-None-Match", tag}
	for _, c := range []struct {
		name   string
		app    *fiber.App
		header []string
		want   int
	}{
		{"trivial", trivial, conditional, http.StatusOK},
		{"route", route(quiet), conditional, http.StatusNotModified},
		{"route+accesslog", route(verbose), conditional, http.StatusNotModified},
		{"same-bytes", same, conditional[:2], http.StatusOK},
		{"same-answer", answer, conditional[:2], http.StatusOK},
		{"route-200", route(quiet), conditional[:2], http.StatusOK},
		{"requestID", alone(requestID), conditional, http.StatusOK},
		{"securityHeaders", alone(securityHeaders("")), conditional, http.StatusOK},
		{"noStore", alone(noStore), conditional, http.StatusOK},
		{"observe", alone(s.observe(newHTTPMetrics(prometheus.NewRegistry()), pollRoute)), conditional, http.StatusOK},
		{"recoverPanic", alone(s.recoverPanic), conditional, http.StatusOK},
	} {
		b.Run(c.name, func(b *testing.B) {
			h := c.app.Handler()
			var ctx fasthttp.RequestCtx
			for b.Loop() {
				if got := serveInProcess(h, &ctx, pollRoute, c.header...); got != c.want {
					b.Fatalf("status %d, want %d", got, c.want)
				}
			}
		})
	}
}

// firstAnswer reads the polled JSON, gzipped, from app in process and
// returns its answer, which must be a 200 with an ETag.
func firstAnswer(t testing.TB, app *fiber.App) *fasthttp.Response {
	t.Helper()
	var ctx fasthttp.RequestCtx
	status := serveInProcess(app.Handler(), &ctx, pollRoute, "Accept-Encoding", "gzip")
	resp := new(fasthttp.Response)
	ctx.Response.CopyTo(resp)
	if status != http.StatusOK || len(resp.Header.Peek(fiber.HeaderETag)) == 0 || string(resp.Header.ContentEncoding()) != "gzip" {
		t.Fatalf("%s: %d, ETag %q, Content-Encoding %q", pollRoute, status, resp.Header.Peek(fiber.HeaderETag), resp.Header.ContentEncoding())
	}
	return resp
}
