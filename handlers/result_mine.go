package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/apply"
	"zhupei/recruit"
)

// The applicant's own result (结果查询, seed 6.2 and 6.7), the read-only
// preview of everything entered (个人信息预览, seed 6.8) and the history of
// saved versions.

// resultView is the data of result_mine.html.
type resultView struct {
	HasApp     bool
	Submitted  bool // just submitted: show the confirmation
	Name       string
	MaskedID   string
	Base       string
	Specialty  string
	State      string
	Remark     string
	Version    int
	Adjustment string
	Form       formButton
	CanEdit    bool
	CanChoose  bool
	CSRF       string
	PhaseLabel string
	// DatesRound names the round of Dates, the base's dates that are set.
	DatesRound string
	Dates      []dateView
	// Offer is the offer of the provisional admission, nil without one;
	// Flash notes an answer just given, Problem an answer refused.
	Offer          *offerView
	Flash, Problem string
}

// dateView is one of the base's dates as the result page shows it.
type dateView struct {
	Field, Label, When string
}

func (s *server) resultMine(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	return s.renderResult(c, a, fiber.StatusOK, answeredFlash(c.Query("answered")), "")
}

// renderResult renders the result page of a with status, a note (flash)
// and a refusal (problem) to show.
func (s *server) renderResult(c *fiber.Ctx, a *apply.Applicant, status int, flash, problem string) error {
	r, err := s.apply.Result(c.UserContext(), a)
	if err != nil {
		return err
	}
	v := resultView{
		Name: a.Identity.Name, MaskedID: recruit.MaskID(a.Identity.IDNumber), CSRF: sessionOf(c).CSRF,
		PhaseLabel: a.Phase.Label(), Submitted: c.Query("submitted") == "1",
		CanEdit: r.CanEdit, CanChoose: r.CanChoose, Form: newFormButton(r, sessionOf(c).CSRF),
		Flash: flash, Problem: problem,
	}
	if prog := r.Program; prog != nil {
		v.HasApp = true
		v.Base, v.Specialty = prog.BaseName, prog.SpecialtyName
		v.State, v.Remark, v.Version = a.App.State.Label(), a.App.ReviewRemark, a.App.Version
		v.Adjustment = boolText(a.App.AcceptsAdjustment)
		v.Offer = newOfferView(a.App, c.Query("answer"))
	}
	if d := r.Dates; d != nil {
		for _, ld := range d.Labelled() {
			if !ld.At.IsZero() {
				v.Dates = append(v.Dates, dateView{Field: ld.Field, Label: ld.Label, When: ld.At.In(recruit.Shanghai).Format("2006年1月2日 15:04")})
			}
		}
		if len(v.Dates) > 0 {
			v.DatesRound = d.Round.Label()
		}
	}
	return s.render(c, status, "result_mine.html", page{Title: "结果查询", Nav: "apply", Body: v})
}

// previewSection is one section of the preview.
type previewSection struct {
	Title  string
	Filled bool
	Fields []fieldView
}

// previewView is the data of preview.html.
type previewView struct {
	Name      string
	IDType    string
	IDNumber  string
	PhotoURL  string
	Basic     previewSection
	Work      previewSection
	Education []previewSection
	Certs     previewSection
	Scans     []uploadView
}

func (s *server) preview(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	p := a.Profile
	section := func(title string, defs []fieldDef, value any, filled bool) previewSection {
		return previewSection{Title: title, Filled: filled, Fields: fieldViews(defs, formValues(value), nil)}
	}
	v := previewView{
		Name: a.Identity.Name, IDType: a.Identity.IDType, IDNumber: recruit.MaskID(a.Identity.IDNumber),
		Basic: section("基本信息", basicFields, p.Basic, p.Basic != nil),
		Work:  section("工作信息", workFields, p.Work, p.Work != nil),
		Certs: section("证书信息", certificateFields, p.Certificates, p.Certificates != nil),
		Scans: scanUploads(p.Certificates),
	}
	if p.Basic != nil {
		v.PhotoURL = fileURL(p.Basic.PhotoID)
	}
	for _, e := range p.Education {
		v.Education = append(v.Education, section(e.Level, educationFields, e, true))
	}
	return s.render(c, fiber.StatusOK, "preview.html", page{Title: "个人信息预览", Nav: "apply", Body: v})
}

// historyRow is one saved version.
type historyRow struct {
	At      string
	What    string
	Summary string
	By      string
}

func (s *server) history(c *fiber.Ctx) error {
	id, ok := identityOf(c)
	if !ok {
		return errLoginRequired
	}
	revs, err := s.apply.History(c.UserContext(), id)
	if err != nil {
		return err
	}
	rows := make([]historyRow, len(revs))
	for i, r := range revs {
		rows[i] = historyRow{At: formatTime(r.At), What: apply.SectionLabel(r.Kind), Summary: r.Summary, By: r.By}
		if rows[i].What == "" {
			rows[i].What = r.Kind
		}
	}
	return s.render(c, fiber.StatusOK, "result_history.html", page{Title: "修改记录", Nav: "apply", Body: rows})
}

// formatTime shows an instant as Shanghai civil time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(recruit.Shanghai).Format("2006-01-02 15:04:05")
}
