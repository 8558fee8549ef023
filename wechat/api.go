package wechat

import (
	"context"
	"net/url"
	"regexp"
	"time"

	"github.com/silenceper/wechat/v2/miniprogram/subscribe"
	"github.com/silenceper/wechat/v2/officialaccount/basic"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"zhupei/recruit"
)

// browserURL maps a WeChat page URL onto the sandbox in sandbox mode, so
// that the browser goes where the SDK's requests go.
func (c *Client) browserURL(raw string) string {
	if c.rw == nil {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return c.rw.rewrite(u).String()
}

var stateRe = regexp.MustCompile(`^[A-Za-z0-9_-]{0,128}$`)

// OAuthURL returns the snsapi_base authorization URL that brings the user
// back to redirect (an absolute URL of this service) with code and state.
func (c *Client) OAuthURL(redirect, state string) (string, error) {
	if !absoluteURL(redirect) {
		return "", recruit.Errorf(recruit.EINVALID, "授权回调地址必须是完整的 http(s) 地址")
	}
	if !stateRe.MatchString(state) {
		return "", recruit.Errorf(recruit.EINVALID, "授权参数 state 只能包含字母、数字、下划线和连字符，且不超过 128 位")
	}
	raw, err := c.oauth.GetRedirectURL(redirect, "snsapi_base", state)
	if err != nil {
		return "", upstream(err)
	}
	return c.browserURL(raw), nil
}

// ExchangeCode turns an OAuth code into the user's openid. A code works
// once: an invalid or used code is EUNAUTHORIZED.
func (c *Client) ExchangeCode(ctx context.Context, code string) (string, error) {
	if code == "" || len(code) > 512 {
		return "", recruit.Errorf(recruit.EINVALID, "缺少微信授权码，请从公众号菜单重新进入")
	}
	res, err := c.oauth.GetUserAccessTokenContext(ctx, code)
	if err != nil {
		return "", codeError(err, "微信授权已失效，请从公众号菜单重新进入")
	}
	if res.OpenID == "" {
		return "", recruit.Errorf(recruit.EUPSTREAM, "微信未返回用户标识，请稍后重试")
	}
	return res.OpenID, nil
}

// codeError maps the "invalid code" and "code used" answers to
// EUNAUTHORIZED with msg, anything else to EUPSTREAM.
func codeError(err error, msg string) error {
	switch ErrCode(err) {
	case 40029, 40163:
		return &recruit.Error{Code: recruit.EUNAUTHORIZED, Message: msg, Err: Scrub(err)}
	}
	return upstream(err)
}

// Limits of a temporary QR code (QR_STR_SCENE).
const (
	maxSceneLen = 64
	minQRTTL    = time.Minute
	maxQRTTL    = 30 * 24 * time.Hour
)

// QR is a temporary QR code.
type QR struct {
	Ticket string
	// URL is what the code encodes: WeChat's weixin.qq.com/q/… link, in
	// sandbox mode the sandbox's "scan with phone" page. A page may draw the
	// code itself from it.
	URL string
	// ImageURL is WeChat's showqrcode image of the code (the sandbox's in
	// sandbox mode).
	ImageURL string
	// Expires is when WeChat stops accepting the code.
	Expires time.Time
}

// TempQR creates a temporary QR code carrying a string scene (QR_STR_SCENE).
func (c *Client) TempQR(ctx context.Context, scene string, ttl time.Duration) (QR, error) {
	if scene == "" || len(scene) > maxSceneLen {
		return QR{}, recruit.Errorf(recruit.EINVALID, "二维码场景值长度须为 1 到 64 个字符")
	}
	ttl = min(max(ttl, minQRTTL), maxQRTTL)
	var t *basic.Ticket
	err := c.Do(ctx, func() error {
		var e error
		// A string scene: an int64 one panics inside the SDK.
		t, e = c.basic.GetQRTicket(basic.NewTmpQrRequest(ttl, scene))
		return e
	})
	if err != nil {
		return QR{}, err
	}
	if t.URL == "" {
		return QR{}, recruit.Errorf(recruit.EUPSTREAM, "微信未返回二维码内容，请稍后重试")
	}
	show := "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=" + url.QueryEscape(t.Ticket)
	life := time.Duration(t.ExpireSeconds) * time.Second
	if life <= 0 || life > ttl {
		life = ttl
	}
	return QR{Ticket: t.Ticket, URL: t.URL, ImageURL: c.browserURL(show), Expires: c.now().Add(life)}, nil
}

// Template is one template message. Fields are at most 20 characters each
// (WeChat's rule since 2023); ClientMsgID makes sending idempotent.
type Template struct {
	ToUser      string
	TemplateID  string
	URL         string
	ClientMsgID string
	Data        map[string]string
}

// SendTemplate sends a template message and returns WeChat's msgid. ErrCode
// of the error tells why it failed (43004: the user does not follow).
func (c *Client) SendTemplate(ctx context.Context, t Template) (int64, error) {
	if t.ToUser == "" || t.TemplateID == "" {
		return 0, recruit.Errorf(recruit.EINVALID, "模板消息缺少接收人或模板编号")
	}
	msg := &message.TemplateMessage{
		ToUser: t.ToUser, TemplateID: t.TemplateID, URL: t.URL, ClientMsgID: t.ClientMsgID,
		Data: make(map[string]*message.TemplateDataItem, len(t.Data)),
	}
	for k, v := range t.Data {
		msg.Data[k] = &message.TemplateDataItem{Value: v}
	}
	var id int64
	err := c.Do(ctx, func() error {
		var e error
		id, e = c.template.Send(msg)
		return e
	})
	return id, err
}

// CreateMenu publishes the account menu: 住培山东 → 招录报名 and 个人中心 →
// 实名认证, view buttons opening registerPath and bindPath of BaseURL. The
// paths should start the service's own OAuth login (which ties the OAuth
// state to the browser): a published menu cannot carry a per-browser state,
// and an OAuth link with a fixed one would let anyone log a victim's browser
// into their own WeChat account (login CSRF).
func (c *Client) CreateMenu(ctx context.Context, registerPath, bindPath string) error {
	register := joinURL(c.cfg.BaseURL, registerPath)
	bind := joinURL(c.cfg.BaseURL, bindPath)
	buttons := []*menu.Button{
		new(menu.Button).SetSubButton("住培山东", []*menu.Button{
			new(menu.Button).SetViewButton("招录报名", register),
		}),
		new(menu.Button).SetSubButton("个人中心", []*menu.Button{
			new(menu.Button).SetViewButton("实名认证", bind),
		}),
	}
	return c.Do(ctx, func() error { return c.menu.SetMenu(buttons) })
}

// Session is the result of a mini-program login.
type Session struct {
	OpenID     string
	SessionKey string
}

func (c *Client) miniConfigured() error {
	if c.miniAuth == nil {
		return recruit.Errorf(recruit.EFORBIDDEN, "未配置小程序，无法使用小程序登录")
	}
	return nil
}

// Code2Session exchanges a mini-program login code for the staff member's
// openid and session key.
func (c *Client) Code2Session(ctx context.Context, code string) (Session, error) {
	if err := c.miniConfigured(); err != nil {
		return Session{}, err
	}
	if code == "" || len(code) > 512 {
		return Session{}, recruit.Errorf(recruit.EINVALID, "缺少小程序登录凭证")
	}
	res, err := c.miniAuth.Code2SessionContext(ctx, code)
	if err != nil {
		return Session{}, codeError(err, "小程序登录凭证无效，请重新登录")
	}
	return Session{OpenID: res.OpenID, SessionKey: res.SessionKey}, nil
}

// SendSubscribe sends a mini-program subscription message to openID.
func (c *Client) SendSubscribe(ctx context.Context, openID, templateID, page string, data map[string]string) error {
	if err := c.miniConfigured(); err != nil {
		return err
	}
	if openID == "" || templateID == "" {
		return recruit.Errorf(recruit.EINVALID, "订阅消息缺少接收人或模板编号")
	}
	msg := &subscribe.Message{ToUser: openID, TemplateID: templateID, Page: page,
		Data: make(map[string]*subscribe.DataItem, len(data))}
	for k, v := range data {
		msg.Data[k] = &subscribe.DataItem{Value: v}
	}
	return c.do(ctx, c.miniTok, func() error { return c.miniSub.Send(msg) })
}
