package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

// Sessions are kept in the store's key-value records so that every instance
// sees them; the browser holds only a random id in an HttpOnly cookie, and
// the store only that id's hash (sessionKey).
const (
	sessionCookie = "zp_session"
	sessionPrefix = "session:"
	sessionTTL    = 12 * time.Hour
	localSession  = "session"
	localIdentity = "identity"
	csrfField     = "_csrf"
	csrfHeader    = "X-CSRF-Token"
)

// session is what a logged-in browser carries. OpenID is the WeChat account
// (H5 OAuth or confirmed PC QR login); IdentityID is its real-name binding,
// zero until the account is bound.
type session struct {
	ID         string    `json:"-"`
	OpenID     string    `json:"openid"`
	IdentityID int64     `json:"identity_id"`
	CSRF       string    `json:"csrf"`
	Via        string    `json:"via"` // "oauth" (WeChat H5) or "qr" (PC)
	CreatedAt  time.Time `json:"created_at"`
}

// randomToken returns n random bytes, hex-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// sessionKey is the store key of the session whose cookie value is id: its
// hash, so that a copy of the database holds no usable session id.
func sessionKey(id string) string { return sessionPrefix + recruit.HashSecret(id) }

// startSession stores a new session for sess and sets its cookie. A new id
// is drawn on every login, so a session id planted before login is useless.
func (s *server) startSession(c *fiber.Ctx, sess session) (*session, error) {
	if old := c.Cookies(sessionCookie); old != "" {
		_ = s.store.DeleteKV(c.UserContext(), sessionKey(old))
	}
	sess.ID = randomToken(32)
	sess.CSRF = randomToken(16)
	sess.CreatedAt = s.now()
	if err := s.saveSession(c, &sess); err != nil {
		return nil, err
	}
	c.Cookie(&fiber.Cookie{
		Name:     sessionCookie,
		Value:    sess.ID,
		Path:     "/",
		MaxAge:   int(sessionTTL / time.Second),
		HTTPOnly: true,
		Secure:   c.Protocol() == "https",
		SameSite: fiber.CookieSameSiteLaxMode,
	})
	c.Locals(localSession, &sess)
	return &sess, nil
}

// saveSession writes sess back, e.g. after its identity was bound.
func (s *server) saveSession(c *fiber.Ctx, sess *session) error {
	raw, err := json.Marshal(sess)
	if err != nil {
		return recruit.Internal(err)
	}
	ttl := sessionTTL - s.now().Sub(sess.CreatedAt)
	if ttl <= 0 {
		return recruit.Errorf(recruit.EUNAUTHORIZED, "登录已过期，请重新登录")
	}
	return s.store.SetKV(c.UserContext(), sessionKey(sess.ID), string(raw), ttl, s.now())
}

// endSession removes the session and clears the cookie.
func (s *server) endSession(c *fiber.Ctx) error {
	if id := c.Cookies(sessionCookie); id != "" {
		if err := s.store.DeleteKV(c.UserContext(), sessionKey(id)); err != nil {
			return err
		}
	}
	c.ClearCookie(sessionCookie)
	c.Locals(localSession, nil)
	return nil
}

// loadSession is middleware: it attaches the session named by the cookie, if
// it is live, to the request.
func (s *server) loadSession(c *fiber.Ctx) error {
	id := c.Cookies(sessionCookie)
	if id == "" || len(id) != 64 {
		return c.Next()
	}
	raw, err := s.store.GetKV(c.UserContext(), sessionKey(id), s.now())
	switch {
	case recruit.ErrorCode(err) == recruit.ENOTFOUND:
		return c.Next()
	case err != nil:
		return err
	}
	var sess session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return recruit.Internal(err)
	}
	sess.ID = id
	c.Locals(localSession, &sess)
	return c.Next()
}

// identityOf returns the binding requireIdentity checked for this request.
func identityOf(c *fiber.Ctx) (recruit.Identity, bool) {
	id, ok := c.Locals(localIdentity).(recruit.Identity)
	return id, ok
}

// sessionOf returns the request's session or nil.
func sessionOf(c *fiber.Ctx) *session {
	sess, _ := c.Locals(localSession).(*session)
	return sess
}

// errLoginRequired is returned to API callers without a session.
var errLoginRequired = recruit.Errorf(recruit.EUNAUTHORIZED, "请先登录")

// requireLogin is middleware for routes that need a WeChat login: pages
// redirect to the login page and come back, the API answers 401.
func (s *server) requireLogin(c *fiber.Ctx) error {
	if sessionOf(c) != nil {
		return c.Next()
	}
	if isAPI(c) || c.Method() != fiber.MethodGet {
		return errLoginRequired
	}
	return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
}

// requireIdentity is middleware for routes that need a real-name binding on
// top of the login: an unbound account is sent to the binding page first. The
// binding is looked up on every request, so unbinding on one device takes
// effect on every session of the account at once.
func (s *server) requireIdentity(c *fiber.Ctx) error {
	sess := sessionOf(c)
	if sess == nil {
		return s.requireLogin(c)
	}
	if sess.IdentityID != 0 {
		// The binding may have been removed from another device since this
		// session was made: check it is still the account's.
		id, err := s.store.IdentityByOpenID(c.UserContext(), sess.OpenID)
		switch {
		case err == nil && id.ID == sess.IdentityID:
			c.Locals(localIdentity, id) // for the handler: no second read
			return c.Next()
		case err != nil && recruit.ErrorCode(err) != recruit.ENOTFOUND:
			return err
		}
		sess.IdentityID = 0
		if err := s.saveSession(c, sess); err != nil {
			return err
		}
	}
	if isAPI(c) || c.Method() != fiber.MethodGet {
		return recruit.Errorf(recruit.EFORBIDDEN, "请先完成实名认证")
	}
	return c.Redirect("/bind?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
}

// errCSRF is the refusal of a state-changing request without a valid token.
var errCSRF = recruit.Errorf(recruit.EFORBIDDEN, "页面已过期或请求来源无效，请刷新页面后重试")

// csrf is middleware: every state-changing request made with a session
// cookie (the applicant's or the staff console's) must carry the token of
// one of the browser's live sessions in the _csrf form field or the
// X-CSRF-Token header. Requests without a session cookie carry no authority
// and are left to the route (e.g. the WeChat callback, which is signed
// instead, or the mini-program's bearer token).
func csrf(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if c.Cookies(sessionCookie) == "" && c.Cookies(consoleCookie) == "" {
		return c.Next()
	}
	sess, cs := sessionOf(c), consoleOf(c)
	if sess == nil && cs == nil {
		return errLoginRequired
	}
	token := c.Get(csrfHeader)
	if token == "" {
		token = c.FormValue(csrfField)
	}
	if (sess == nil || !sameToken(token, sess.CSRF)) && (cs == nil || !sameToken(token, cs.CSRF)) {
		return errCSRF
	}
	return c.Next()
}

// maxNext caps the next page a request may name: it travels in cookies,
// states and QR-login records.
const maxNext = 512

// safeNext returns next if it is a local path of at most maxNext bytes,
// else fallback: redirects after login never leave the site.
func safeNext(next, fallback string) string {
	if next == "" || len(next) > maxNext || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return fallback
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return fallback
	}
	return next
}

// logout ends the session and returns to the home page.
func (s *server) logout(c *fiber.Ctx) error {
	if err := s.endSession(c); err != nil && !errors.Is(err, errLoginRequired) {
		return err
	}
	return c.Redirect("/", fiber.StatusSeeOther)
}
