package miniprogram

// The staff's access to an applicant's registration form and uploads, for
// the review screen (seed 7.19), served by package forms (which decides what
// the staff of a base may see and writes the audit log):
//
//	GET /api/v1/mp/applications/:id/form  the current registration form of
//	                                      application :id, generated first
//	                                      when there is none (inline PDF)
//	GET /api/v1/mp/files/:id              an uploaded photo or certificate
//	                                      scan of an applicant

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"zhupei/forms"
)

// formRoutes registers the staff's form and file routes when the form
// service is configured.
func (a *API) formRoutes(mp fiber.Router) {
	if a.forms == nil {
		return
	}
	mp.Get("/applications/:id/form", a.staffForm)
	mp.Get("/files/:id", a.staffFile)
}

// staffForm sends the current form of application :id inline, named as
// the applicant's own download.
func (a *API) staffForm(c *fiber.Ctx) error {
	st, err := a.baseStaff(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		id = 0 // which the service refuses as invalid
	}
	form, err := a.forms.ForStaff(c.UserContext(), st, id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, forms.MediaType)
	c.Set(fiber.HeaderContentDisposition, form.Disposition("inline"))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	// The application's page policy (object-src 'none') could keep a
	// built-in PDF viewer from showing the file inline.
	c.Response().Header.Del(fiber.HeaderContentSecurityPolicy)
	return c.Send(form.File.Data)
}

// staffFile sends uploaded file :id inline with its checked content type,
// which clients must not second-guess, and never to a shared cache.
func (a *API) staffFile(c *fiber.Ctx) error {
	st, err := a.baseStaff(c)
	if err != nil {
		return err
	}
	f, err := a.forms.StaffFile(c.UserContext(), st, c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderContentDisposition, "inline")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(f.Data)
}
