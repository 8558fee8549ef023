package handlers

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/apply"
	"zhupei/recruit"
)

// Real-name binding (实名认证): the rules (windows, attempt limit, name,
// verifier) are apply.Service's; these routes show its state and post to it.

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
	// Released tells an unbound account that the province released its
	// binding on the number owner's appeal: when, and the reason.
	Released       string
	ReleasedReason string
	// Unbind is the confirmation of 解除认证; AskUnbind shows it open (the
	// page without JavaScript, after a post that did not confirm).
	Unbind    unbindConfirm
	AskUnbind bool
	Form      apply.BindRequest
	Error     string
	Fields    map[string]string
}

// unbindConfirm is what the confirmation of 解除认证 says, from
// apply.BindStatus's Rebind: the date of the next possible binding, the last
// day of the registration window ("" when none is left) and whether the
// first is after the second.
type unbindConfirm struct {
	Rebind        string
	WindowLastDay string
	Late          bool
}

// untilText shows when a change is allowed again, "" when it is now.
func untilText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return recruit.ChineseDate(t)
}

// bindView builds the page for the session's account, keeping the
// session's identity in step with the store.
func (s *server) bindView(c *fiber.Ctx, sess *session) (bindData, error) {
	d := bindData{CSRF: sess.CSRF, IDTypes: recruit.IDTypes, Form: apply.BindRequest{IDType: recruit.IDTypeResident}}
	if next := c.Query("next", c.FormValue("next")); next != "" {
		d.Next = safeNext(next, "")
	}
	st, err := s.apply.BindStatus(c.UserContext(), sess.OpenID)
	if err != nil {
		return d, err
	}
	var identityID int64
	if id := st.Identity; id != nil {
		identityID = id.ID
		d.Bound, d.Name, d.IDType, d.MaskedID = true, id.Name, id.IDType, id.MaskedID()
		d.BoundAt = recruit.ChineseDate(id.BoundAt)
	}
	d.NextBind, d.NextUnbind = untilText(st.NextBind), untilText(st.NextUnbind)
	if r := st.Released; r != nil {
		d.Released, d.ReleasedReason = recruit.ChineseDate(r.At), r.Reason
	}
	d.Unbind = unbindConfirm{Rebind: recruit.ChineseDate(st.Rebind.At), Late: st.Rebind.AfterWindow}
	if !st.Rebind.WindowEnd.IsZero() {
		d.Unbind.WindowLastDay = recruit.ChineseDate(st.Rebind.WindowLastDay)
	}
	if identityID != sess.IdentityID {
		sess.IdentityID = identityID
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
func (s *server) bindFailed(c *fiber.Ctx, form apply.BindRequest, err error) error {
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
	form := apply.BindRequest{
		Name:     strings.TrimSpace(c.FormValue("name")),
		IDType:   c.FormValue("id_type"),
		IDNumber: strings.TrimSpace(c.FormValue("id_number")),
		Client:   recruit.Client(c.UserContext()),
	}
	id, err := s.apply.Bind(c.UserContext(), sess.OpenID, form)
	if err != nil {
		return s.bindFailed(c, form, err)
	}
	sess.IdentityID = id.ID
	if err := s.saveSession(c, sess); err != nil {
		return err
	}
	return c.Redirect(safeNext(c.FormValue("next"), "/bind"), fiber.StatusSeeOther)
}

// unbindSubmit detaches the account from its identity (解除认证) once the
// post confirms it (confirm=yes, the dialog's button); without it the page
// comes back with the confirmation open.
func (s *server) unbindSubmit(c *fiber.Ctx) error {
	sess := sessionOf(c)
	if c.FormValue("confirm") != "yes" {
		d, err := s.bindView(c, sess)
		if err != nil {
			return err
		}
		d.AskUnbind = true
		return s.render(c, fiber.StatusOK, "bind.html", page{Title: "实名认证", Body: d})
	}
	if err := s.apply.Unbind(c.UserContext(), sess.OpenID); err != nil {
		return s.bindFailed(c, apply.BindRequest{}, err)
	}
	sess.IdentityID = 0
	if err := s.saveSession(c, sess); err != nil {
		return err
	}
	return c.Redirect("/bind", fiber.StatusSeeOther)
}
