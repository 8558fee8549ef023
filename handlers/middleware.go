package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"

	"zhupei/recruit"
)

// headerRequestID carries the request id in both directions.
const headerRequestID = "X-Request-ID"

// routeUnmatched labels requests that matched no route (404, 405), so that
// arbitrary paths never become metric labels.
const routeUnmatched = "unmatched"

// requestTimeout bounds the work of one request: the store and WeChat calls
// made for it get a context with this deadline.
const requestTimeout = 25 * time.Second

// requestID keeps a well-formed incoming X-Request-ID or generates one,
// echoes it in the response and puts it in the request's context
// (c.UserContext()).
func requestID(c *fiber.Ctx) error {
	setRequestID(c)
	return c.Next()
}

// setRequestID does what the requestID middleware does before it calls
// the next handler.
func setRequestID(c *fiber.Ctx) {
	// Peeked, not copied (as c.Get does with Immutable): a kept id is
	// copied once, into the string the context holds.
	raw := c.Request().Header.PeekBytes(keyRequestID)
	var id string
	if validRequestID(utils.UnsafeString(raw)) {
		id = string(raw)
	} else {
		id = requestIDs.next()
	}
	c.Response().Header.SetCanonical(keyRequestID, utils.UnsafeBytes(id))
	c.SetUserContext(recruit.WithRequestID(c.UserContext(), id))
}

// Header names in canonical form, as fasthttp stores them, and values set
// on every answer: set with SetCanonical, which neither normalizes nor
// copies them first (as c.Set does).
var (
	keyRequestID    = canonicalKey(headerRequestID)
	keyCacheControl = canonicalKey(fiber.HeaderCacheControl)
	valueNoStore    = []byte("no-store")
)

// canonicalKey is a header name as fasthttp stores it ("ETag" → "Etag").
func canonicalKey(name string) []byte { return fasthttp.AppendNormalizedHeaderKey(nil, name) }

// deadline gives the request's context the deadline of requestTimeout.
func deadline(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), requestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// validRequestID accepts 1–64 characters of [A-Za-z0-9._-], so that a client
// cannot inject text into logs or headers.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		ok := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_' || b == '.'
		if !ok {
			return false
		}
	}
	return true
}

// requestIDs makes the ids of the requests that bring none.
var requestIDs = newIDSource()

// idSource makes request ids: 32 hex digits, a prefix of 64 random bits
// drawn once per process from crypto/rand, then a counter. Each id is
// unique within the process by the counter and, by the prefix, across
// restarts and the instances on one store. Unlike an id drawn from
// crypto/rand for each request (a system call and most of this
// middleware's time), the next id of a process is predictable from one
// it has answered: that is fine for a correlation id of log and audit
// lines, which is no secret and grants nothing (a client may even choose
// its own, X-Request-ID).
type idSource struct {
	prefix [16]byte // hex
	n      atomic.Uint64
}

func newIDSource() *idSource {
	var r [8]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails on supported platforms
	s := &idSource{}
	hex.Encode(s.prefix[:], r[:])
	return s
}

// next returns a new id.
func (s *idSource) next() string {
	const digits = "0123456789abcdef"
	var b [32]byte
	copy(b[:], s.prefix[:])
	n := s.n.Add(1)
	for i := len(b) - 1; i >= len(s.prefix); i-- {
		b[i] = digits[n&0xf]
		n >>= 4
	}
	return string(b[:])
}

// requestIDOf returns the id set by the requestID middleware ("" outside it,
// e.g. for errors raised by the server before routing).
func requestIDOf(c *fiber.Ctx) string {
	return recruit.RequestID(c.UserContext())
}

// securityHeaders sets conservative browser security headers; the pages use
// no inline script or style and no third-party origin, except that images
// may also come from imgOrigin when it is not "" (the configured follow QR
// code's host).
func securityHeaders(imgOrigin string) fiber.Handler {
	img := "'self' data:"
	if imgOrigin != "" {
		img += " " + imgOrigin
	}
	h := headerSet{
		{[]byte("X-Content-Type-Options"), []byte("nosniff")},
		{[]byte("X-Frame-Options"), []byte("DENY")},
		{[]byte("Referrer-Policy"), []byte("same-origin")},
		{[]byte("Content-Security-Policy"), []byte("default-src 'self'; img-src " + img + "; object-src 'none'; frame-ancestors 'none'")},
	}
	return func(c *fiber.Ctx) error {
		h.set(c)
		return c.Next()
	}
}

// apiHeaders are the security headers of an answer that is only ever JSON
// (the polled routes), as OWASP's REST Security Cheat Sheet has them: a
// browser is not to sniff it into a page or frame it, and a page it is
// nevertheless shown as may load nothing. The Referrer-Policy of the pages
// is left out: JSON has no links.
var apiHeaders = headerSet{
	{[]byte("X-Content-Type-Options"), []byte("nosniff")},
	{[]byte("X-Frame-Options"), []byte("DENY")},
	{[]byte("Content-Security-Policy"), []byte("default-src 'none'; frame-ancestors 'none'")},
}

// headerSet are response headers, names in canonical form, made once and
// set as they are on every answer.
type headerSet [][2][]byte

// set sets the headers on c's response.
func (h headerSet) set(c *fiber.Ctx) {
	for _, kv := range h {
		c.Response().Header.SetCanonical(kv[0], kv[1])
	}
}

// noStore keeps browsers and proxies from storing any response whose
// handler did not choose a caching policy itself (the static files do):
// pages and JSON carry personal data once someone is signed in, and the
// public ones change with every registration.
func noStore(c *fiber.Ctx) error {
	err := c.Next()
	defaultNoStore(c)
	return err
}

// defaultNoStore does what the noStore middleware does after the handlers
// it runs.
func defaultNoStore(c *fiber.Ctx) {
	if len(c.Response().Header.PeekBytes(keyCacheControl)) == 0 {
		c.Response().Header.SetCanonical(keyCacheControl, valueNoStore)
	}
}

// httpMetrics are the request metrics, labelled by route pattern.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// children keeps the vectors' children once made: finding one by its
	// label values hashes them and takes a lock on every request.
	children sync.Map // metricKey → *metricChildren
}

// metricKey names the children of one method, route and status.
type metricKey struct {
	method, route string
	status        int
}

// metricChildren are the counter and histogram of one metricKey.
type metricChildren struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// of returns the children of method, route and status.
func (m *httpMetrics) of(method, route string, status int) *metricChildren {
	k := metricKey{method, route, status}
	if c, ok := m.children.Load(k); ok {
		return c.(*metricChildren)
	}
	k.method = strings.Clone(method) // kept: not the request's buffer
	c, _ := m.children.LoadOrStore(k, &metricChildren{
		requests: m.requests.WithLabelValues(k.method, route, strconv.Itoa(status)),
		duration: m.duration.WithLabelValues(k.method, route),
	})
	return c.(*metricChildren)
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	return &httpMetrics{
		requests: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zhupei_http_requests_total",
			Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"})),
		duration: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "zhupei_http_request_duration_seconds",
			Help:    "HTTP request duration by method and route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"})),
	}
}

// register registers c on reg, or returns the collector already registered
// under the same name (when New is called twice with one registry).
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	if err := reg.Register(c); err != nil {
		if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err) // a conflicting metric definition is a programming error
	}
	return c
}

// observe writes the access log line and the metrics of every request. It
// runs the error handler itself so that it sees the final status. Route is
// the label of the request's route: "" for the route the request ends on
// (observe is then middleware of app.Use), else the pattern of the route
// whose own handler list it is part of.
func (s *server) observe(m *httpMetrics, route string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		self := c.Route()
		err := c.Next()
		route := route
		if route == "" {
			route = routeUnmatched
			if r := c.Route(); r != self {
				route = r.Path
			}
		}
		s.finish(c, m, route, start, err)
		return nil
	}
}

// finish does what the observe middleware does after the handlers it
// runs, which began at start and returned err, on the route labelled
// route: it writes err's answer and the request's metrics and access log.
func (s *server) finish(c *fiber.Ctx, m *httpMetrics, route string, start time.Time, err error) {
	if err != nil {
		if herr := s.handleError(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	elapsed := time.Since(start)
	method := c.Method()
	status := c.Response().StatusCode()
	children := m.of(method, route, status)
	children.requests.Inc()
	children.duration.Observe(elapsed.Seconds())
	// Only the route pattern is logged: paths and query strings may carry
	// personal data. Asked first: building the line's values costs
	// allocations on every request even when the level drops it.
	if s.log.Enabled(c.UserContext(), slog.LevelInfo) {
		s.log.Info("http request",
			"method", method,
			"route", route,
			"status", status,
			"duration_ms", float64(elapsed.Microseconds())/1000,
			"request_id", requestIDOf(c))
	}
}

// recoverPanic turns a panic in a handler into an internal error; the error
// handler logs it with the request id and shows a 500 page.
func (s *server) recoverPanic(c *fiber.Ctx) error {
	return guard(c, (*fiber.Ctx).Next)
}

// guard runs h on c and returns its error, or a panic in it as an
// internal error.
func guard(c *fiber.Ctx, h fiber.Handler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = recruit.Internal(fmt.Errorf("panic: %v\n%s", r, debug.Stack()))
		}
	}()
	return h(c)
}
