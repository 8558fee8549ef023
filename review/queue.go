package review

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"zhupei/notify"
	"zhupei/recruit"
	"zhupei/xlsx"
)

// Audit actions of the queue (a bulk review's rows are ActionReview's).
const (
	ActionViewApplication = "view_application"
	ActionExport          = "export_applications"
)

// Query is the review queue's filter as a transport reads it; every field
// may be left empty. Base staff see their own base only: BaseID must be 0
// or theirs. Page counts from 1; Size is at most recruit.MaxQueuePage.
type Query struct {
	BaseID            int64  `json:"base,omitempty"`
	Round             string `json:"round,omitempty"` // round1, round2, adjustment
	Specialty         string `json:"specialty,omitempty"`
	State             string `json:"state,omitempty"`
	PersonnelType     string `json:"personnel_type,omitempty"`
	AcceptsAdjustment *bool  `json:"accepts_adjustment,omitempty"`
	School            string `json:"school,omitempty"`
	Keyword           string `json:"keyword,omitempty"`
	Flagged           bool   `json:"flagged,omitempty"`
	Offer             string `json:"offer,omitempty"` // none, open, accepted, declined, expired, voided
	Sort              string `json:"sort,omitempty"`  // submitted_asc (default), submitted_desc
	Page              int    `json:"page,omitempty"`
	Size              int    `json:"size,omitempty"`
}

// MaxKeyword bounds a keyword or school filter, in characters.
const MaxKeyword = 50

// Row is one application as the queue shows it. IDNumber is full for the
// roles allowed to read it (MayReadID), masked otherwise.
type Row struct {
	ID                int64          `json:"id"`
	Year              int            `json:"year"`
	State             recruit.State  `json:"state"`
	StateLabel        string         `json:"state_label"`
	Version           int            `json:"version"`
	Name              string         `json:"name"`
	IDType            string         `json:"id_type"`
	IDNumber          string         `json:"id_number"`
	Phone             string         `json:"phone"`
	Email             string         `json:"email"`
	PersonnelType     string         `json:"personnel_type"`
	School            string         `json:"school"`
	BaseID            int64          `json:"base_id"`
	BaseName          string         `json:"base_name"`
	SpecialtyCode     string         `json:"specialty_code"`
	SpecialtyName     string         `json:"specialty_name"`
	AcceptsAdjustment bool           `json:"accepts_adjustment"`
	ReviewRemark      string         `json:"review_remark"`
	SubmittedAt       time.Time      `json:"submitted_at"`
	StateAt           time.Time      `json:"state_at"`
	Flags             []recruit.Flag `json:"flags"`
	// The offer (recruit.OfferState; "" without one): OfferLabel as the
	// lists show it (recruit.Application.OfferSummary), OfferDueSoon for an
	// open offer near its deadline (recruit.Application.OfferDueSoon).
	OfferState    recruit.OfferState `json:"offer_state"`
	OfferLabel    string             `json:"offer_label"`
	OfferDeadline time.Time          `json:"offer_deadline,omitzero"`
	OfferAt       time.Time          `json:"offer_at,omitzero"`
	OfferDueSoon  bool               `json:"offer_due_soon"`
}

// Page is one page of the queue.
type Page struct {
	Rows  []Row `json:"rows"`
	Total int   `json:"total"`
	Page  int   `json:"page"`
	Size  int   `json:"size"`
}

// Pages is how many pages the total makes.
func (p Page) Pages() int { return max(1, (p.Total+p.Size-1)/max(p.Size, 1)) }

// MayReadID reports whether by sees full ID numbers: the province and base
// admins do; reviewers see them masked (recruit.MaskID), which is enough to
// tell applicants apart, and the keyword still finds a number by its end.
func MayReadID(by recruit.Staff) bool { return by.Role != recruit.RoleReviewer }

// queueRefusals.
var (
	errPage = recruit.Errorf(recruit.EINVALID, "页码或每页条数无效（每页最多 %d 条）", recruit.MaxQueuePage)
	errSort = recruit.Errorf(recruit.EINVALID, "排序方式只能是 submitted_asc（提交时间从早到晚）或 submitted_desc（从晚到早）")
	errText = recruit.Errorf(recruit.EINVALID, "关键词和学校不能超过 %d 个字", MaxKeyword)
)

// resolve checks q for by and returns the store query of its page: the
// year is the latest, base staff are held to their base (another base is
// ENOTFOUND, as if it did not exist), and every value must be one the
// queue knows.
func (s *Service) resolve(ctx context.Context, by recruit.Staff, q Query) (recruit.AppQuery, error) {
	if by.Disabled {
		return recruit.AppQuery{}, recruit.ErrStaffDisabled
	}
	out := recruit.AppQuery{BaseID: q.BaseID, SpecialtyCode: strings.TrimSpace(q.Specialty), AcceptsAdjustment: q.AcceptsAdjustment,
		School: strings.TrimSpace(q.School), Keyword: strings.TrimSpace(q.Keyword), Flagged: q.Flagged}
	switch {
	case by.Role.HasBase():
		if q.BaseID != 0 && q.BaseID != by.BaseID {
			return recruit.AppQuery{}, recruit.BaseNotFound(q.BaseID)
		}
		out.BaseID = by.BaseID
	case by.Role != recruit.RoleProvince:
		return recruit.AppQuery{}, recruit.BaseNotFound(q.BaseID)
	}
	y, err := s.store.LatestYear(ctx)
	if err != nil {
		return recruit.AppQuery{}, err
	}
	out.Year = y.Year
	if q.Round != "" {
		round, err := recruit.ParseRound(q.Round)
		if err != nil {
			return recruit.AppQuery{}, err
		}
		out.StateFrom, out.StateTo = recruit.RoundWindow(y.Calendar, round)
	}
	if q.State != "" {
		if !slices.Contains(recruit.ActiveStates, recruit.State(q.State)) {
			return recruit.AppQuery{}, recruit.Errorf(recruit.EINVALID, "审核状态无效：%s", q.State)
		}
		out.State = recruit.State(q.State)
	}
	if q.PersonnelType != "" {
		if !slices.Contains(recruit.OptionValues(recruit.PersonnelTypes), q.PersonnelType) {
			return recruit.AppQuery{}, recruit.Errorf(recruit.EINVALID, "人员类型无效：%s", q.PersonnelType)
		}
		out.PersonnelType = q.PersonnelType
	}
	if out.Offer, err = recruit.ParseOfferFilter(q.Offer); err != nil {
		return recruit.AppQuery{}, err
	}
	if utf8.RuneCountInString(out.Keyword) > MaxKeyword || utf8.RuneCountInString(out.School) > MaxKeyword {
		return recruit.AppQuery{}, errText
	}
	switch q.Sort {
	case "", recruit.SortSubmittedAsc:
		out.Sort = recruit.SortSubmittedAsc
	case recruit.SortSubmittedDesc:
		out.Sort = q.Sort
	default:
		return recruit.AppQuery{}, errSort
	}
	page, size := max(q.Page, 1), q.Size
	if size == 0 {
		size = recruit.DefaultQueuePage
	}
	if q.Page < 0 || size < 0 || size > recruit.MaxQueuePage || page > 1_000_000 {
		return recruit.AppQuery{}, errPage
	}
	out.Offset, out.Limit = (page-1)*size, size
	return out, nil
}

// row is r as by may see it at now.
func row(by recruit.Staff, r recruit.AppRow, now time.Time) Row {
	id := r.IDNumber
	if !MayReadID(by) {
		id = recruit.MaskID(id)
	}
	a := r.Application
	return Row{
		ID: a.ID, Year: a.Year, State: a.State, StateLabel: a.State.Label(), Version: a.Version,
		Name: r.Search.Name, IDType: r.IDType, IDNumber: id, Phone: r.Search.Phone, Email: r.Search.Email,
		PersonnelType: r.Search.PersonnelType, School: r.Search.School,
		BaseID: r.BaseID, BaseName: r.BaseName, SpecialtyCode: r.SpecialtyCode, SpecialtyName: r.SpecialtyName,
		AcceptsAdjustment: a.AcceptsAdjustment, ReviewRemark: a.ReviewRemark, SubmittedAt: a.SubmittedAt, StateAt: a.StateAt,
		Flags:      recruit.Flags(r.DupKinds, r.Search.DateIssues),
		OfferState: a.OfferState, OfferLabel: a.OfferSummary(), OfferDeadline: a.OfferDeadline, OfferAt: a.OfferAt,
		OfferDueSoon: a.OfferDueSoon(now),
	}
}

// ListApplications returns a page of the review queue (listApplications):
// the active applications of the latest year at by's base (the province:
// any, or q.BaseID's), filtered by q, ordered by submission time, each with
// its flags.
func (s *Service) ListApplications(ctx context.Context, by recruit.Staff, q Query) (Page, error) {
	const op = "review.ListApplications"
	aq, err := s.resolve(ctx, by, q)
	if err != nil {
		return Page{}, recruit.WithOp(op, err)
	}
	res, err := s.store.QueryApplications(ctx, aq)
	if err != nil {
		return Page{}, recruit.WithOp(op, err)
	}
	p := Page{Rows: make([]Row, len(res.Rows)), Total: res.Total, Page: aq.Offset/aq.Limit + 1, Size: aq.Limit}
	now := s.now()
	for i, r := range res.Rows {
		p.Rows[i] = row(by, r, now)
	}
	return p, nil
}

// Upload is one of an applicant's uploaded files: the field it was
// uploaded for and the file id, which the staff open through forms.Service
// (StaffFile).
type Upload struct {
	Field  string `json:"field"`
	Label  string `json:"label"`
	FileID string `json:"file_id"`
}

// FormInfo is the newest generated registration form of an application;
// Current says whether it shows the application's current version.
type FormInfo struct {
	Code        string    `json:"code"`
	Version     int       `json:"version"`
	GeneratedAt time.Time `json:"generated_at"`
	Current     bool      `json:"current"`
}

// Detail is what a reviewer reads of one application (getApplication).
type Detail struct {
	Row     Row                `json:"application"`
	Profile recruit.Profile    `json:"profile"`
	Uploads []Upload           `json:"uploads"`
	Form    *FormInfo          `json:"form"`
	History []recruit.Revision `json:"history"`
}

// uploads lists the files a profile names.
func uploads(p recruit.Profile) []Upload {
	var out []Upload
	add := func(field, id string) {
		if id != "" {
			out = append(out, Upload{Field: field, Label: recruit.FieldLabel(field), FileID: id})
		}
	}
	if p.Basic != nil {
		add("photo_id", p.Basic.PhotoID)
	}
	if c := p.Certificates; c != nil {
		add("qual_scan_id", c.QualScanID)
		add("practising_scan_id", c.PractisingScanID)
		add("degree_scan_id", c.DegreeScanID)
	}
	return out
}

// GetApplication returns one application with the applicant's profile,
// uploads, newest form, history and flags (getApplication); another base's
// application is ENOTFOUND as a missing one. The reading is audited.
func (s *Service) GetApplication(ctx context.Context, by recruit.Staff, appID int64) (Detail, error) {
	const op = "review.GetApplication"
	if by.Disabled {
		return Detail{}, recruit.WithOp(op, recruit.ErrStaffDisabled)
	}
	app, prog, err := s.visible(ctx, by, appID)
	if err != nil {
		return Detail{}, recruit.WithOp(op, err)
	}
	res, err := s.store.QueryApplications(ctx, recruit.AppQuery{Year: app.Year, ApplicationID: app.ID, Limit: 1})
	if err != nil {
		return Detail{}, recruit.WithOp(op, err)
	}
	if len(res.Rows) != 1 {
		return Detail{}, recruit.WithOp(op, errNoApp)
	}
	d := Detail{Row: row(by, res.Rows[0], s.now())}
	if d.Profile, err = s.store.GetProfile(ctx, app.IdentityID); err != nil {
		return Detail{}, recruit.WithOp(op, err)
	}
	d.Uploads = uploads(d.Profile)
	if d.History, err = s.store.History(ctx, app.IdentityID); err != nil {
		return Detail{}, recruit.WithOp(op, err)
	}
	switch f, err := s.store.LatestForm(ctx, app.ID); recruit.ErrorCode(err) {
	case "":
		d.Form = &FormInfo{Code: f.Code, Version: f.Version, GeneratedAt: f.GeneratedAt, Current: f.Version == app.Version}
	case recruit.ENOTFOUND:
	default:
		return Detail{}, recruit.WithOp(op, err)
	}
	target := fmt.Sprintf("application:%d", app.ID)
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), prog.BaseID, ActionViewApplication, target, nil, nil, ""); err != nil {
		return Detail{}, recruit.WithOp(op, err)
	}
	return d, nil
}

// ReviewApplications approves or rejects every application of ids, or
// none (reviewApplications): at most recruit.MaxBulkReview of them, each
// visible to by (others read as missing), each allowed by the phase and
// state rules as Review checks them; when one fails, nothing is written
// and the error names every failing row. Each reviewed row gets its
// review-result notification and its audit entry with its change (see
// recruit.Queue.ReviewMany for the guarantee of each backend). A row
// already reviewed so, with the same remark, is left as it is, so a batch
// cut short can be sent again.
func (s *Service) ReviewApplications(ctx context.Context, by recruit.Staff, ids []int64, decision, remark string) ([]recruit.Application, error) {
	const op = "review.ReviewApplications"
	if by.Disabled {
		return nil, recruit.WithOp(op, recruit.ErrStaffDisabled)
	}
	to, remark, err := parseDecision(decision, remark)
	if err != nil {
		return nil, recruit.WithOp(op, err)
	}
	if err := recruit.CheckBulkIDs(ids); err != nil {
		return nil, recruit.WithOp(op, err)
	}
	y, err := s.store.LatestYear(ctx)
	if err != nil {
		return nil, recruit.WithOp(op, err)
	}
	f := recruit.ProgramFilter{Year: y.Year}
	if by.Role != recruit.RoleProvince {
		f.BaseID = by.BaseID
	}
	programs, err := s.store.ListPrograms(ctx, f)
	if err != nil {
		return nil, recruit.WithOp(op, err)
	}
	if !by.Role.HasBase() && by.Role != recruit.RoleProvince {
		programs = nil
	}
	progs := make(map[int64]recruit.Program, len(programs))
	for _, p := range programs {
		progs[p.ID] = p
	}
	now := s.now()
	phase := y.Calendar.PhaseAt(now)
	out, err := s.store.ReviewMany(ctx, recruit.BulkReview{
		IDs: ids, To: to, Remark: remark, Now: now,
		Visible: func(app recruit.Application) error {
			if _, ok := progs[app.ProgramID]; !ok || !app.State.Active() {
				return errNoApp
			}
			return nil
		},
		Allowed: func(app recruit.Application) error { return recruit.BaseMay(phase, &app, recruit.ActionReview) },
		Note: func(app recruit.Application) (recruit.Notification, error) {
			return notify.ReviewResult(app, progs[app.ProgramID], app.State == recruit.StateApproved, app.ReviewRemark, now), nil
		},
		Audit: func(before, after recruit.Application) (recruit.AuditEntry, error) {
			return recruit.StaffActionEntry(ctx, by, now, progs[after.ProgramID].BaseID, ActionReview,
				fmt.Sprintf("application:%d", after.ID), before.State, after.State, after.ReviewRemark)
		},
	})
	return out, recruit.WithOp(op, err)
}

// Export is a finished export's file name, in full and in ASCII.
type Export struct {
	Name     string
	Fallback string
	Rows     int
}

// exportColumns are the export's columns: field catalogue labels where the
// catalogue has the field.
var exportColumns = []struct {
	label string
	width float64
	value func(r Row) any
}{
	{"报名编号", 10, func(r Row) any { return r.ID }},
	{recruit.FieldLabel("name"), 12, func(r Row) any { return r.Name }},
	{recruit.FieldLabel("id_type"), 12, func(r Row) any { return r.IDType }},
	{recruit.FieldLabel("id_number"), 22, func(r Row) any { return r.IDNumber }},
	{recruit.FieldLabel("phone"), 14, func(r Row) any { return r.Phone }},
	{recruit.FieldLabel("email"), 22, func(r Row) any { return r.Email }},
	{recruit.FieldLabel("personnel_type"), 14, func(r Row) any { return r.PersonnelType }},
	{recruit.FieldLabel("school"), 22, func(r Row) any { return r.School }},
	{recruit.FieldLabel("base"), 22, func(r Row) any { return r.BaseName }},
	{"专业代码", 10, func(r Row) any { return r.SpecialtyCode }},
	{"培训专业", 16, func(r Row) any { return r.SpecialtyName }},
	{recruit.FieldLabel("accepts_adjustment"), 12, func(r Row) any { return yesNo(r.AcceptsAdjustment) }},
	{"审核状态", 10, func(r Row) any { return r.StateLabel }},
	{"审核意见", 30, func(r Row) any { return r.ReviewRemark }},
	{"提交时间", 18, func(r Row) any { return exportTime(r.SubmittedAt) }},
	{"提示", 40, func(r Row) any { return flagText(r.Flags) }},
	{"拟录取确认", 12, func(r Row) any { return r.OfferState.Label() }},
	{"确认期限", 18, func(r Row) any { return exportTime(r.OfferDeadline) }},
}

// exportTime is t as the export writes times, "" when zero.
func exportTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(recruit.Shanghai).Format("2006-01-02 15:04:05")
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// flagText joins the labels of flags.
func flagText(flags []recruit.Flag) string {
	labels := make([]string, len(flags))
	for i, f := range flags {
		labels[i] = f.Label
	}
	return strings.Join(labels, "；")
}

// ExportApplications writes to w an XLSX of every row listApplications
// finds for q, all pages of it, in its order (exportApplications), with
// ID numbers as ListApplications shows them to by, and audits the export
// with its filter and row count. Rows are read recruit.MaxStorePage at a
// time and streamed, so memory stays bounded whatever the count.
func (s *Service) ExportApplications(ctx context.Context, by recruit.Staff, q Query, w io.Writer) (Export, error) {
	const op = "review.ExportApplications"
	q.Page, q.Size = 0, 0
	aq, err := s.resolve(ctx, by, q)
	if err != nil {
		return Export{}, recruit.WithOp(op, err)
	}
	scope := "全省"
	if aq.BaseID != 0 {
		bases, err := s.store.ListBases(ctx)
		if err != nil {
			return Export{}, recruit.WithOp(op, err)
		}
		scope = fmt.Sprintf("基地%d", aq.BaseID)
		for _, b := range bases {
			if b.ID == aq.BaseID {
				scope = b.Name
			}
		}
	}
	now := s.now().In(recruit.Shanghai)
	stamp := now.Format("20060102-1504")
	ex := Export{Name: fmt.Sprintf("报名名单-%s-%s.xlsx", scope, stamp), Fallback: fmt.Sprintf("applications-%d-%s.xlsx", aq.Year, stamp)}
	header := make([]string, len(exportColumns))
	widths := make([]float64, len(exportColumns))
	for i, c := range exportColumns {
		header[i], widths[i] = c.label, c.width
	}
	aq.Offset, aq.Limit = 0, recruit.MaxStorePage
	err = xlsx.Write(w, "报名名单", header, widths, func(yield func([]any) error) error {
		for {
			res, err := s.store.QueryApplications(ctx, aq)
			if err != nil {
				return err
			}
			for _, r := range res.Rows {
				rw := row(by, r, now)
				cells := make([]any, len(exportColumns))
				for i, c := range exportColumns {
					cells[i] = c.value(rw)
				}
				if err := yield(cells); err != nil {
					return err
				}
			}
			ex.Rows += len(res.Rows)
			if len(res.Rows) < aq.Limit {
				return nil
			}
			aq.Offset += aq.Limit
		}
	})
	if recruit.ErrorCode(err) == recruit.EINTERNAL {
		err = recruit.Internal(err)
	}
	if err != nil {
		return Export{}, recruit.WithOp(op, err)
	}
	after := map[string]any{"query": q, "rows": ex.Rows, "full_id_numbers": MayReadID(by)}
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), aq.BaseID, ActionExport, "applications", nil, after, ""); err != nil {
		return Export{}, recruit.WithOp(op, err)
	}
	return ex, nil
}
