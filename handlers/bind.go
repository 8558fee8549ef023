package handlers

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

// Real-name binding (实名认证, seed 五 and 7.3): one WeChat account to one
// identity; binding and unbinding each at most once per 30 days, per account
// and per ID number, enforced with records created once (AddKV) whose
// value is when the next change is allowed. Keys hold the openid or the ID
// number's blind index, never the number.
const (
	bindWindow    = 30 * 24 * time.Hour
	bindAcctKey   = "bind:acct:"   // + openid
	bindIDKey     = "bind:id:"     // + blind index
	unbindAcctKey = "unbind:acct:" // + openid
	unbindIDKey   = "unbind:id:"   // + blind index
	bindTryKey    = "bind:try:"    // + openid: attempts in the hour
	bindTryLimit  = 10
	maxNameLen    = 50
)

func (s *server) bindRoutes(app *fiber.App) {
	app.Get("/bind", s.requireLogin, s.bindPage)
	app.Post("/bind", s.requireLogin, s.bindSubmit)
	app.Post("/bind/unbind", s.requireLogin, s.unbindSubmit)
}

// bindData is the data of bind.html.
type bindData struct {
	CSRF     string
	Next     string // where to go after binding ("" for this page)
	IDTypes  []string
	Bound    bool
	Name     string
	IDType   string
	MaskedID string
	BoundAt  string
	// NextBind and NextUnbind are the dates from which the account may
	// bind or unbind again, "" when it may now.
	NextBind   string
	NextUnbind string
	Form       bindForm
	Error      string
	Fields     map[string]string
}

// bindForm is what the binding form posts.
type bindForm struct {
	Name     string
	IDType   string
	IDNumber string
}

// lockedUntil returns the date stored in a window record, "" when there is
// no live record.
func (s *server) lockedUntil(ctx context.Context, key string) string {
	v, err := s.store.GetKV(ctx, key, s.now())
	if err != nil {
		return ""
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return ""
	}
	return chineseDate(t)
}

// bindView builds the page for the session's account, keeping the
// session's identity in step with the store.
func (s *server) bindView(c *fiber.Ctx, sess *session) (bindData, error) {
	ctx := c.UserContext()
	d := bindData{CSRF: sess.CSRF, IDTypes: recruit.IDTypes, Form: bindForm{IDType: recruit.IDTypeResident}}
	if next := c.Query("next", c.FormValue("next")); next != "" {
		d.Next = safeNext(next, "")
	}
	id, err := s.store.IdentityByOpenID(ctx, sess.OpenID)
	switch recruit.ErrorCode(err) {
	case "":
		d.Bound, d.Name, d.IDType, d.MaskedID = true, id.Name, id.IDType, id.MaskedID()
		d.BoundAt = chineseDate(id.BoundAt)
		d.NextUnbind = s.lockedUntil(ctx, unbindAcctKey+sess.OpenID)
	case recruit.ENOTFOUND:
		d.NextBind = s.lockedUntil(ctx, bindAcctKey+sess.OpenID)
	default:
		return d, err
	}
	if id.ID != sess.IdentityID {
		sess.IdentityID = id.ID
		if err := s.saveSession(c, sess); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (s *server) bindPage(c *fiber.Ctx) error {
	d, err := s.bindView(c, sessionOf(c))
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "bind.html", page{Title: "实名认证", Body: d})
}

// bindFailed shows the page again with err's message (and the form as it
// was posted) under err's status; internal errors go to the error handler.
func (s *server) bindFailed(c *fiber.Ctx, form bindForm, err error) error {
	status, body := classify(err)
	if status >= 500 {
		return err
	}
	d, verr := s.bindView(c, sessionOf(c))
	if verr != nil {
		return verr
	}
	if form.IDType != "" {
		d.Form = form
	}
	d.Error, d.Fields = body.Message, body.Fields
	return s.render(c, status, "bind.html", page{Title: "实名认证", Body: d})
}

func (s *server) bindSubmit(c *fiber.Ctx) error {
	sess := sessionOf(c)
	form := bindForm{
		Name:     strings.TrimSpace(c.FormValue("name")),
		IDType:   c.FormValue("id_type"),
		IDNumber: recruit.NormalizeCode(c.FormValue("id_number")),
	}
	id, err := s.bind(c.UserContext(), sess.OpenID, form)
	if err != nil {
		return s.bindFailed(c, form, err)
	}
	sess.IdentityID = id.ID
	if err := s.saveSession(c, sess); err != nil {
		return err
	}
	return c.Redirect(safeNext(c.FormValue("next"), "/bind"), fiber.StatusSeeOther)
}

// countAttempt limits binding and unbinding attempts per account.
func (s *server) countAttempt(ctx context.Context, openID string) error {
	n, err := s.store.IncrKV(ctx, bindTryKey+openID, time.Hour, s.now())
	if err != nil {
		return err
	}
	if n > bindTryLimit {
		return recruit.Errorf(recruit.ETOOMANY, "认证操作过于频繁，请1小时后再试")
	}
	return nil
}

// checkName accepts a real name: 1–50 characters, letters, marks, spaces
// and the dots of transliterated names.
func checkName(name string) error {
	msg := ""
	switch {
	case name == "":
		msg = "请填写姓名"
	case utf8.RuneCountInString(name) > maxNameLen:
		msg = "姓名不能超过50个字"
	case strings.IndexFunc(name, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsMark(r) && r != ' ' && r != '·' && r != '.' && r != '-'
	}) >= 0:
		msg = "姓名只能包含文字、空格和间隔号"
	}
	if msg == "" {
		return nil
	}
	return &recruit.Error{Code: recruit.EINVALID, Message: msg, Fields: map[string]string{"name": msg}}
}

// bind binds the account to the person named by form.
func (s *server) bind(ctx context.Context, openID string, form bindForm) (recruit.Identity, error) {
	if err := s.countAttempt(ctx, openID); err != nil {
		return recruit.Identity{}, err
	}
	switch _, err := s.store.IdentityByOpenID(ctx, openID); recruit.ErrorCode(err) {
	case "":
		return recruit.Identity{}, recruit.Errorf(recruit.ECONFLICT, "该微信账号已完成实名认证，如需更换请先解除认证")
	case recruit.ENOTFOUND:
	default:
		return recruit.Identity{}, err
	}
	if err := checkName(form.Name); err != nil {
		return recruit.Identity{}, err
	}
	if !recruit.OneOf(recruit.IDTypes, form.IDType) {
		return recruit.Identity{}, &recruit.Error{Code: recruit.EINVALID, Message: "请选择证件类型",
			Fields: map[string]string{"id_type": "请选择证件类型"}}
	}
	if err := s.wx.verifier.Verify(ctx, form.Name, form.IDType, form.IDNumber); err != nil {
		return recruit.Identity{}, err
	}
	index := recruit.IdentityIndex(s.wx.sealer, form.IDType, form.IDNumber)
	release, err := s.claimWindow(ctx, "认证", bindAcctKey+openID, bindIDKey+index)
	if err != nil {
		return recruit.Identity{}, err
	}
	id, err := s.store.CreateIdentity(ctx, recruit.Identity{
		OpenID: openID, Name: form.Name, IDType: form.IDType, IDNumber: form.IDNumber, BoundAt: s.now(),
	})
	if err != nil {
		release()
		return recruit.Identity{}, err
	}
	return id, nil
}

// claimWindow creates the 30-day records of an account key and an ID-number
// key, both or neither; what names the change (认证, 解除认证) in the
// refusal, which gives the date of the next allowed change. release undoes
// the claim when the change then fails.
func (s *server) claimWindow(ctx context.Context, what, acctKey, idKey string) (release func(), err error) {
	until := s.now().Add(bindWindow)
	var taken []string
	release = func() {
		for _, k := range taken {
			_ = s.store.DeleteKV(context.WithoutCancel(ctx), k)
		}
	}
	for i, key := range []string{acctKey, idKey} {
		won, err := s.store.AddKV(ctx, key, until.Format(time.RFC3339), bindWindow, s.now())
		if err != nil {
			release()
			return nil, err
		}
		if !won {
			release()
			subject := "30天内"
			if i == 1 {
				subject = "该证件号码30天内"
			}
			return nil, recruit.Errorf(recruit.EFORBIDDEN, "%s只能%s一次，下次可%s时间：%s", subject, what, what, s.lockedUntil(ctx, key))
		}
		taken = append(taken, key)
	}
	return release, nil
}

// unbindSubmit detaches the account from its identity (解除认证).
func (s *server) unbindSubmit(c *fiber.Ctx) error {
	sess := sessionOf(c)
	ctx := c.UserContext()
	if err := s.unbind(ctx, sess.OpenID); err != nil {
		return s.bindFailed(c, bindForm{}, err)
	}
	sess.IdentityID = 0
	if err := s.saveSession(c, sess); err != nil {
		return err
	}
	return c.Redirect("/bind", fiber.StatusSeeOther)
}

func (s *server) unbind(ctx context.Context, openID string) error {
	if err := s.countAttempt(ctx, openID); err != nil {
		return err
	}
	id, err := s.store.IdentityByOpenID(ctx, openID)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return recruit.Errorf(recruit.EINVALID, "当前微信账号尚未实名认证")
	}
	if err != nil {
		return err
	}
	release, err := s.claimWindow(ctx, "解除认证", unbindAcctKey+openID, unbindIDKey+recruit.IdentityIndex(s.wx.sealer, id.IDType, id.IDNumber))
	if err != nil {
		return err
	}
	if err := s.store.UnbindIdentity(ctx, id.ID); err != nil {
		release()
		return err
	}
	return nil
}
