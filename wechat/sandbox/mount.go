package sandbox

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

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
	u, err := url.Parse(cfg.SandboxURL)
	if err != nil || u.Path == "" || u.Path == "/" {
		return nil, recruit.Errorf(recruit.EINVALID, "sandbox_url 必须带路径，例如 https://example.cn/sandbox")
	}
	cb, err := url.JoinPath(cfg.BaseURL, wechat.CallbackPath)
	if err != nil {
		return nil, recruit.Errorf(recruit.EINVALID, "base_url 格式不正确")
	}
	return Register(r.Group(u.Path), Options{
		AppID: cfg.AppID, Secret: cfg.Secret, Token: cfg.Token, AESKey: cfg.AESKey,
		MiniAppID: cfg.MiniAppID, MiniSecret: cfg.MiniSecret,
		URL: cfg.SandboxURL, CallbackURL: cb, KV: kv, Now: now,
	})
}
