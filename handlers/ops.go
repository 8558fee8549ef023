package handlers

import (
	"context"
	"crypto/subtle"
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
	app.Get("/metrics", s.metricsAuth, adaptor.HTTPHandler(promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})))
}

// metricsAuth lets a request through to /metrics when no token is
// configured or the request carries it as a bearer token.
func (s *server) metricsAuth(c *fiber.Ctx) error {
	if s.metrics == "" || subtle.ConstantTimeCompare([]byte(c.Get(fiber.HeaderAuthorization)), []byte("Bearer "+s.metrics)) == 1 {
		return c.Next()
	}
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
	return c.Status(fiber.StatusUnauthorized).SendString("需要监控令牌（http.metrics_token）")
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
