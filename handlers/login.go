package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/skip2/go-qrcode"

	"zhupei/recruit"
	"zhupei/wechat"
)

// WeChat login: H5 pages log in through snsapi_base OAuth; the PC site shows
// a temporary QR code whose scene names a login ticket, the phone that scans
// it confirms, and the PC page, polling, then gets its own session.

// wechatState is what the WeChat routes need besides the server.
type wechatState struct {
	client   *wechat.Client
	stateKey []byte // signs OAuth states
}

// Lifetimes and store keys of the login records.
const (
	oauthStateTTL  = 10 * time.Minute
	oauthUsedKey   = "oauth:used:"   // + state, once a login took it
	oauthCookie    = "zp_oauth"      // the browser's nonce for OAuth states
	oauthNext      = "zp_oauth_next" // where to go after the login
	oauthPath      = "/wechat/oauth" // the path of both cookies
	oauthCallback  = "/wechat/oauth/callback"
	loginTTL       = 5 * time.Minute
	loginKey       = "login:"      // + ticket → loginTicket JSON
	loginScanKey   = "login:scan:" // + ticket → openid of the first scanner
	loginDoneKey   = "login:done:" // + ticket → loginResult JSON (confirmed or cancelled)
	loginUsedKey   = "login:used:" // + ticket, once the PC took the session
	loginRateKey   = "login:rate:" // + client IP, QR codes made per minute
	loginRateLimit = 20
	loginCookie    = "zp_login" // the browser's nonce for login tickets
	loginScene     = "login:"   // QR scene prefix; the ticket follows
)

// wechatRoutes registers the login and OAuth routes when WeChat is
// configured, and the real-name binding routes when the applicant service
// is too.
func (s *server) wechatRoutes(app *fiber.App, cfg Config) {
	if cfg.WeChat == nil {
		return
	}
	key := cfg.StateKey
	if len(key) == 0 {
		key = []byte(randomToken(32))
	}
	s.wx = &wechatState{client: cfg.WeChat, stateKey: key}
	app.Get("/wechat/oauth/start", s.oauthStart)
	app.Get(oauthCallback, s.oauthCallback)
	app.Get("/login", s.loginPage)
	app.Get("/login/qr.png", s.loginQR)
	app.Get("/api/v1/login/status", s.loginStatus)
	app.Get("/login/confirm", s.confirmPage)
	app.Post("/login/confirm", s.requireLogin, s.confirmSubmit)
	if s.apply != nil {
		s.bindRoutes(app)
	}
}

// mountSandbox serves the sandbox platform, in sandbox mode, at its path
// ahead of the middleware that app.Use adds later: the stand-in for WeChat is
// another site sharing the port, with no session, CSRF check or CSP of ours.
func mountSandbox(app *fiber.App, cfg Config) {
	if cfg.Sandbox == nil || cfg.WeChat == nil || cfg.WeChat.SandboxURL() == "" {
		return
	}
	u, err := url.Parse(cfg.WeChat.SandboxURL())
	if err != nil || u.Path == "" {
		return
	}
	h := cfg.Sandbox.Handler()
	app.Use(u.Path, func(c *fiber.Ctx) error {
		h(c.Context())
		return nil
	})
}

// browserNonce returns the random value of the named cookie, setting a new
// one (HttpOnly, SameSite=Lax, ttl) when it is missing or malformed.
func browserNonce(c *fiber.Ctx, name, path string, ttl time.Duration) string {
	v := c.Cookies(name)
	if len(v) != 32 || strings.Trim(v, "0123456789abcdef") != "" {
		v = randomToken(16)
	}
	c.Cookie(&fiber.Cookie{
		Name: name, Value: v, Path: path, MaxAge: int(ttl / time.Second),
		HTTPOnly: true, Secure: c.Protocol() == "https", SameSite: fiber.CookieSameSiteLaxMode,
	})
	return v
}

// sameNonce compares the browser's cookie with a stored nonce hash.
func sameNonce(c *fiber.Ctx, name, storedHash string) bool {
	v := c.Cookies(name)
	return v != "" && subtle.ConstantTimeCompare([]byte(hashNonce(v)), []byte(storedHash)) == 1
}

func hashNonce(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// validTicket accepts the tickets randomToken(16) makes.
func validTicket(t string) bool {
	return len(t) == 32 && strings.Trim(t, "0123456789abcdef") == ""
}

// getJSONKV reads a JSON record from the store.
func (s *server) getJSONKV(ctx context.Context, key string, v any) error {
	raw, err := s.store.GetKV(ctx, key, s.now())
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return recruit.Internal(err)
	}
	return nil
}

// setJSONKV writes a JSON record to the store.
func (s *server) setJSONKV(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return recruit.Internal(err)
	}
	return s.store.SetKV(ctx, key, string(raw), ttl, s.now())
}

// OAuth states are stateless: nothing is stored until WeChat sends back a
// code that logs someone in. A state is its expiry (Unix seconds, 10
// digits), a random salt (each state is new, as the one-time record needs)
// and an HMAC of both with the browser's nonce cookie and the next page
// (kept in its own cookie), so it is valid only in the browser that started
// the login, only for that next page and only until it expires; WeChat
// allows a state of at most 128 letters and digits.
const (
	stateExpiryLen = 10
	stateSaltLen   = 16 // hex digits
	stateMACLen    = 32 // hex digits of the HMAC kept
)

// oauthStateMAC is the signature part of a state.
func (w *wechatState) oauthStateMAC(nonce, expirySalt, next string) string {
	m := hmac.New(sha256.New, w.stateKey)
	fmt.Fprintf(m, "oauth-state\x00%s\x00%s\x00%s", nonce, expirySalt, next)
	return hex.EncodeToString(m.Sum(nil))[:stateMACLen]
}

// oauthStart sends the browser to WeChat's snsapi_base authorization with a
// fresh state signed for this browser; it writes nothing to the store.
func (s *server) oauthStart(c *fiber.Ctx) error {
	client := s.wx.client
	// In sandbox mode the browser may have come on another host name
	// (127.0.0.1 for localhost): go to the configured one first, so that
	// the state cookie is there when WeChat sends the browser back.
	if client.Sandboxed() && !strings.EqualFold(c.Protocol()+"://"+c.Hostname(), client.BaseURL()) {
		return c.Redirect(client.BaseURL()+string(c.Request().URI().RequestURI()), fiber.StatusFound)
	}
	next := safeNext(c.Query("next"), "/apply")
	nonce := browserNonce(c, oauthCookie, oauthPath, oauthStateTTL)
	c.Cookie(&fiber.Cookie{
		Name: oauthNext, Value: url.QueryEscape(next), Path: oauthPath, MaxAge: int(oauthStateTTL / time.Second),
		HTTPOnly: true, Secure: c.Protocol() == "https", SameSite: fiber.CookieSameSiteLaxMode,
	})
	head := strconv.FormatInt(s.now().Add(oauthStateTTL).Unix(), 10) + randomToken(stateSaltLen/2)
	target, err := client.OAuthURL(client.BaseURL()+oauthCallback, head+s.wx.oauthStateMAC(nonce, head, next))
	if err != nil {
		return err
	}
	return c.Redirect(target, fiber.StatusFound)
}

// checkState returns the next page of a state made by oauthStart for this
// browser and not expired.
func (s *server) checkState(c *fiber.Ctx, state string) (string, error) {
	invalid := recruit.Errorf(recruit.EFORBIDDEN, "授权链接无效或已过期，请从公众号菜单或登录页面重新进入")
	if len(state) != stateExpiryLen+stateSaltLen+stateMACLen {
		return "", invalid
	}
	head, mac := state[:stateExpiryLen+stateSaltLen], state[stateExpiryLen+stateSaltLen:]
	unix, err := strconv.ParseInt(head[:stateExpiryLen], 10, 64)
	if err != nil || !s.now().Before(time.Unix(unix, 0)) {
		return "", invalid
	}
	next, err := url.QueryUnescape(c.Cookies(oauthNext))
	nonce := c.Cookies(oauthCookie)
	if err != nil || nonce == "" || !hmac.Equal([]byte(mac), []byte(s.wx.oauthStateMAC(nonce, head, next))) {
		return "", recruit.Errorf(recruit.EFORBIDDEN, "授权请求不是从当前浏览器发起的，请从公众号菜单或登录页面重新进入")
	}
	return next, nil
}

// oauthCallback takes WeChat's code: it checks the state, exchanges the code
// for the openid, starts the session and leaves the URL carrying the code.
// Every state is made by oauthStart for one browser and used once: the
// menu's links go through oauthStart too, so that nobody can send a victim a
// callback URL that logs them into someone else's account. The one-time
// record is written only after WeChat accepted the code, so a request that
// logs nobody in writes nothing.
func (s *server) oauthCallback(c *fiber.Ctx) error {
	ctx := c.UserContext()
	state := c.Query("state")
	if state == "" {
		return recruit.Errorf(recruit.EINVALID, "授权链接缺少 state 参数，请从公众号菜单或登录页面重新进入")
	}
	next, err := s.checkState(c, state)
	if err != nil {
		return err
	}
	errUsed := recruit.Errorf(recruit.ECONFLICT, "该授权链接已使用，请从公众号菜单或登录页面重新进入")
	if _, err := s.store.GetKV(ctx, oauthUsedKey+state, s.now()); err == nil {
		return errUsed
	}
	openID, err := s.wx.client.ExchangeCode(ctx, c.Query("code"))
	if err != nil {
		return err
	}
	first, err := s.store.AddKV(ctx, oauthUsedKey+state, "1", oauthStateTTL, s.now())
	if err != nil {
		return err
	}
	if !first {
		return errUsed
	}
	identityID, err := s.identityIDOf(ctx, openID)
	if err != nil {
		return err
	}
	if _, err := s.startSession(c, session{OpenID: openID, IdentityID: identityID, Via: "oauth"}); err != nil {
		return err
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// identityIDOf returns the identity bound to openID, 0 when it is unbound.
func (s *server) identityIDOf(ctx context.Context, openID string) (int64, error) {
	id, err := s.store.IdentityByOpenID(ctx, openID)
	switch recruit.ErrorCode(err) {
	case "":
		return id.ID, nil
	case recruit.ENOTFOUND:
		return 0, nil
	}
	return 0, err
}

// inWeChat reports whether the request comes from WeChat's in-app browser.
func inWeChat(c *fiber.Ctx) bool {
	return strings.Contains(c.Get(fiber.HeaderUserAgent), "MicroMessenger")
}

// oauthLogin is the address that logs a phone in through OAuth and returns
// to next.
func oauthLogin(next string) string {
	return "/wechat/oauth/start?next=" + url.QueryEscape(next)
}

// loginTicket is a PC login in progress. The scanner, the phone's answer and
// the PC's use of it are separate records, each created once (AddKV).
type loginTicket struct {
	Browser string    `json:"browser"` // hash of the PC browser's nonce cookie
	Next    string    `json:"next"`
	QRURL   string    `json:"qr_url"` // what the QR code encodes
	Expires time.Time `json:"expires"`
	PC      pcInfo    `json:"pc"`
	// Staff marks a login to the staff console (/admin/login): the phone
	// needs no real-name binding and the PC gets a console session.
	Staff bool `json:"staff,omitempty"`
}

// pcInfo is what the phone is shown of the PC asking to log in, so that a
// user tricked into scanning someone else's code can tell.
type pcInfo struct {
	Addr    string `json:"addr"`    // the client address
	Browser string `json:"browser"` // browserLabel of its User-Agent
	Time    string `json:"time"`    // when the code was made, Beijing time
}

// browserLabel names a User-Agent's browser and system in a few words
// ("Chrome / Windows"), never echoing the client's text.
func browserLabel(ua string) string {
	first := func(pairs ...string) string {
		for i := 0; i+1 < len(pairs); i += 2 {
			if strings.Contains(ua, pairs[i]) {
				return pairs[i+1]
			}
		}
		return "未知"
	}
	browser := first("MicroMessenger", "微信", "Edg/", "Edge", "OPR/", "Opera", "Firefox/", "Firefox",
		"Chrome/", "Chrome", "Safari/", "Safari")
	system := first("Windows", "Windows", "iPhone", "iOS", "iPad", "iPadOS", "Mac OS X", "macOS",
		"Android", "Android", "CrOS", "ChromeOS", "Linux", "Linux")
	return browser + " / " + system
}

// loginResult is the phone's answer to a ticket.
type loginResult struct {
	Confirmed  bool   `json:"confirmed"`
	OpenID     string `json:"openid"`
	IdentityID int64  `json:"identity_id"`
}

// loginData is the data of login.html.
type loginData struct {
	Ticket    string
	Next      string
	Seconds   int    // remaining life of the QR code
	Left      string // the same as m:ss
	SandboxQR string // the sandbox's "scan with phone" page, sandbox mode only
}

// loginPage shows the QR code of a new login ticket tied to this browser.
// Logged-in visitors go on at once; WeChat's own browser logs in by OAuth.
func (s *server) loginPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	next := safeNext(c.Query("next"), "/apply")
	if sess := sessionOf(c); sess != nil {
		if sess.IdentityID == 0 {
			return c.Redirect("/bind?next="+url.QueryEscape(next), fiber.StatusSeeOther)
		}
		to, err := s.apply.Landing(ctx, sess.IdentityID, next)
		if err != nil {
			return err
		}
		return c.Redirect(to, fiber.StatusSeeOther)
	}
	if inWeChat(c) {
		return c.Redirect(oauthLogin(next), fiber.StatusSeeOther)
	}
	d, err := s.newTicket(c, next, false)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "login.html", page{Title: "扫码登录", Body: d})
}

// newTicket stores a login ticket tied to this browser for next (a staff
// console login when staff is set) and returns the login page's data.
func (s *server) newTicket(c *fiber.Ctx, next string, staff bool) (loginData, error) {
	ctx := c.UserContext()
	if err := recruit.Limit(ctx, s.store, loginRateKey+recruit.Client(ctx), loginRateLimit, time.Minute, s.now(), "刷新过于频繁，请一分钟后再试"); err != nil {
		return loginData{}, err
	}
	nonce := browserNonce(c, loginCookie, "/", 2*loginTTL)
	t := randomToken(16)
	qr, err := s.wx.client.TempQR(ctx, loginScene+t, loginTTL)
	if err != nil {
		return loginData{}, err
	}
	tk := loginTicket{Browser: hashNonce(nonce), Next: next, QRURL: qr.URL, Expires: s.now().Add(loginTTL), Staff: staff,
		PC: pcInfo{Addr: clientIP(c), Browser: browserLabel(c.Get(fiber.HeaderUserAgent)),
			Time: s.now().In(recruit.Shanghai).Format("2006-01-02 15:04:05")}}
	if err := s.setJSONKV(ctx, loginKey+t, tk, loginTTL); err != nil {
		return loginData{}, err
	}
	secs := int(loginTTL / time.Second)
	d := loginData{Ticket: t, Next: next, Seconds: secs, Left: fmt.Sprintf("%d:%02d", secs/60, secs%60)}
	if s.wx.client.Sandboxed() {
		d.SandboxQR = qr.URL
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return d, nil
}

// ticketOf returns the live ticket t; ENOTFOUND says the code expired.
func (s *server) ticketOf(ctx context.Context, t string) (loginTicket, error) {
	var tk loginTicket
	if !validTicket(t) {
		return tk, recruit.Errorf(recruit.EINVALID, "登录二维码参数错误，请刷新页面重新扫码")
	}
	err := s.getJSONKV(ctx, loginKey+t, &tk)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return tk, recruit.Errorf(recruit.ENOTFOUND, "登录二维码已过期，请刷新页面重新扫码")
	}
	return tk, err
}

// browserTicket returns ticket t if it was made for this browser.
func (s *server) browserTicket(c *fiber.Ctx, t string) (loginTicket, error) {
	tk, err := s.ticketOf(c.UserContext(), t)
	if err != nil {
		return tk, err
	}
	if !sameNonce(c, loginCookie, tk.Browser) {
		return tk, recruit.Errorf(recruit.EFORBIDDEN, "该登录二维码不是在当前浏览器上生成的，请刷新页面重新扫码")
	}
	return tk, nil
}

// remaining is how long a ticket still lives, at least a second.
func (s *server) remaining(tk loginTicket) time.Duration {
	return max(tk.Expires.Sub(s.now()), time.Second)
}

// loginQR draws the QR code of a ticket as a PNG.
func (s *server) loginQR(c *fiber.Ctx) error {
	tk, err := s.browserTicket(c, c.Query("t"))
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(tk.QRURL, qrcode.Medium, 280)
	if err != nil {
		return recruit.Internal(err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Type("png").Send(png)
}

// loginStatus answers the PC page's poll: pending, scanned, cancelled, or
// confirmed — then, once only, the PC's session starts and the answer says
// where to go.
func (s *server) loginStatus(c *fiber.Ctx) error {
	ctx := c.UserContext()
	t := c.Query("t")
	tk, err := s.browserTicket(c, t)
	if err != nil {
		return err
	}
	if _, err := s.store.GetKV(ctx, loginUsedKey+t, s.now()); err == nil {
		return recruit.Errorf(recruit.ECONFLICT, "该登录二维码已使用，请刷新页面重新登录")
	}
	left := int(s.remaining(tk) / time.Second)
	var res loginResult
	err = s.getJSONKV(ctx, loginDoneKey+t, &res)
	switch {
	case recruit.ErrorCode(err) == recruit.ENOTFOUND:
		state := "pending"
		if _, err := s.store.GetKV(ctx, loginScanKey+t, s.now()); err == nil {
			state = "scanned"
		}
		return c.JSON(fiber.Map{"state": state, "expires_in": left})
	case err != nil:
		return err
	case !res.Confirmed:
		return c.JSON(fiber.Map{"state": "cancelled", "expires_in": left})
	}
	first, err := s.store.AddKV(ctx, loginUsedKey+t, "1", s.remaining(tk), s.now())
	if err != nil {
		return err
	}
	if !first {
		return recruit.Errorf(recruit.ECONFLICT, "该登录二维码已使用，请刷新页面重新登录")
	}
	if tk.Staff {
		if err := s.startConsole(c, res.OpenID); err != nil {
			return err
		}
		return c.JSON(fiber.Map{"state": "confirmed", "redirect": tk.Next})
	}
	if _, err := s.startSession(c, session{OpenID: res.OpenID, IdentityID: res.IdentityID, Via: "qr"}); err != nil {
		return err
	}
	to, err := s.apply.Landing(ctx, res.IdentityID, tk.Next)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"state": "confirmed", "redirect": to})
}

// confirmData is the data of confirm.html.
type confirmData struct {
	Ticket string
	CSRF   string
	Name   string
	PC     pcInfo
	Done   string // "", "confirmed" or "cancelled"
	Staff  bool   // a staff console login
}

// scannedTicket checks that ticket t is live, was scanned by the session's
// account and has no answer yet.
func (s *server) scannedTicket(ctx context.Context, t string, sess *session) (loginTicket, error) {
	tk, err := s.ticketOf(ctx, t)
	if err != nil {
		return tk, err
	}
	scanner, err := s.store.GetKV(ctx, loginScanKey+t, s.now())
	if recruit.ErrorCode(err) == recruit.ENOTFOUND || (err == nil && scanner != sess.OpenID) {
		return tk, recruit.Errorf(recruit.EFORBIDDEN, "请使用扫描该二维码的微信确认登录")
	}
	if err != nil {
		return tk, err
	}
	if _, err := s.store.GetKV(ctx, loginDoneKey+t, s.now()); err == nil {
		return tk, recruit.Errorf(recruit.ECONFLICT, "该登录请求已处理，如需登录请在电脑上刷新页面重新扫码")
	}
	return tk, nil
}

// confirmPage asks the phone that scanned to confirm the PC login. The phone
// logs in by OAuth first, and an unbound account binds its real name first.
func (s *server) confirmPage(c *fiber.Ctx) error {
	sess := sessionOf(c)
	if sess == nil {
		return c.Redirect(oauthLogin(c.OriginalURL()), fiber.StatusSeeOther)
	}
	ctx := c.UserContext()
	t := c.Query("t")
	tk, err := s.scannedTicket(ctx, t, sess)
	if err != nil {
		return err
	}
	if tk.Staff {
		return s.render(c, fiber.StatusOK, "confirm.html", page{Title: "确认登录",
			Body: confirmData{Ticket: t, CSRF: sess.CSRF, Name: s.staffLabel(ctx, sess.OpenID), PC: tk.PC, Staff: true}})
	}
	id, err := s.store.IdentityByOpenID(ctx, sess.OpenID)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return c.Redirect("/bind?next="+url.QueryEscape("/login/confirm?t="+t), fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "confirm.html", page{Title: "确认登录", Body: confirmData{Ticket: t, CSRF: sess.CSRF, Name: id.Name, PC: tk.PC}})
}

// confirmSubmit records the phone's answer: 确认登录 or 取消.
func (s *server) confirmSubmit(c *fiber.Ctx) error {
	sess := sessionOf(c)
	ctx := c.UserContext()
	t := c.FormValue("t")
	tk, err := s.scannedTicket(ctx, t, sess)
	if err != nil {
		return err
	}
	res := loginResult{Confirmed: c.FormValue("action") == "confirm", OpenID: sess.OpenID}
	d := confirmData{Done: "cancelled", Staff: tk.Staff}
	if res.Confirmed && tk.Staff {
		d.Done = "confirmed"
	} else if res.Confirmed {
		id, err := s.store.IdentityByOpenID(ctx, sess.OpenID)
		if recruit.ErrorCode(err) == recruit.ENOTFOUND {
			return recruit.Errorf(recruit.EFORBIDDEN, "请先完成实名认证再确认登录")
		}
		if err != nil {
			return err
		}
		res.IdentityID, d.Done = id.ID, "confirmed"
	}
	raw, err := json.Marshal(res)
	if err != nil {
		return recruit.Internal(err)
	}
	first, err := s.store.AddKV(ctx, loginDoneKey+t, string(raw), s.remaining(tk), s.now())
	if err != nil {
		return err
	}
	if !first {
		return recruit.Errorf(recruit.ECONFLICT, "该登录请求已处理，如需登录请在电脑上刷新页面重新扫码")
	}
	return s.render(c, fiber.StatusOK, "confirm.html", page{Title: "确认登录", Body: d})
}

// loginView is the logged-in state the layout shows: the bound name (or
// 已登录 before binding), the token of the 退出登录 form and, for a bound
// applicant, the 我的消息 link (Inbox) with the number of unread messages.
type loginView struct {
	Name   string
	CSRF   string
	Inbox  bool
	Unread int
}

// loginView returns the request's logged-in state, nil without a session.
func (s *server) loginView(c *fiber.Ctx) *loginView {
	sess := sessionOf(c)
	if sess == nil {
		return nil
	}
	v := &loginView{Name: "已登录", CSRF: sess.CSRF}
	id, ok := identityOf(c)
	if !ok && sess.IdentityID != 0 {
		var err error
		id, err = s.store.GetIdentity(c.UserContext(), sess.IdentityID)
		ok = err == nil
	}
	if !ok {
		return v
	}
	v.Name = id.Name
	if s.apply != nil {
		// The badge is a hint: a page still renders when the count fails.
		if n, err := s.apply.Unread(c.UserContext(), id); err == nil {
			v.Inbox, v.Unread = true, n
		}
	}
	return v
}
