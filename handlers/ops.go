package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// readyTimeout bounds the store ping of /readyz.
const readyTimeout = 2 * time.Second

// opsRoutes registers the operational endpoints.
func (s *server) opsRoutes(app *fiber.App) {
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", adaptor.HTTPHandler(promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})))
}

// readyz reports whether the store answers; load balancers stop sending
// traffic to an instance that is not ready.
func (s *server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("readiness check failed", "request_id", requestIDOf(c), "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("数据库暂不可用，服务未就绪")
	}
	return c.SendString("ok")
}
