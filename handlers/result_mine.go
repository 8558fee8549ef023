package handlers

import (
	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

// The applicant's own result (结果查询, seed 6.2 and 6.7), the read-only
// preview of everything entered (个人信息预览, seed 6.8) and the history of
// saved versions.

// resultView is the data of result_mine.html.
type resultView struct {
	HasApp      bool
	Submitted   bool // just submitted: show the confirmation
	Name        string
	MaskedID    string
	Base        string
	Specialty   string
	State       string
	Remark      string
	Version     int
	Adjustment  string
	CanGenerate bool
	CanEdit     bool
	CanChoose   bool
	CSRF        string
	PhaseLabel  string
}

func (s *server) resultMine(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	v := resultView{
		Name: a.identity.Name, MaskedID: recruit.MaskID(a.identity.IDNumber), CSRF: sessionOf(c).CSRF,
		PhaseLabel: a.phase.Label(), Submitted: c.Query("submitted") == "1",
		CanEdit: a.may(recruit.ActionEditProfile) == nil,
	}
	if a.app != nil {
		prog, err := s.store.GetProgram(c.UserContext(), a.app.ProgramID)
		if err != nil {
			return err
		}
		v.HasApp = true
		v.Base, v.Specialty = prog.BaseName, prog.SpecialtyName
		v.State, v.Remark, v.Version = a.app.State.Label(), a.app.ReviewRemark, a.app.Version
		v.Adjustment = boolText(a.app.AcceptsAdjustment)
		v.CanGenerate = a.may(recruit.ActionGenerateForm) == nil
		v.CanChoose = a.profile.Complete() && a.may(recruit.ActionChangeSpecialty) == nil
	}
	return s.render(c, fiber.StatusOK, "result_mine.html", page{Title: "结果查询", Nav: "apply", Body: v})
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
	p := a.profile
	section := func(title string, defs []fieldDef, value any, filled bool) previewSection {
		return previewSection{Title: title, Filled: filled, Fields: fieldViews(defs, formValues(value), nil)}
	}
	v := previewView{
		Name: a.identity.Name, IDType: a.identity.IDType, IDNumber: recruit.MaskID(a.identity.IDNumber),
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
	sess := sessionOf(c)
	revs, err := s.store.History(c.UserContext(), sess.IdentityID)
	if err != nil {
		return err
	}
	rows := make([]historyRow, len(revs))
	for i, r := range revs {
		rows[i] = historyRow{At: formatTime(r.At), What: sectionLabels[r.Kind], Summary: r.Summary, By: r.By}
		if rows[i].What == "" {
			rows[i].What = r.Kind
		}
	}
	return s.render(c, fiber.StatusOK, "result_history.html", page{Title: "修改记录", Nav: "apply", Body: rows})
}
