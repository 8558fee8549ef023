package handlers

import "github.com/gofiber/fiber/v2"

// pollRoute is the public JSON that every open board page (board.js) and
// choice page (apply.js) polls: at the opening of registration it is the
// service's busiest route by far.
const pollRoute = "/api/v1/programs"

// pollRoutes registers the polled JSON ahead of the middleware chain of
// app.Use, with only the middleware an anonymous read needs: the request
// id, the security and caching headers, the metrics and access log, and
// panic recovery. It leaves out the session, the CSRF check, the client
// address and the request deadline: the answer is the same for everyone,
// writes nothing and reads only the shared snapshot, whose load has a
// deadline of its own (loadTimeout). So a crowd of boards costs about what
// a bare handler sending the same bytes does (bench/surge).
func (s *server) pollRoutes(app *fiber.App, m *httpMetrics, security fiber.Handler) {
	app.Get(pollRoute, requestID, security, noStore, s.observe(m, pollRoute), s.recoverPanic, s.apiPrograms)
}
