package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/skip2/go-qrcode"

	"zhupei/recruit"
)

// API endpoints, relative to the sandbox's root. Faults are injected by
// these names.
const (
	EndpointToken       = "/cgi-bin/token"
	EndpointStableToken = "/cgi-bin/stable_token"
	EndpointOAuthToken  = "/sns/oauth2/access_token"
	EndpointQRCreate    = "/cgi-bin/qrcode/create"
	EndpointTemplate    = "/cgi-bin/message/template/send"
	EndpointMenu        = "/cgi-bin/menu/create"
	EndpointJSCode      = "/sns/jscode2session"
	EndpointSubscribe   = "/cgi-bin/message/subscribe/send"
)

// errmsgs are WeChat's texts for the codes the sandbox answers with.
var errmsgs = map[int]string{
	-1:    "system error",
	40001: "invalid credential, access_token is invalid or not latest",
	40002: "invalid grant_type",
	40003: "invalid openid",
	40013: "invalid appid",
	40016: "invalid button size",
	40029: "invalid code",
	40037: "invalid template_id",
	40097: "invalid args",
	40125: "invalid appsecret",
	40163: "code been used",
	41001: "access_token missing",
	42001: "access_token expired",
	43004: "require subscribe",
	43101: "user refuse to accept the msg",
	45009: "reach max api daily quota limit",
}

// apiError is an error answer of the platform.
type apiError int

func (e apiError) Error() string { return fmt.Sprintf("errcode=%d", int(e)) }

// Lifetimes of the sandbox's records.
const (
	tokenLife = 7200 * time.Second
	codeLife  = 5 * time.Minute
	idemLife  = 24 * time.Hour
)

// Store keys.
const (
	keyToken  = "sandbox:token:"
	keyStable = "sandbox:stable:"
	keyGen    = "sandbox:generation:"
	keyCode   = "sandbox:code:"
	keyUsed   = "sandbox:used:"
	keyTicket = "sandbox:qr:"
	keyJSCode = "sandbox:jscode:"
	keyIdem   = "sandbox:client-msg-id:"
)

func (s *Sandbox) routes(r fiber.Router) {
	r.Get(EndpointToken, s.api(EndpointToken, s.token))
	r.Post(EndpointStableToken, s.api(EndpointStableToken, s.stableToken))
	r.Get(EndpointOAuthToken, s.api(EndpointOAuthToken, s.oauthToken))
	r.Post(EndpointQRCreate, s.api(EndpointQRCreate, s.qrCreate))
	r.Post(EndpointTemplate, s.api(EndpointTemplate, s.templateSend))
	r.Post(EndpointMenu, s.api(EndpointMenu, s.menuCreate))
	r.Get(EndpointJSCode, s.api(EndpointJSCode, s.jsCode))
	r.Post(EndpointSubscribe, s.api(EndpointSubscribe, s.subscribeSend))
	r.Get("/cgi-bin/showqrcode", s.showQR)
	r.Post("/faults", s.postFault)
	r.Get("/faults", s.getFaults)
	r.Get("/api/messages", s.messagesJSON)
	r.Get("/api/calls", s.callsJSON)
	r.Post("/api/reports", s.flushReports)
	s.pageRoutes(r)
}

// api wraps an endpoint: it counts the call, applies an injected fault, and
// writes the answer — h's JSON, or {errcode, errmsg} when h fails with an
// apiError.
func (s *Sandbox) api(endpoint string, h func(c *fiber.Ctx) (any, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f := s.takeFault(endpoint)
		if f != nil && f.Hang {
			time.Sleep(s.opts.HangFor)
			return c.JSON(errBody(-1))
		}
		if f != nil {
			return c.JSON(errBody(f.Code))
		}
		res, err := h(c)
		var ae apiError
		if errors.As(err, &ae) {
			return c.JSON(errBody(int(ae)))
		}
		if err != nil {
			return err
		}
		return c.JSON(res)
	}
}

func errBody(code int) fiber.Map {
	return fiber.Map{"errcode": code, "errmsg": errmsgs[code]}
}

// ok is the body of calls that WeChat answers with errcode 0 and "ok".
var ok = fiber.Map{"errcode": 0, "errmsg": "ok"}

func (s *Sandbox) now() time.Time { return s.opts.Now() }

// credentials checks an appid/secret pair and tells whether it is the
// mini-program's.
func (s *Sandbox) credentials(appID, secret string) (mini bool, err error) {
	switch {
	case appID == s.opts.AppID:
		if secret != s.opts.Secret {
			return false, apiError(40125)
		}
		return false, nil
	case appID != "" && appID == s.opts.MiniAppID:
		if secret != s.opts.MiniSecret {
			return false, apiError(40125)
		}
		return true, nil
	}
	return false, apiError(40013)
}

// appCredentials checks the appid and secret query parameters of a call
// that only the official account (mini false) or only the mini-program
// (mini true) may make.
func (s *Sandbox) appCredentials(c *fiber.Ctx, mini bool) error {
	isMini, err := s.credentials(c.Query("appid"), c.Query("secret"))
	if err != nil {
		return err
	}
	if isMini != mini {
		return apiError(40013)
	}
	return nil
}

// generation is the token generation of an appid; InvalidateTokens bumps it.
func (s *Sandbox) generation(ctx context.Context, appID string) (string, error) {
	g, err := s.opts.KV.GetKV(ctx, keyGen+appID, s.now())
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return "0", nil
	}
	return g, err
}

type tokenRecord struct {
	AppID      string `json:"appid"`
	Generation string `json:"gen"`
	Expires    int64  `json:"exp"`
}

// issueToken creates an access token for appID.
func (s *Sandbox) issueToken(ctx context.Context, appID string) (fiber.Map, error) {
	gen, err := s.generation(ctx, appID)
	if err != nil {
		return nil, err
	}
	tok := randomID(48)
	rec, _ := json.Marshal(tokenRecord{AppID: appID, Generation: gen, Expires: s.now().Add(tokenLife).Unix()})
	// Kept past its expiry so that a late use is told 42001, not 40001.
	if err := s.opts.KV.SetKV(ctx, keyToken+tok, string(rec), 2*tokenLife, s.now()); err != nil {
		return nil, err
	}
	return fiber.Map{"access_token": tok, "expires_in": int(tokenLife.Seconds())}, nil
}

// authorize checks the access_token of a call and returns its appid.
func (s *Sandbox) authorize(c *fiber.Ctx) (string, error) {
	tok := c.Query("access_token")
	if tok == "" {
		return "", apiError(41001)
	}
	ctx := c.UserContext()
	raw, err := s.opts.KV.GetKV(ctx, keyToken+tok, s.now())
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return "", apiError(40001)
	}
	if err != nil {
		return "", err
	}
	var rec tokenRecord
	if json.Unmarshal([]byte(raw), &rec) != nil {
		return "", apiError(40001)
	}
	gen, err := s.generation(ctx, rec.AppID)
	if err != nil {
		return "", err
	}
	if gen != rec.Generation {
		return "", apiError(40001)
	}
	if s.now().Unix() >= rec.Expires {
		return "", apiError(42001)
	}
	return rec.AppID, nil
}

// InvalidateTokens revokes every access token issued so far, as when the
// secret is reset: their next use is answered with 40001.
func (s *Sandbox) InvalidateTokens(ctx context.Context) error {
	for _, id := range []string{s.opts.AppID, s.opts.MiniAppID} {
		if id == "" {
			continue
		}
		if _, err := s.opts.KV.IncrKV(ctx, keyGen+id, 0, s.now()); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sandbox) token(c *fiber.Ctx) (any, error) {
	if c.Query("grant_type") != "client_credential" {
		return nil, apiError(40002)
	}
	if _, err := s.credentials(c.Query("appid"), c.Query("secret")); err != nil {
		return nil, err
	}
	return s.issueToken(c.UserContext(), c.Query("appid"))
}

// stableToken answers /cgi-bin/stable_token: the same token while it lives,
// a new one when force_refresh is set.
func (s *Sandbox) stableToken(c *fiber.Ctx) (any, error) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if json.Unmarshal(c.Body(), &req) != nil {
		return nil, apiError(40097)
	}
	if req.GrantType != "client_credential" {
		return nil, apiError(40002)
	}
	if _, err := s.credentials(req.AppID, req.Secret); err != nil {
		return nil, err
	}
	ctx := c.UserContext()
	if !req.ForceRefresh {
		if raw, err := s.opts.KV.GetKV(ctx, keyStable+req.AppID, s.now()); err == nil {
			var res fiber.Map
			if json.Unmarshal([]byte(raw), &res) == nil {
				return res, nil
			}
		}
	}
	res, err := s.issueToken(ctx, req.AppID)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(res)
	return res, s.opts.KV.SetKV(ctx, keyStable+req.AppID, string(b), tokenLife, s.now())
}

// useCode consumes a one-time code stored under prefix: 40029 when it is
// unknown or expired, 40163 when it was already used.
func (s *Sandbox) useCode(ctx context.Context, prefix, code string) (string, error) {
	if code == "" {
		return "", apiError(40029)
	}
	v, err := s.opts.KV.GetKV(ctx, prefix+code, s.now())
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return "", apiError(40029)
	}
	if err != nil {
		return "", err
	}
	first, err := s.opts.KV.AddKV(ctx, keyUsed+prefix+code, "1", 2*codeLife, s.now())
	if err != nil {
		return "", err
	}
	if !first {
		return "", apiError(40163)
	}
	return v, nil
}

// newCode stores a one-time code for value under prefix.
func (s *Sandbox) newCode(ctx context.Context, prefix, value string) (string, error) {
	code := randomID(24)
	return code, s.opts.KV.SetKV(ctx, prefix+code, value, codeLife, s.now())
}

func (s *Sandbox) oauthToken(c *fiber.Ctx) (any, error) {
	if c.Query("grant_type") != "authorization_code" {
		return nil, apiError(40002)
	}
	if err := s.appCredentials(c, false); err != nil {
		return nil, err
	}
	openID, err := s.useCode(c.UserContext(), keyCode, c.Query("code"))
	if err != nil {
		return nil, err
	}
	return fiber.Map{
		"access_token": randomID(48), "expires_in": int(tokenLife.Seconds()),
		"refresh_token": randomID(48), "openid": openID, "scope": "snsapi_base",
	}, nil
}

// Limits of temporary QR codes.
const (
	defaultQRLife = 60
	maxQRLife     = 2592000
)

func (s *Sandbox) qrCreate(c *fiber.Ctx) (any, error) {
	if _, err := s.authorize(c); err != nil {
		return nil, err
	}
	var req struct {
		ExpireSeconds int64  `json:"expire_seconds"`
		ActionName    string `json:"action_name"`
		ActionInfo    struct {
			Scene struct {
				SceneID  int64  `json:"scene_id"`
				SceneStr string `json:"scene_str"`
			} `json:"scene"`
		} `json:"action_info"`
	}
	if json.Unmarshal(c.Body(), &req) != nil {
		return nil, apiError(40097)
	}
	var scene string
	switch sc := req.ActionInfo.Scene; req.ActionName {
	case "QR_SCENE":
		if sc.SceneID <= 0 || sc.SceneID > 1<<32-1 {
			return nil, apiError(40097)
		}
		scene = strconv.FormatInt(sc.SceneID, 10)
	case "QR_STR_SCENE":
		if sc.SceneStr == "" || len(sc.SceneStr) > 64 {
			return nil, apiError(40097)
		}
		scene = sc.SceneStr
	default:
		return nil, apiError(40097)
	}
	life := req.ExpireSeconds
	if life <= 0 {
		life = defaultQRLife
	}
	life = min(life, maxQRLife)
	ticket := randomTicket()
	if err := s.opts.KV.SetKV(c.UserContext(), keyTicket+ticket, scene, time.Duration(life)*time.Second, s.now()); err != nil {
		return nil, err
	}
	return fiber.Map{"ticket": ticket, "expire_seconds": life, "url": s.phoneURL(ticket)}, nil
}

// randomTicket looks like WeChat's tickets: standard base64, with + / =.
func randomTicket() string {
	b := make([]byte, 49)
	_, _ = rand.Read(b) // never fails since Go 1.24
	return base64.StdEncoding.EncodeToString(b) + "=="
}

func (s *Sandbox) phoneURL(ticket string) string {
	return s.opts.URL + "/phone?ticket=" + url.QueryEscape(ticket)
}

// scene returns the scene of a live ticket.
func (s *Sandbox) scene(ctx context.Context, ticket string) (string, error) {
	scene, err := s.opts.KV.GetKV(ctx, keyTicket+ticket, s.now())
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return "", recruit.Errorf(recruit.ENOTFOUND, "二维码不存在或已过期")
	}
	return scene, err
}

// showQR serves the QR image: a PNG encoding the ticket's url, which opens
// the phone page.
func (s *Sandbox) showQR(c *fiber.Ctx) error {
	ticket := c.Query("ticket")
	if _, err := s.scene(c.UserContext(), ticket); err != nil {
		return c.Status(fiber.StatusNotFound).Type("txt").SendString(recruit.ErrorMessage(err))
	}
	png, err := qrcode.Encode(s.phoneURL(ticket), qrcode.Medium, 256)
	if err != nil {
		return err
	}
	return c.Type("png").Send(png)
}

type dataItem struct {
	Value any `json:"value"`
}

func flatten(data map[string]dataItem) map[string]string {
	out := make(map[string]string, len(data))
	for k, v := range data {
		out[k] = fmt.Sprint(v.Value)
	}
	return out
}

// decodeMessage checks that the caller's token belongs to wantApp and
// decodes a message-sending request into req, which must name a template:
// 40097 for a wrong app or body, 40037 for a missing template.
func (s *Sandbox) decodeMessage(c *fiber.Ctx, wantApp string, req any, templateID *string) error {
	appID, err := s.authorize(c)
	if err != nil {
		return err
	}
	if appID != wantApp || json.Unmarshal(c.Body(), req) != nil {
		return apiError(40097)
	}
	if *templateID == "" {
		return apiError(40037)
	}
	return nil
}

func (s *Sandbox) templateSend(c *fiber.Ctx) (any, error) {
	var req struct {
		ToUser      string              `json:"touser"`
		TemplateID  string              `json:"template_id"`
		URL         string              `json:"url"`
		ClientMsgID string              `json:"client_msg_id"`
		Data        map[string]dataItem `json:"data"`
	}
	if err := s.decodeMessage(c, s.opts.AppID, &req, &req.TemplateID); err != nil {
		return nil, err
	}
	u, found := s.user(req.ToUser)
	if !found || u.OpenID != req.ToUser {
		return nil, apiError(40003)
	}
	if !u.Following {
		return nil, apiError(43004)
	}
	m := Message{Kind: "模板消息", ToUser: req.ToUser, TemplateID: req.TemplateID, Link: req.URL,
		ClientMsgID: req.ClientMsgID, Data: flatten(req.Data), Time: s.now()}
	id, err := s.record(c.UserContext(), m)
	if err != nil {
		return nil, err
	}
	if f := s.takeFault(EventJobFinish); f != nil {
		s.mu.Lock()
		s.reports = append(s.reports, report{openID: req.ToUser, msgID: id, status: f.Status})
		s.mu.Unlock()
	}
	return fiber.Map{"errcode": 0, "errmsg": "ok", "msgid": id}, nil
}

// record stores m and returns its msgid. A message whose client_msg_id was
// seen before is not stored again: the first one's msgid is returned. The
// client_msg_id is checked in the KV store without holding mu: that is a
// write to the service's store, and holding mu across it made every
// template send wait for the one before it.
func (s *Sandbox) record(ctx context.Context, m Message) (int64, error) {
	s.mu.Lock()
	s.lastMsg++
	m.MsgID = s.lastMsg
	s.mu.Unlock()
	if m.ClientMsgID != "" {
		key := keyIdem + m.ClientMsgID
		first, err := s.opts.KV.AddKV(ctx, key, strconv.FormatInt(m.MsgID, 10), idemLife, s.now())
		if err != nil {
			return 0, err
		}
		if !first {
			prev, err := s.opts.KV.GetKV(ctx, key, s.now())
			if err != nil {
				return 0, err
			}
			s.mu.Lock()
			s.dups++
			s.mu.Unlock()
			return strconv.ParseInt(prev, 10, 64)
		}
	}
	s.mu.Lock()
	s.messages = append(s.messages, m)
	s.mu.Unlock()
	return m.MsgID, nil
}

// button is a menu button as WeChat takes it.
type button struct {
	Type      string   `json:"type,omitempty"`
	Name      string   `json:"name"`
	Key       string   `json:"key,omitempty"`
	URL       string   `json:"url,omitempty"`
	SubButton []button `json:"sub_button,omitempty"`
}

func (s *Sandbox) menuCreate(c *fiber.Ctx) (any, error) {
	appID, err := s.authorize(c)
	if err != nil {
		return nil, err
	}
	var req struct {
		Button []button `json:"button"`
	}
	if appID != s.opts.AppID || json.Unmarshal(c.Body(), &req) != nil {
		return nil, apiError(40097)
	}
	if err := validMenu(req.Button); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.menu = req.Button
	s.mu.Unlock()
	return ok, nil
}

// validMenu applies WeChat's limits: 1–3 top buttons, up to 5 below each,
// names set, view buttons with a URL.
func validMenu(top []button) error {
	if len(top) == 0 || len(top) > 3 {
		return apiError(40016)
	}
	for _, b := range top {
		if len(b.SubButton) > 5 {
			return apiError(40016)
		}
		for _, sub := range append([]button{b}, b.SubButton...) {
			if sub.Name == "" || (sub.Type == "view" && sub.URL == "") {
				return apiError(40097)
			}
		}
	}
	return nil
}

// Menu returns the published menu.
func (s *Sandbox) Menu() []MenuButton {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]MenuButton, 0, len(s.menu))
	for _, b := range s.menu {
		mb := MenuButton{Name: b.Name, URL: b.URL}
		for _, sub := range b.SubButton {
			mb.Sub = append(mb.Sub, MenuButton{Name: sub.Name, URL: sub.URL})
		}
		out = append(out, mb)
	}
	return out
}

// MenuButton is a published menu button; URL is set for view buttons.
type MenuButton struct {
	Name string
	URL  string
	Sub  []MenuButton
}

func (s *Sandbox) jsCode(c *fiber.Ctx) (any, error) {
	if c.Query("grant_type") != "authorization_code" {
		return nil, apiError(40002)
	}
	if err := s.appCredentials(c, true); err != nil {
		return nil, err
	}
	openID, err := s.useCode(c.UserContext(), keyJSCode, c.Query("js_code"))
	if err != nil {
		return nil, err
	}
	return fiber.Map{"openid": openID, "session_key": randomID(16)}, nil
}

// MiniCode returns a mini-program login code (what wx.login gives) for the
// test user with the given official-account or mini-program openid.
func (s *Sandbox) MiniCode(ctx context.Context, openID string) (string, error) {
	u, found := s.user(openID)
	if !found {
		return "", recruit.Errorf(recruit.ENOTFOUND, "测试用户不存在")
	}
	return s.newCode(ctx, keyJSCode, u.MiniOpenID)
}

func (s *Sandbox) subscribeSend(c *fiber.Ctx) (any, error) {
	var req struct {
		ToUser     string              `json:"touser"`
		TemplateID string              `json:"template_id"`
		Page       string              `json:"page"`
		Data       map[string]dataItem `json:"data"`
	}
	if err := s.decodeMessage(c, s.opts.MiniAppID, &req, &req.TemplateID); err != nil {
		return nil, err
	}
	if u, found := s.user(req.ToUser); !found || u.MiniOpenID != req.ToUser {
		return nil, apiError(40003)
	}
	m := Message{Kind: "订阅消息", ToUser: req.ToUser, TemplateID: req.TemplateID, Link: req.Page,
		Data: flatten(req.Data), Time: s.now()}
	if _, err := s.record(c.UserContext(), m); err != nil {
		return nil, err
	}
	return ok, nil
}
