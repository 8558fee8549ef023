package handlers

import (
	"bytes"
	"slices"

	"github.com/gofiber/fiber/v2"

	"zhupei/province"
	"zhupei/recruit"
)

// The province's 调剂方案 screen of the console (/admin/placement): the
// shortage specialties flagged on the vacancy board, and the placement
// proposal computed on demand (province.ProposePlacement), shown per base
// with who goes where and what stays empty, then applied as offers
// (province.ApplyPlacement, the digest of the proposal shown posted back)
// with its result shown, or exported (导出, an XLSX).

// placementConsoleRoutes registers the screen on the console's
// authenticated group.
func (s *server) placementConsoleRoutes(auth fiber.Router) {
	auth.Get("/placement", s.placementScreen)
	auth.Post("/placement/propose", s.placementPropose)
	auth.Post("/placement/shortage", s.placementShortage)
	auth.Post("/placement/apply", s.placementApply)
	auth.Get("/placement/export", s.placementExport)
}

// placementScreenData is the data of admin_placement.html.
type placementScreenData struct {
	Specialties []shortageOption
	Proposal    *province.Proposal
	// Quiet counts the programs of the proposal nobody is placed at (the
	// table leaves them out) and their seats.
	Quiet, QuietSeats int
	// Offers tells whether the year's provisional admissions are offers to
	// be accepted (what applying the proposal sends).
	Offers bool
	// Applied is the result of applying a proposal.
	Applied *province.Applied
	Saved   bool
	// Error is the shortage form's refusal, ApplyError the apply form's.
	Error, ApplyError string
}

// shortageOption is one specialty of the shortage form.
type shortageOption struct {
	recruit.Specialty
	Checked bool
}

// renderPlacement renders the screen with the stored (or, after a refused
// save, the submitted) shortage specialties checked.
func (s *server) renderPlacement(c *fiber.Ctx, status int, d placementScreenData, checked []string) error {
	snap, err := s.public.get(c.UserContext())
	if err != nil {
		return err
	}
	if checked == nil && snap.Year != nil {
		// The store's, not the snapshot's: a save shows at once.
		if checked, err = s.store.ShortageSpecialties(c.UserContext(), snap.Year.Year); err != nil {
			return err
		}
	}
	if snap.Year != nil {
		d.Offers = snap.Year.Offers.RequireAcceptance
	}
	for _, sp := range snap.YearSpecialties {
		d.Specialties = append(d.Specialties, shortageOption{Specialty: sp, Checked: slices.Contains(checked, sp.Code)})
	}
	return s.renderConsole(c, status, "admin_placement.html", consolePage{Title: "调剂方案", Nav: "placement", Body: d})
}

// placementScreen is GET /admin/placement.
func (s *server) placementScreen(c *fiber.Ctx) error {
	if by := consoleStaff(c); by.Role != recruit.RoleProvince {
		return recruit.Errorf(recruit.EFORBIDDEN, "仅省级管理员可以查看调剂方案")
	}
	return s.renderPlacement(c, fiber.StatusOK, placementScreenData{Saved: c.Query("saved") == "1"}, nil)
}

// placementPropose is POST /admin/placement/propose: the proposal, computed
// now and shown; nothing changes.
func (s *server) placementPropose(c *fiber.Ctx) error {
	p, err := s.province.ProposePlacement(c.UserContext(), consoleStaff(c))
	if err != nil {
		return err
	}
	d := placementScreenData{Proposal: &p}
	for _, b := range p.Bases {
		for _, pp := range b.Programs {
			if len(pp.Placed) == 0 {
				d.Quiet++
				d.QuietSeats += pp.Vacancies
			}
		}
	}
	return s.renderPlacement(c, fiber.StatusOK, d, nil)
}

// placementApply is POST /admin/placement/apply: the proposal whose digest
// the form carries is applied as offers and the result shown; a refusal
// (the proposal changed meanwhile: 409) is shown on the screen.
func (s *server) placementApply(c *fiber.Ctx) error {
	out, err := s.province.ApplyPlacement(c.UserContext(), consoleStaff(c), c.FormValue("digest"))
	if err != nil {
		st, ok := statusOf[recruit.ErrorCode(err)]
		if !ok || st >= 500 {
			return err
		}
		return s.renderPlacement(c, st, placementScreenData{ApplyError: recruit.ErrorMessage(err)}, nil)
	}
	return s.renderPlacement(c, fiber.StatusOK, placementScreenData{Applied: &out}, nil)
}

// placementExport is GET /admin/placement/export: the proposal computed
// now as an XLSX attachment named in RFC 5987 form with an ASCII fallback.
func (s *server) placementExport(c *fiber.Ctx) error {
	var buf bytes.Buffer
	ex, err := s.province.ExportPlacement(c.UserContext(), consoleStaff(c), &buf)
	if err != nil {
		return err
	}
	return sendXLSX(c, buf.Bytes(), ex.Fallback, ex.Name, ex.Rows)
}

// placementShortage is POST /admin/placement/shortage: the checked
// specialties become the shortage specialties.
func (s *server) placementShortage(c *fiber.Ctx) error {
	codes := []string{} // none checked clears the list
	c.Context().PostArgs().VisitAll(func(k, v []byte) {
		if string(k) == "specialty" {
			codes = append(codes, string(v))
		}
	})
	if _, err := s.province.SetShortageSpecialties(c.UserContext(), consoleStaff(c), codes); err != nil {
		st, ok := statusOf[recruit.ErrorCode(err)]
		if !ok || st >= 500 {
			return err
		}
		return s.renderPlacement(c, st, placementScreenData{Error: recruit.ErrorMessage(err)}, codes)
	}
	return c.Redirect("/admin/placement?saved=1", fiber.StatusSeeOther)
}
