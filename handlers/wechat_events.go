package handlers

import (
	"context"
	"html"
	"net/url"
	"strings"
	"time"

	"zhupei/notify"
	"zhupei/recruit"
	"zhupei/wechat"
)

// WeChatEvents is the official account's event handler: scanning a login QR
// code (SCAN, or subscribe with a qrscene_ scene) claims the login ticket for
// the scanning account and answers at once with a link to the confirmation
// page; a plain follow is answered with a short guide; a template delivery
// report goes to cfg.Notify. Register it with
// wechat.Client.NewCallback; it needs cfg.Store, cfg.Now and cfg.WeChat.
func WeChatEvents(cfg Config) wechat.EventHandler {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &wechatEvents{store: cfg.Store, now: now, base: cfg.WeChat.BaseURL(), notify: cfg.Notify}
}

type wechatEvents struct {
	store  Store
	now    func() time.Time
	base   string         // the service's public URL
	notify *notify.Sender // nil: delivery reports are dropped
}

var (
	_ wechat.Replier          = (*wechatEvents)(nil)
	_ wechat.DeliveryReporter = (*wechatEvents)(nil)
)

// TemplateFinished hands WeChat's TEMPLATESENDJOBFINISH report to the
// sender, which updates the notification sent as msgID.
func (e *wechatEvents) TemplateFinished(ctx context.Context, msgID int64, status string) error {
	if e.notify == nil {
		return nil
	}
	return e.notify.Report(ctx, msgID, status)
}

// welcomeText answers a follow (seed 7.1).
const welcomeText = "感谢关注！请点击下方菜单“个人中心 → 实名认证”完成实名认证，再通过“住培山东 → 招录报名”报名。" +
	"为及时收到报名成功、审核结果等通知，请在公众号设置中关闭“消息免打扰”。"

// Reply answers login scans and follows; other events go to the queue.
func (e *wechatEvents) Reply(ctx context.Context, ev wechat.Event) (string, error) {
	if ev.Type != "SCAN" && ev.Type != "subscribe" {
		return "", nil
	}
	if t, ok := strings.CutPrefix(ev.Key, loginScene); ok {
		return e.loginScanned(ctx, ev.OpenID, t)
	}
	if ev.Type == "subscribe" {
		return welcomeText, nil
	}
	return "", nil
}

// loginScanned claims ticket t for the first account that scans it and
// returns the message with the confirmation link.
func (e *wechatEvents) loginScanned(ctx context.Context, openID, t string) (string, error) {
	const expired = "该登录二维码已过期，请在电脑上刷新页面后重新扫码。"
	if !validTicket(t) {
		return expired, nil
	}
	switch _, err := e.store.GetKV(ctx, loginKey+t, e.now()); recruit.ErrorCode(err) {
	case "":
	case recruit.ENOTFOUND:
		return expired, nil
	default:
		return "", err
	}
	first, err := e.store.AddKV(ctx, loginScanKey+t, openID, loginTTL, e.now())
	if err != nil {
		return "", err
	}
	if !first {
		scanner, err := e.store.GetKV(ctx, loginScanKey+t, e.now())
		if err != nil && recruit.ErrorCode(err) != recruit.ENOTFOUND {
			return "", err
		}
		if scanner != openID {
			return "该登录二维码已被其他微信扫描。如非本人操作，请在电脑上刷新页面后重新扫码。", nil
		}
	}
	link := e.base + oauthLogin("/login/confirm?t="+url.QueryEscape(t))
	return "您正在电脑上登录山东省住院医师规范化培训招录报名系统，<a href=\"" + html.EscapeString(link) + "\">点此确认登录</a>。\n如非本人操作，请忽略本消息。", nil
}

// The events below need no action: the login scans were answered by Reply.

func (e *wechatEvents) Subscribe(context.Context, string, string) error { return nil }
func (e *wechatEvents) Unsubscribe(context.Context, string) error       { return nil }
func (e *wechatEvents) Scan(context.Context, string, string) error      { return nil }
func (e *wechatEvents) Click(context.Context, string, string) error     { return nil }
func (e *wechatEvents) View(context.Context, string, string) error      { return nil }
