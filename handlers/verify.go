package handlers

import (
	"github.com/gofiber/fiber/v2"

	"zhupei/forms"
	"zhupei/recruit"
)

// verifyData is the data of verify.html: the verification with its time
// and state as shown.
type verifyData struct {
	forms.Verification
	GeneratedAt string
	StateLabel  string
}

// verifyPage is the public page behind the QR code of a printed form: it
// says whether that printout is still the newest version. A malformed code
// is a 400, an unknown one a 404.
func (s *server) verifyPage(c *fiber.Ctx) error {
	v, err := s.forms.Verify(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	d := verifyData{
		Verification: v,
		GeneratedAt:  v.GeneratedAt.In(recruit.Shanghai).Format("2006-01-02 15:04:05"),
		StateLabel:   v.State.Label(),
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, fiber.StatusOK, "verify.html", page{Title: "报名表核验", Body: d})
}
