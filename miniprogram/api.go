package miniprogram

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/forms"
	"zhupei/province"
	"zhupei/recruit"
	"zhupei/wechat"
)

// Sessions and rate limits.
const (
	SessionTTL   = 2 * time.Hour
	keySession   = "mpsess:"
	keyRateLogin = "mp:rate:login:" // + client IP, per minute
	keyRateBind  = "mp:rate:bind:"  // + openid, per hour
	loginLimit   = 20
	bindLimit    = 10
	localSession = "mp_session"
)

// CodeExchanger turns a wx.login code into the mini-program openid;
// *wechat.Client is one.
type CodeExchanger interface {
	Code2Session(ctx context.Context, code string) (wechat.Session, error)
}

// Store is the part of the store the mini-program's staff use-cases need.
type Store interface {
	recruit.KV
	recruit.StaffStore
}

// Config is what the mini-program API needs.
type Config struct {
	Store  Store
	WeChat CodeExchanger
	// Province redeems invitations and names the staff's base; required.
	Province *province.Service
	Forms    *forms.Service   // serves the staff's form and file routes; none when nil
	Now      func() time.Time // time.Now when nil
	Logger   *slog.Logger     // slog.Default() when nil
}

// API serves the staff mini-program's JSON API.
type API struct {
	store    Store
	wx       CodeExchanger
	province *province.Service
	forms    *forms.Service
	now      func() time.Time
	log      *slog.Logger
}

// New returns the API for cfg; Store, WeChat and Province are required.
func New(cfg Config) *API {
	if cfg.Store == nil || cfg.WeChat == nil || cfg.Province == nil {
		panic("miniprogram: Config.Store, Config.WeChat and Config.Province are required")
	}
	a := &API{store: cfg.Store, wx: cfg.WeChat, province: cfg.Province, forms: cfg.Forms, now: cfg.Now, log: cfg.Logger}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	return a
}

// Register mounts the routes under /api/v1/mp on r. Errors are returned as
// *recruit.Error for the application's error handler to render as JSON.
func (a *API) Register(r fiber.Router) {
	mp := r.Group("/api/v1/mp")
	mp.Post("/login", a.login)
	mp.Post("/bind", a.auth, a.bind)
	mp.Get("/me", a.auth, a.me)
	mp.Post("/logout", a.auth, a.logout)
	mp.Post("/link-code", a.linkCode)
	a.formRoutes(mp)
}

// mpSession is the authenticated caller.
type mpSession struct {
	key    string         // store key of the session
	openID string         // the mini-program openid
	staff  *recruit.Staff // the account bound to openID, nil when none is
}

var (
	errNoToken  = recruit.Errorf(recruit.EUNAUTHORIZED, "请先登录小程序")
	errBadToken = recruit.Errorf(recruit.EUNAUTHORIZED, "登录已失效，请重新登录小程序")
	errDisabled = recruit.Errorf(recruit.EFORBIDDEN, "该工作人员账号已停用，请联系管理员")
)

// tokenLen is the length of a token: 32 random bytes, hex.
const tokenLen = 64

// auth is middleware: the request must carry a live session token.
func (a *API) auth(c *fiber.Ctx) error {
	sess, err := a.authenticate(c)
	if err != nil {
		return err
	}
	c.Locals(localSession, sess)
	return c.Next()
}

// authenticate returns the session of the request's bearer token with the
// account bound to its openid: EUNAUTHORIZED, with the Bearer challenge,
// when the token is missing, malformed, unknown or expired; EFORBIDDEN
// when the account is disabled, whose session is ended.
func (a *API) authenticate(c *fiber.Ctx) (mpSession, error) {
	h := c.Get(fiber.HeaderAuthorization)
	if h == "" {
		return mpSession{}, challenge(c, errNoToken)
	}
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || len(tok) != tokenLen || strings.Trim(tok, "0123456789abcdef") != "" {
		return mpSession{}, challenge(c, errBadToken)
	}
	key := sessionKey(tok)
	openID, err := a.store.GetKV(c.UserContext(), key, a.now())
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return mpSession{}, challenge(c, errBadToken)
	}
	if err != nil {
		return mpSession{}, err
	}
	sess := mpSession{key: key, openID: openID}
	if sess.staff, err = a.staffOf(c.UserContext(), openID); err != nil {
		return mpSession{}, err
	}
	if sess.staff != nil && sess.staff.Disabled {
		if err := a.store.DeleteKV(c.UserContext(), key); err != nil {
			return mpSession{}, err
		}
		return mpSession{}, errDisabled
	}
	return sess, nil
}

// staffOf returns the account bound to a mini-program openid, nil when
// there is none.
func (a *API) staffOf(ctx context.Context, openID string) (*recruit.Staff, error) {
	st, err := a.store.StaffByMPOpenID(ctx, openID)
	switch {
	case errors.Is(err, recruit.ErrStaffNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &st, nil
}

// Refusals of Staff and StaffBase.
var (
	errUnbound = recruit.Errorf(recruit.EFORBIDDEN, "该账号尚未绑定培训基地")
	errNoBase  = recruit.Errorf(recruit.EFORBIDDEN, "省级管理员账号不属于任何培训基地，请使用省级管理后台")
)

// Staff authenticates a request of the staff mini-program and returns the
// caller's account, which is enabled: EUNAUTHORIZED for a missing or
// invalid token, EFORBIDDEN for a disabled account or a session bound to
// none.
func (a *API) Staff(c *fiber.Ctx) (recruit.Staff, error) {
	sess, err := a.authenticate(c)
	if err != nil {
		return recruit.Staff{}, err
	}
	if sess.staff == nil {
		return recruit.Staff{}, errUnbound
	}
	return *sess.staff, nil
}

// StaffBase is Staff for the routes of one base, the staff's form and file
// routes (forms.go): it returns the id of the caller's base, and refuses a
// province admin, who has none, with EFORBIDDEN.
func (a *API) StaffBase(c *fiber.Ctx) (int64, error) {
	st, err := a.baseStaff(c)
	return st.BaseID, err
}

// baseStaff returns the request's staff account when it belongs to a base.
func (a *API) baseStaff(c *fiber.Ctx) (recruit.Staff, error) {
	st, err := a.Staff(c)
	if err != nil {
		return recruit.Staff{}, err
	}
	if !st.Role.HasBase() {
		return recruit.Staff{}, errNoBase
	}
	return st, nil
}

// challenge names the authentication scheme on a 401 answer (RFC 6750).
func challenge(c *fiber.Ctx, err error) error {
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="zhupei-mp"`)
	return err
}

// sessionKey is the store key of a token: its hash, so that a copy of the
// database holds no usable token.
func sessionKey(tok string) string {
	return keySession + recruit.HashSecret(tok)
}

func sessionOf(c *fiber.Ctx) mpSession {
	s, _ := c.Locals(localSession).(mpSession)
	return s
}

// limit counts one attempt under key and refuses beyond most per window.
func (a *API) limit(ctx context.Context, key string, most int64, window time.Duration, msg string) error {
	return recruit.Limit(ctx, a.store, key, most, window, a.now(), msg)
}

// decode reads a JSON request body into v.
func decode(c *fiber.Ctx, v any) error {
	if err := json.Unmarshal(c.Body(), v); err != nil {
		return recruit.Errorf(recruit.EINVALID, "请求格式错误，请以 JSON 提交")
	}
	return nil
}

// status is the caller's binding: {"bound", "base", "role", "role_label"};
// base is null when unbound or for a province admin, the role fields are
// left out when unbound.
type status struct {
	Bound     bool          `json:"bound"`
	Base      *recruit.Base `json:"base"`
	Role      recruit.Role  `json:"role,omitempty"`
	RoleLabel string        `json:"role_label,omitempty"`
}

// statusOf describes the account st, nil when unbound.
func (a *API) statusOf(ctx context.Context, st *recruit.Staff) (status, error) {
	if st == nil {
		return status{}, nil
	}
	out := status{Bound: true, Role: st.Role, RoleLabel: st.Role.Label()}
	if st.Role.HasBase() {
		b, err := a.province.Base(ctx, st.BaseID)
		if err != nil {
			return status{}, err
		}
		out.Base = &b
	}
	return out, nil
}

// loginResponse is the body of POST /api/v1/mp/login.
type loginResponse struct {
	Token     string `json:"token"`
	ExpiresIn int    `json:"expires_in"`
	status
}

// login exchanges a wx.login code for a session token.
func (a *API) login(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if err := a.limit(ctx, keyRateLogin+recruit.Client(ctx), loginLimit, time.Minute, "登录过于频繁，请1分钟后再试"); err != nil {
		return err
	}
	var req struct {
		Code string `json:"code"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	sess, err := a.wx.Code2Session(ctx, req.Code)
	if err != nil {
		return err
	}
	if sess.OpenID == "" {
		return recruit.Errorf(recruit.EUPSTREAM, "微信未返回用户标识，请稍后重试")
	}
	staff, err := a.staffOf(ctx, sess.OpenID)
	if err != nil {
		return err
	}
	if staff != nil && staff.Disabled {
		return errDisabled
	}
	st, err := a.statusOf(ctx, staff)
	if err != nil {
		return err
	}
	b := make([]byte, tokenLen/2)
	_, _ = rand.Read(b) // crypto/rand.Read never fails since Go 1.24
	tok := hex.EncodeToString(b)
	if err := a.store.SetKV(ctx, sessionKey(tok), sess.OpenID, SessionTTL, a.now()); err != nil {
		return err
	}
	return c.JSON(loginResponse{Token: tok, ExpiresIn: int(SessionTTL / time.Second), status: st})
}

// bind redeems an invitation for the caller and logs the outcome as an
// audit line.
func (a *API) bind(c *fiber.Ctx) error {
	ctx := c.UserContext()
	who := sessionOf(c).openID
	if err := a.limit(ctx, keyRateBind+who, bindLimit, time.Hour, "绑定尝试过于频繁，请1小时后再试"); err != nil {
		return err
	}
	var req struct {
		Invite string `json:"invite"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	staff, err := a.province.Redeem(ctx, req.Invite, recruit.ChannelMP, who)
	result := "ok"
	if err != nil {
		result = recruit.ErrorCode(err)
	}
	a.log.Info("audit: staff bind", "action", "staff.bind", "staff", staffRef(who), "staff_id", staff.ID,
		"role", staff.Role, "base_id", staff.BaseID, "result", result, "request_id", c.GetRespHeader(fiber.HeaderXRequestID))
	if err != nil {
		return err
	}
	st, err := a.statusOf(ctx, &staff)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// linkCode answers a code that binds the PC console (the official
// account's QR login) to the caller's account (province.CreateLinkCode).
func (a *API) linkCode(c *fiber.Ctx) error {
	staff, err := a.Staff(c)
	if err != nil {
		return err
	}
	link, err := a.province.CreateLinkCode(c.UserContext(), staff, recruit.ChannelOA)
	if err != nil {
		return err
	}
	return c.JSON(link)
}

// me answers the caller's binding.
func (a *API) me(c *fiber.Ctx) error {
	st, err := a.statusOf(c.UserContext(), sessionOf(c).staff)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// logout ends the caller's session.
func (a *API) logout(c *fiber.Ctx) error {
	if err := a.store.DeleteKV(c.UserContext(), sessionOf(c).key); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
