package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// pollRoute is the public JSON that every open board page (board.js) and
// choice page (apply.js) polls: at the opening of registration it is the
// service's busiest route by far.
const pollRoute = "/api/v1/programs"

// pollRoutes registers the polled JSON ahead of the middleware chain of
// app.Use, as one handler (polled) doing the work of the middleware an
// anonymous read needs: the request id, the security (apiHeaders) and
// caching headers, the metrics and access log, and panic recovery. It
// leaves out the session, the CSRF check, the client address and the
// request deadline: the answer is the same for everyone, writes nothing
// and reads only the shared snapshot, whose load has a deadline of its own
// (loadTimeout). So a crowd of boards costs close to what a bare handler
// sending the same answer does (bench/surge measures how close).
func (s *server) pollRoutes(app *fiber.App, m *httpMetrics) {
	app.Get(pollRoute, s.polled(m, pollRoute, s.apiPrograms))
}

// polled is h served on route with the middleware of pollRoutes, in one
// handler: without a call of c.Next for each, which shows at the rate the
// boards poll.
func (s *server) polled(m *httpMetrics, route string, h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		setRequestID(c)
		apiHeaders.set(c)
		s.finish(c, m, route, start, guard(c, h))
		defaultNoStore(c)
		return nil
	}
}
