package handlers

import (
	"github.com/gofiber/fiber/v2"

	"zhupei/apply"
)

// The applicant's registration (报名) is apply.Service's: the pages
// (apply_pages.go) and the JSON API (apply_api.go) parse a request, load the
// applicant with loadApplicant and call the service.

// loadApplicant loads the applicant of the request's binding (checked by
// requireIdentity) through the service.
func (s *server) loadApplicant(c *fiber.Ctx) (*apply.Applicant, error) {
	id, ok := identityOf(c)
	if !ok {
		return nil, errLoginRequired
	}
	return s.apply.Applicant(c.UserContext(), id)
}
