package sandbox

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"zhupei/recruit"
	"zhupei/wechat"
)

// Mount serves the sandbox on r at the path of cfg.SandboxURL when cfg.Mode
// is sandbox, configured from cfg. In live mode it registers nothing and
// returns nil: the sandbox does not exist.
func Mount(r fiber.Router, cfg wechat.Config, kv wechat.KV, now func() time.Time) (*Sandbox, error) {
	if cfg.Mode != wechat.ModeSandbox {
		return nil, nil
	}
	path := Path(cfg)
	if path == "" {
		return nil, recruit.Errorf(recruit.EINVALID, "sandbox_url 必须带路径，例如 https://example.cn/sandbox")
	}
	cb, err := url.JoinPath(cfg.BaseURL, wechat.CallbackPath)
	if err != nil {
		return nil, recruit.Errorf(recruit.EINVALID, "base_url 格式不正确")
	}
	return Register(r.Group(path), Options{
		AppID: cfg.AppID, Secret: cfg.Secret, Token: cfg.Token, AESKey: cfg.AESKey,
		MiniAppID: cfg.MiniAppID, MiniSecret: cfg.MiniSecret,
		URL: cfg.SandboxURL, CallbackURL: cb, KV: kv, Now: now,
	})
}

// App returns a stand-alone application serving the sandbox (see Mount) for
// a service to put in front of its own routes, so that the stand-in platform
// keeps its own pages and forms apart from the service's sessions, CSRF
// checks and security headers, as the real WeChat is another site. Its path
// is Path(cfg). In live mode it returns nil, nil, nil.
func App(cfg wechat.Config, kv wechat.KV, now func() time.Time) (*fiber.App, *Sandbox, error) {
	if cfg.Mode != wechat.ModeSandbox {
		return nil, nil, nil
	}
	app := fiber.New(fiber.Config{
		DisableStartupMessage: true,
		AppName:               "zhupei WeChat sandbox",
		Immutable:             true, // test users and codes keep request values
	})
	app.Use(recover.New())
	sb, err := Mount(app, cfg, kv, now)
	if err != nil {
		return nil, nil, err
	}
	return app, sb, nil
}

// Path is the path the sandbox is served at, e.g. "/sandbox"; "" when
// cfg.SandboxURL has none.
func Path(cfg wechat.Config) string {
	u, err := url.Parse(cfg.SandboxURL)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}
