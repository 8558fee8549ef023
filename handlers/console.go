package handlers

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/province"
	"zhupei/recruit"
)

// The staff's PC console (/admin): a staff member logs in with the same
// official-account QR code as applicants (newTicket with staff set), the
// phone confirms without a real-name binding, and the PC gets a console
// session of its own — a cookie apart from the applicant's, so that one
// browser never mixes the two. A console session names the official
// account's openid; every request reads the staff account bound to it
// (recruit.Staff.OAOpenID) again, so disabling the account refuses its
// sessions at once. An openid bound to no account redeems an invitation
// code first (/admin/redeem).
const (
	consoleCookie   = "zp_admin"
	consolePrefix   = "console:" // + hash of the cookie value → consoleSession JSON
	consoleTTL      = 8 * time.Hour
	consoleRateKey  = "console:rate:redeem:" // + openid, redemptions per hour
	consoleRedeemN  = 10
	localConsole    = "console"
	localStaff      = "console_staff"
	consoleLoginURL = "/admin/login"
)

// consoleSession is what a logged-in console browser carries.
type consoleSession struct {
	ID        string    `json:"-"`
	OpenID    string    `json:"openid"` // the official account's openid
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
}

// consoleKey is the store key of the console session whose cookie value is
// id: its hash, as for applicant sessions.
func consoleKey(id string) string { return consolePrefix + recruit.HashSecret(id) }

// startConsole starts a console session for the official-account openid
// and sets its cookie; the old session of this browser, if any, ends.
func (s *server) startConsole(c *fiber.Ctx, openID string) error {
	if old := c.Cookies(consoleCookie); old != "" {
		_ = s.store.DeleteKV(c.UserContext(), consoleKey(old))
	}
	cs := consoleSession{ID: randomToken(32), OpenID: openID, CSRF: randomToken(16), CreatedAt: s.now()}
	raw, err := json.Marshal(cs)
	if err != nil {
		return recruit.Internal(err)
	}
	if err := s.store.SetKV(c.UserContext(), consoleKey(cs.ID), string(raw), consoleTTL, s.now()); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: consoleCookie, Value: cs.ID, Path: "/", MaxAge: int(consoleTTL / time.Second),
		HTTPOnly: true, Secure: c.Protocol() == "https", SameSite: fiber.CookieSameSiteLaxMode,
	})
	c.Locals(localConsole, &cs)
	return nil
}

// loadConsole is middleware: it attaches the live console session named by
// the cookie, if any, to the request (before csrf, which checks its token).
func (s *server) loadConsole(c *fiber.Ctx) error {
	id := c.Cookies(consoleCookie)
	if len(id) != 64 {
		return c.Next()
	}
	raw, err := s.store.GetKV(c.UserContext(), consoleKey(id), s.now())
	switch {
	case recruit.ErrorCode(err) == recruit.ENOTFOUND:
		return c.Next()
	case err != nil:
		return err
	}
	var cs consoleSession
	if err := json.Unmarshal([]byte(raw), &cs); err != nil {
		return recruit.Internal(err)
	}
	cs.ID = id
	c.Locals(localConsole, &cs)
	return c.Next()
}

// consoleOf returns the request's console session or nil.
func consoleOf(c *fiber.Ctx) *consoleSession {
	cs, _ := c.Locals(localConsole).(*consoleSession)
	return cs
}

// endConsole removes the console session and clears its cookie.
func (s *server) endConsole(c *fiber.Ctx) error {
	if id := c.Cookies(consoleCookie); id != "" {
		if err := s.store.DeleteKV(c.UserContext(), consoleKey(id)); err != nil {
			return err
		}
	}
	c.ClearCookie(consoleCookie)
	c.Locals(localConsole, nil)
	return nil
}

// Refusals of the console's authentication.
var (
	errConsoleLogin   = recruit.Errorf(recruit.EUNAUTHORIZED, "请先登录管理后台")
	errConsoleUnbound = recruit.Errorf(recruit.EFORBIDDEN, "该微信账号尚未绑定工作人员账号，请先输入邀请码")
)

// consoleAccount returns the enabled staff account of the request's
// console session: errConsoleLogin without a session, errConsoleUnbound when
// its openid has no account, recruit.ErrStaffDisabled (and the session
// ends) when the account is disabled.
func (s *server) consoleAccount(c *fiber.Ctx) (recruit.Staff, error) {
	cs := consoleOf(c)
	if cs == nil {
		return recruit.Staff{}, errConsoleLogin
	}
	st, err := s.store.StaffByOAOpenID(c.UserContext(), cs.OpenID)
	switch {
	case errors.Is(err, recruit.ErrStaffNotFound):
		return recruit.Staff{}, errConsoleUnbound
	case err != nil:
		return recruit.Staff{}, err
	case st.Disabled:
		if err := s.endConsole(c); err != nil {
			return recruit.Staff{}, err
		}
		return recruit.Staff{}, recruit.ErrStaffDisabled
	}
	return st, nil
}

// adminStaff is the one authentication of every admin route (the JSON API
// under /api/v1/admin and the console's screens): a request with an
// Authorization header is the mini-program's and goes to bearer (its
// bearer-token check, Config.Staff); any other needs a console session,
// whose CSRF token the csrf middleware has checked. It returns the enabled
// account; the services check its role and base.
func (s *server) adminStaff(bearer func(*fiber.Ctx) (recruit.Staff, error)) func(*fiber.Ctx) (recruit.Staff, error) {
	return func(c *fiber.Ctx) (recruit.Staff, error) {
		if c.Get(fiber.HeaderAuthorization) != "" && bearer != nil {
			return bearer(c)
		}
		return s.consoleAccount(c)
	}
}

// requireConsole is middleware of the console's screens: it puts the
// logged-in staff member in the locals (consoleStaff). A page request
// without a session goes to the login page and comes back; one of an
// unbound openid goes to the invitation page.
func (s *server) requireConsole(c *fiber.Ctx) error {
	st, err := s.consoleAccount(c)
	switch {
	case err == nil:
		c.Locals(localStaff, st)
		return c.Next()
	case c.Method() != fiber.MethodGet:
		return err
	case errors.Is(err, errConsoleLogin):
		return c.Redirect(consoleLoginURL+"?next="+url.QueryEscape(string(c.Request().URI().RequestURI())), fiber.StatusSeeOther)
	case errors.Is(err, errConsoleUnbound):
		return c.Redirect("/admin/redeem", fiber.StatusSeeOther)
	}
	return err
}

// consoleStaff returns the staff member requireConsole authenticated: the
// one call a console screen makes to know who acts.
func consoleStaff(c *fiber.Ctx) recruit.Staff {
	st, _ := c.Locals(localStaff).(recruit.Staff)
	return st
}

// consoleNav is one entry of the console's navigation.
type consoleNav struct {
	Key, Label, Href string
}

// The console's navigation by role: a base's screens, the province's.
var (
	reviewerNav  = []consoleNav{{"home", "首页", "/admin"}, {"queue", "审核", "/admin/queue"}, {"export", "导出", "/admin/export"}}
	baseAdminNav = []consoleNav{{"home", "首页", "/admin"}, {"queue", "审核", "/admin/queue"},
		{"admission", "拟录取与公示", "/admin/admission"}, {"dates", "日期与通知", "/admin/dates"},
		{"export", "导出", "/admin/export"}, {"staff", "人员", "/admin/staff"},
		{"statistics", "统计", "/admin/statistics"}, {"audit", "审计日志", "/admin/audit"}}
	provinceNav = []consoleNav{{"home", "首页", "/admin"}, {"queue", "审核", "/admin/queue"},
		{"calendar", "日历", "/admin/calendar"}, {"plans", "基地与计划", "/admin/plans"},
		{"notice", "温馨提示", "/admin/notice"}, {"staff", "人员", "/admin/staff"},
		{"statistics", "统计", "/admin/statistics"}, {"placement", "调剂方案", "/admin/placement"}, {"audit", "审计日志", "/admin/audit"}}
)

// navOf is the navigation of role.
func navOf(role recruit.Role) []consoleNav {
	switch role {
	case recruit.RoleProvince:
		return provinceNav
	case recruit.RoleBaseAdmin:
		return baseAdminNav
	}
	return reviewerNav
}

// consolePage is what admin_layout.html receives; a screen's "content"
// template gets the whole page: its own data as .Body, the staff member as
// .Staff (with .RoleLabel and .BaseName) and the form token as .CSRF.
type consolePage struct {
	Title     string
	Nav       string // the active entry's Key
	Body      any
	Staff     recruit.Staff
	RoleLabel string
	BaseName  string // "" for a province admin
	CSRF      string
	Items     []consoleNav
}

// adminLayout is the console's layout; pages named admin_*.html are
// rendered inside it.
const adminLayout = "admin_layout.html"

// renderConsole renders the console screen name for the request's staff
// member (consoleStaff) with status; p needs Title, Nav and Body.
func (s *server) renderConsole(c *fiber.Ctx, status int, name string, p consolePage) error {
	p.Staff = consoleStaff(c)
	p.RoleLabel = p.Staff.Role.Label()
	p.Items = navOf(p.Staff.Role)
	if cs := consoleOf(c); cs != nil {
		p.CSRF = cs.CSRF
	}
	if p.Staff.Role.HasBase() {
		b, err := s.province.Base(c.UserContext(), p.Staff.BaseID)
		if err != nil {
			return err
		}
		p.BaseName = b.Name
	}
	return s.execute(c, status, name, adminLayout, p)
}

// consoleRoutes registers the console under /admin when WeChat (for the QR
// login) and the province service are configured. A screen registers its
// routes on the group auth (behind requireConsole), reads the staff member
// with consoleStaff and renders with renderConsole.
func (s *server) consoleRoutes(app *fiber.App) {
	if s.wx == nil || s.province == nil {
		return
	}
	g := app.Group("/admin")
	g.Get("/login", s.consoleLogin)
	g.Post("/logout", s.consoleLogout)
	g.Get("/redeem", s.redeemPage)
	g.Post("/redeem", s.redeemSubmit)
	auth := g.Group("", s.requireConsole)
	auth.Get("/", s.consoleHome)
	auth.Post("/link-code", s.consoleLinkCode)
	s.consoleStaffRoutes(auth)
	s.queueConsoleRoutes(auth)
	s.provinceScreens(auth)
	if s.review != nil {
		s.admissionScreens(auth)
	}
	s.placementConsoleRoutes(auth)
}

// consoleLogin shows the staff's QR code; a logged-in staff member goes on.
func (s *server) consoleLogin(c *fiber.Ctx) error {
	next := safeNext(c.Query("next"), "/admin")
	if next != "/admin" && !strings.HasPrefix(next, "/admin/") && !strings.HasPrefix(next, "/admin?") {
		next = "/admin" // the console's login leads into the console only
	}
	if _, err := s.consoleAccount(c); err == nil {
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	d, err := s.newTicket(c, next, true)
	if err != nil {
		return err
	}
	return s.execute(c, fiber.StatusOK, "admin_login.html", adminLayout, consolePage{Title: "管理后台登录", Body: d})
}

// consoleLogout ends the console session.
func (s *server) consoleLogout(c *fiber.Ctx) error {
	if err := s.endConsole(c); err != nil {
		return err
	}
	return c.Redirect(consoleLoginURL, fiber.StatusSeeOther)
}

// redeemData is the data of admin_redeem.html.
type redeemData struct {
	Code  string
	Error string
}

// redeemPage asks a logged-in openid bound to no account for its code.
func (s *server) redeemPage(c *fiber.Ctx) error {
	switch _, err := s.consoleAccount(c); {
	case err == nil:
		return c.Redirect("/admin", fiber.StatusSeeOther)
	case errors.Is(err, errConsoleLogin):
		return c.Redirect(consoleLoginURL, fiber.StatusSeeOther)
	case !errors.Is(err, errConsoleUnbound):
		return err
	}
	return s.renderRedeem(c, fiber.StatusOK, redeemData{})
}

func (s *server) renderRedeem(c *fiber.Ctx, status int, d redeemData) error {
	p := consolePage{Title: "绑定工作人员账号", Body: d}
	if cs := consoleOf(c); cs != nil {
		p.CSRF = cs.CSRF
	}
	return s.execute(c, status, "admin_redeem.html", adminLayout, p)
}

// redeemSubmit redeems an invitation code for the session's openid: the
// official-account channel of a new staff account (province.Redeem).
func (s *server) redeemSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	cs := consoleOf(c)
	if cs == nil {
		return errConsoleLogin
	}
	if err := recruit.Limit(ctx, s.store, consoleRateKey+cs.OpenID, consoleRedeemN, time.Hour, s.now(), "绑定尝试过于频繁，请1小时后再试"); err != nil {
		return err
	}
	code := c.FormValue("code")
	if _, err := s.province.Redeem(ctx, code, recruit.ChannelOA, cs.OpenID); err != nil {
		if st, ok := statusOf[recruit.ErrorCode(err)]; ok && st < 500 {
			return s.renderRedeem(c, st, redeemData{Code: code, Error: recruit.ErrorMessage(err)})
		}
		return err
	}
	return c.Redirect("/admin", fiber.StatusSeeOther)
}

// consoleHomeData is the data of admin_home.html.
type consoleHomeData struct {
	Expires time.Time // when the console session ends
	// MPBound tells that the account uses the mini-program too; Link is
	// the code just made to bind it (province.CreateLinkCode).
	MPBound bool
	Link    *province.LinkCode
}

// consoleHome is /admin: who is logged in, with which role and base.
func (s *server) consoleHome(c *fiber.Ctx) error {
	return s.renderHome(c, nil)
}

// renderHome renders the console's home with link, the link code just
// made, if any.
func (s *server) renderHome(c *fiber.Ctx, link *province.LinkCode) error {
	d := consoleHomeData{MPBound: consoleStaff(c).MPOpenID != "", Link: link}
	if cs := consoleOf(c); cs != nil {
		d.Expires = cs.CreatedAt.Add(consoleTTL).In(recruit.Shanghai)
	}
	return s.renderConsole(c, fiber.StatusOK, "admin_home.html", consolePage{Title: "管理后台", Nav: "home", Body: d})
}

// consoleLinkCode is POST /admin/link-code: a code that binds the
// mini-program to the caller's account.
func (s *server) consoleLinkCode(c *fiber.Ctx) error {
	link, err := s.province.CreateLinkCode(c.UserContext(), consoleStaff(c), recruit.ChannelMP)
	if err != nil {
		return err
	}
	return s.renderHome(c, &link)
}

// staffLabel names, on the phone's confirmation of a console login, the
// staff account bound to the official-account openid.
func (s *server) staffLabel(ctx context.Context, openID string) string {
	st, err := s.store.StaffByOAOpenID(ctx, openID)
	if err != nil {
		return "尚未绑定工作人员账号的微信用户"
	}
	if st.Name != "" {
		return st.Name + "（" + st.Role.Label() + "）"
	}
	return st.Role.Label()
}

// sameToken reports whether a request token matches a session's.
func sameToken(token, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1
}
