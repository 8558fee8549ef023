package handlers

// The registration form (报名表, seed 6.7, 6.9, 7.19) of the logged-in,
// bound applicant; package forms issues one per application version, keeps
// it and verifies printed codes (verify.go). Everything is derived from the
// session, no route carries an id, so no applicant can name another's form:
//
//	GET  /form           查看报名表: the current version's form inline,
//	                     generated first when there is none
//	GET  /form/download  the same as an attachment 报名表-<姓名>-v<版本>.pdf
//	POST /form/generate  重新生成报名表: idempotent. A new form is made only
//	                     when the newest one shows an older application
//	                     version (or its file is gone); otherwise the existing
//	                     one is kept, so printouts of the current version stay
//	                     valid. Redirects to /form.

import (
	"github.com/gofiber/fiber/v2"

	"zhupei/forms"
)

// formRoutes registers the applicant's form routes and the public
// verification page.
func (s *server) formRoutes(app *fiber.App) {
	app.Get("/form", s.requireIdentity, s.formView)
	app.Get("/form/download", s.requireIdentity, s.formDownload)
	app.Post("/form/generate", s.requireIdentity, s.formGenerate)
	app.Get("/verify/:code", s.verifyPage)
}

func (s *server) formView(c *fiber.Ctx) error { return s.serveForm(c, "inline") }

func (s *server) formDownload(c *fiber.Ctx) error { return s.serveForm(c, "attachment") }

// formGenerate makes sure a form of the current version exists and shows it.
func (s *server) formGenerate(c *fiber.Ctx) error {
	if _, err := s.forms.Current(c.UserContext(), sessionOf(c).IdentityID); err != nil {
		return err
	}
	return c.Redirect("/form", fiber.StatusSeeOther)
}

// serveForm sends the current form of the session's applicant.
func (s *server) serveForm(c *fiber.Ctx, disposition string) error {
	form, err := s.forms.Current(c.UserContext(), sessionOf(c).IdentityID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, forms.MediaType)
	c.Set(fiber.HeaderContentDisposition, form.Disposition(disposition))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	// The pages' policy (object-src 'none') could keep a browser's built-in
	// PDF viewer, a plugin, from showing the file inline.
	c.Response().Header.Del(fiber.HeaderContentSecurityPolicy)
	return c.Send(form.File.Data)
}
