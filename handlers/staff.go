package handlers

// Routes of the training bases' staff (培训基地工作人员), for the staff
// mini-program's review screen (seed 7.19). They authenticate with the
// mini-program's bearer token through Config.StaffBase (no cookie, so the
// csrf middleware lets them pass) and answer JSON errors:
//
//	GET /api/v1/mp/applications/:id/form  the current registration form of
//	                                      application :id, generated first
//	                                      when there is none (inline PDF)
//	GET /api/v1/mp/files/:id              an uploaded photo or certificate
//	                                      scan of an applicant
//
// Staff see only the applications that choose a program of their own base
// and are active (submitted, not withdrawn); anything else answers 404 as if
// it did not exist. Every request after authentication is logged as an audit
// line with the base, the application and the request id, never personal
// data.

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

var (
	errStaffBadApp  = recruit.Errorf(recruit.EINVALID, "报名编号无效")
	errStaffBadFile = recruit.Errorf(recruit.EINVALID, "文件编号无效")
	errStaffNoApp   = recruit.Errorf(recruit.ENOTFOUND, "未找到该报名信息")
)

// staffRoutes registers the staff routes when staffBase, which
// authenticates a request and returns the caller's base, is set.
func (s *server) staffRoutes(app *fiber.App, staffBase func(*fiber.Ctx) (int64, error)) {
	if staffBase == nil {
		return
	}
	mp := app.Group("/api/v1/mp")
	mp.Get("/applications/:id/form", s.staffRoute(staffBase, "staff.form", s.staffForm))
	mp.Get("/files/:id", s.staffRoute(staffBase, "staff.file", s.staffFile))
}

// staffServe answers one staff request for the staff of base and returns
// the id of the application concerned (0 when none was found).
type staffServe func(c *fiber.Ctx, base int64) (appID int64, err error)

// staffRoute authenticates the caller, serves the request and writes the
// audit line of action.
func (s *server) staffRoute(staffBase func(*fiber.Ctx) (int64, error), action string, serve staffServe) fiber.Handler {
	return func(c *fiber.Ctx) error {
		base, err := staffBase(c)
		if err != nil {
			return err
		}
		appID, err := serve(c, base)
		result := "ok"
		if err != nil {
			result = recruit.ErrorCode(err)
		}
		s.log.Info("audit: staff access", "action", action, "base_id", base, "application_id", appID,
			"result", result, "request_id", requestIDOf(c))
		return err
	}
}

// staffForm sends the current form of application :id.
func (s *server) staffForm(c *fiber.Ctx, base int64) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errStaffBadApp
	}
	ctx := c.UserContext()
	app, err := s.store.GetApplicationByID(ctx, id)
	if err == nil {
		err = s.staffMaySee(ctx, base, app)
	}
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return 0, errStaffNoApp
	}
	if err != nil {
		return 0, err
	}
	// The form of the application just checked, not of a fresh read that
	// a concurrent change of choice could have moved to another base.
	form, err := s.currentForm(ctx, app, s.verifyBase(c))
	if err != nil {
		return app.ID, err
	}
	return app.ID, sendForm(c, form, "inline")
}

// staffFile sends uploaded file :id when its owner's application of the
// latest year is one the staff may see.
func (s *server) staffFile(c *fiber.Ctx, base int64) (int64, error) {
	id := c.Params("id")
	if !validFileID(id) {
		return 0, errStaffBadFile
	}
	ctx := c.UserContext()
	var app recruit.Application
	f, err := s.store.GetFile(ctx, id)
	if err == nil && !servedKinds[f.Kind] {
		err = errNoFile
	}
	if err == nil {
		app, err = s.latestApplication(ctx, f.OwnerID)
	}
	if err == nil {
		err = s.staffMaySee(ctx, base, app)
	}
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return 0, errNoFile
	}
	if err != nil {
		return 0, err
	}
	return app.ID, sendFile(c, f)
}

// latestApplication returns the applicant's application in the latest year.
func (s *server) latestApplication(ctx context.Context, identityID int64) (recruit.Application, error) {
	y, err := s.store.LatestYear(ctx)
	if err != nil {
		return recruit.Application{}, err
	}
	return s.store.GetApplication(ctx, y.Year, identityID)
}

// staffMaySee answers nil when app is active and chooses a program of base,
// else an ENOTFOUND error.
func (s *server) staffMaySee(ctx context.Context, base int64, app recruit.Application) error {
	if !app.State.Active() {
		return errStaffNoApp
	}
	prog, err := s.store.GetProgram(ctx, app.ProgramID)
	if err != nil {
		return err
	}
	if prog.BaseID != base {
		return errStaffNoApp
	}
	return nil
}

// validFileID reports whether id has the shape of an upload's id: 32
// lower-case hex digits (randomToken(16)).
func validFileID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
