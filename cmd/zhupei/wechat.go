package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/apply"
	"zhupei/recruit"
	"zhupei/wechat"
	"zhupei/wechat/sandbox"
)

// The sandbox's credentials, used in sandbox mode for the settings left
// empty. They open nothing outside this machine.
const (
	sandboxAppID      = "wx5andb0x00000001"
	sandboxSecret     = "sandbox-secret-0123456789abcdef"
	sandboxToken      = "sandbox-callback-token"
	sandboxAESKey     = "emh1cGVpLXNhbmRib3gtYWVzLWtleS0zMi1ieXRlcyE" // safe mode, as most accounts use
	sandboxMiniAppID  = "wx5andb0xm1n10001"
	sandboxMiniSecret = "sandbox-mini-secret-0123456789"
)

// menuPaths are where the account menu's 招录报名 and 实名认证 land, through
// the OAuth callback.
const (
	menuRegisterPath = "/wechat/oauth/start?next=/apply"
	menuBindPath     = "/wechat/oauth/start?next=/bind"
)

// wechatConfig returns the wechat package's settings. In sandbox mode empty
// credentials take the sandbox's and an empty base_url is derived from the
// listener's address (listen; nil: http.addr as configured).
func (c Config) wechatConfig(listen net.Addr) (wechat.Config, error) {
	w := c.WeChat
	out := wechat.Config{
		Mode: w.Mode, AppID: w.AppID, Secret: w.Secret, Token: w.Token, AESKey: w.AESKey,
		BaseURL: strings.TrimRight(w.BaseURL, "/"), MiniAppID: c.MiniProgram.AppID, MiniSecret: c.MiniProgram.Secret,
	}
	if w.Mode != ModeSandbox {
		return out, nil
	}
	fill := func(v *string, def string) {
		if *v == "" {
			*v = def
		}
	}
	fill(&out.AppID, sandboxAppID)
	fill(&out.Secret, sandboxSecret)
	fill(&out.Token, sandboxToken)
	fill(&out.AESKey, sandboxAESKey)
	if out.MiniAppID == "" {
		out.MiniAppID, out.MiniSecret = sandboxMiniAppID, sandboxMiniSecret
	}
	if out.BaseURL == "" {
		if listen == nil {
			tcp, err := net.ResolveTCPAddr("tcp", c.HTTP.Addr)
			if err != nil || tcp.Port == 0 {
				return out, &ConfigError{Key: "wechat.base_url", Msg: "http.addr 未指定端口，无法推算服务地址，请设置 wechat.base_url"}
			}
			listen = tcp
		}
		out.BaseURL = strings.TrimRight(localURL(c.HTTP.Addr, listen), "/")
	}
	out.SandboxURL = out.BaseURL + "/sandbox"
	return out, nil
}

// weChat is the service's WeChat side.
type weChat struct {
	cfg     wechat.Config
	client  *wechat.Client
	sandbox *fiber.App // nil in live mode
}

// openWeChat builds the WeChat client (and the sandbox in sandbox mode) for
// a service listening on listen.
func (m *Main) openWeChat(listen net.Addr) (*weChat, error) {
	cfg, err := m.Config.wechatConfig(listen)
	if err != nil {
		return nil, err
	}
	client, err := wechat.New(cfg, m.store, m.Now)
	if err != nil {
		return nil, err
	}
	app, _, err := sandbox.App(cfg, m.store, m.Now)
	if err != nil {
		return nil, err
	}
	return &weChat{cfg: cfg, client: client, sandbox: app}, nil
}

// verifier is the real-name check of the configuration.
func (m *Main) verifier() apply.Verifier {
	if m.Config.WeChat.VerifierURL == "" {
		return apply.FormatVerifier{Now: m.Now}
	}
	return apply.NewHTTPVerifier(m.Config.WeChat.VerifierURL, m.Config.WeChat.VerifierTimeout, m.Now)
}

// publishMenu publishes the account menu.
func publishMenu(ctx context.Context, c *wechat.Client) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return c.CreateMenu(ctx, menuRegisterPath, menuBindPath)
}

// wechatMenu is the wechat-menu command: publish the menu. In sandbox mode
// the sandbox of the running service receives it.
func (m *Main) wechatMenu(ctx context.Context) error {
	if err := m.openStore(ctx); err != nil {
		return err
	}
	wx, err := m.openWeChat(nil)
	if err != nil {
		return err
	}
	if err := publishMenu(ctx, wx.client); err != nil {
		msg := "公众号菜单发布失败：" + recruit.ErrorMessage(err)
		if wx.sandbox != nil {
			msg += "（沙箱模式下请先启动服务：make run）"
		}
		return &recruit.Error{Code: recruit.ErrorCode(err), Message: msg, Err: err}
	}
	fmt.Fprintf(m.Stdout, "公众号菜单已发布：住培山东 → 招录报名，个人中心 → 实名认证（%s）\n", wx.cfg.BaseURL)
	return nil
}

// sandboxHint is the line `make run` prints for a newcomer in sandbox mode.
func sandboxHint(wx *weChat) string {
	if wx.sandbox == nil {
		return ""
	}
	return "沙箱微信：打开 " + wx.cfg.SandboxURL + "/ 按说明选择测试用户扫码登录、体验公众号菜单和模板消息"
}
