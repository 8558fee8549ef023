package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

// verifyData is the data of verify.html. It shows only what a holder of
// the printout may see: the name and ID number masked, the choice, the
// states and versions.
type verifyData struct {
	Code           string
	Current        bool // the printout shows the current version
	Withdrawn      bool // the application no longer counts
	Version        int  // printed on the form
	CurrentVersion int
	GeneratedAt    string
	Name           string // masked
	IDNumber       string // masked
	BaseName       string
	SpecialtyName  string
	StateLabel     string
}

// verifyPage is the public page behind the QR code of a printed form: it
// says whether that printout is still the newest version. A malformed code
// is a 400, an unknown one a 404.
func (s *server) verifyPage(c *fiber.Ctx) error {
	code := strings.ToUpper(strings.TrimSpace(c.Params("code")))
	if !validVerifyCode(code) {
		return recruit.Errorf(recruit.EINVALID, "校验码格式不正确：应为报名表上印制的 %d 位字母和数字", verifyCodeLen)
	}
	ctx := c.UserContext()
	rec, err := s.store.FormByCode(ctx, code)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return recruit.Errorf(recruit.ENOTFOUND, "未找到校验码为 %s 的报名表，请核对报名表上的校验码", code)
	}
	if err != nil {
		return err
	}
	app, err := s.store.GetApplicationByID(ctx, rec.ApplicationID)
	if err != nil {
		return err
	}
	id, err := s.store.GetIdentity(ctx, app.IdentityID)
	if err != nil {
		return err
	}
	prog, err := s.store.GetProgram(ctx, app.ProgramID)
	if err != nil {
		return err
	}
	d := verifyData{
		Code: code,
		// Versions only grow and a form shows the version it was made
		// from: a form of the current version has no newer form.
		Current:        rec.Version == app.Version && app.State.Active(),
		Withdrawn:      !app.State.Active(),
		Version:        rec.Version,
		CurrentVersion: app.Version,
		GeneratedAt:    rec.GeneratedAt.In(recruit.Shanghai).Format("2006-01-02 15:04:05"),
		Name:           recruit.MaskName(id.Name),
		IDNumber:       recruit.MaskID(id.IDNumber),
		BaseName:       prog.BaseName,
		SpecialtyName:  prog.SpecialtyName,
		StateLabel:     app.State.Label(),
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, fiber.StatusOK, "verify.html", page{Title: "报名表核验", Body: d})
}
