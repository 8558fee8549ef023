package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"zhupei/apply"
	"zhupei/recruit"
)

// applyRoutes registers the applicant's registration pages, the owner-only
// file route and the applicant's JSON API when the applicant service is
// configured.
func (s *server) applyRoutes(app *fiber.App) {
	if s.apply == nil {
		return
	}
	need := s.requireIdentity
	app.Get("/apply", need, s.applySteps)
	app.Get("/apply/basic", need, s.basicPage)
	app.Post("/apply/basic", need, s.basicSave)
	app.Get("/apply/work", need, s.workPage)
	app.Post("/apply/work", need, s.workSave)
	app.Get("/apply/education", need, s.educationList)
	app.Get("/apply/education/:id", need, s.educationPage)
	app.Post("/apply/education/:id", need, s.educationSave)
	app.Post("/apply/education/:id/delete", need, s.educationDelete)
	app.Get("/apply/certificates", need, s.certificatesPage)
	app.Post("/apply/certificates", need, s.certificatesSave)
	app.Get("/apply/choice", need, s.choicePage)
	app.Post("/apply/choice", need, s.choiceSave)
	app.Get("/apply/files/:id", need, s.serveFile)
	app.Get("/result", need, s.resultMine)
	app.Post("/result/offer", need, s.answerOffer)
	app.Get("/preview", need, s.preview)
	app.Get("/history", need, s.history)
	app.Get("/messages", need, s.messages)
	app.Get("/messages/:id", need, s.message)
	s.applyAPIRoutes(app)
}

// stepView is one entry of the PC tabs or the phone step list.
type stepView struct {
	Key    string
	Label  string
	Href   string
	Done   bool
	Active bool
}

// tabOrder is the PC order (seed 6.1), stepOrder the phone order (seed 7.5).
var (
	tabOrder  = []string{apply.SectionBasic, apply.SectionWork, apply.SectionEducation, apply.SectionCertificates, apply.SectionChoice}
	stepOrder = []string{apply.SectionBasic, apply.SectionEducation, apply.SectionCertificates, apply.SectionWork, apply.SectionChoice}
	tabLabels = map[string]string{apply.SectionBasic: "1. 基本信息", apply.SectionWork: "2. 工作信息", apply.SectionEducation: "3. 教育信息",
		apply.SectionCertificates: "4. 证书信息", apply.SectionChoice: "5. 填报志愿"}
)

func tabLabel(section string) string { return tabLabels[section] }

func steps(a *apply.Applicant, order []string, label func(string) string, active string) []stepView {
	out := make([]stepView, len(order))
	for i, k := range order {
		out[i] = stepView{Key: k, Label: label(k), Href: "/apply/" + k, Done: a.Done(k), Active: k == active}
	}
	return out
}

// uploadView is a file input with the stored file's link.
type uploadView struct {
	Field  string
	Label  string
	URL    string
	Error  string
	Accept string
	Hint   string
	// Staged is the id of an accepted upload kept from a refused save,
	// sent again with the form and committed by the next save.
	Staged    string
	StagedURL string
	MinSize   int // bytes; the page refuses smaller files before sending
	MaxSize   int
}

// recordView is one 教育经历 record in the list.
type recordView struct {
	ID            int64
	Level         string
	School        string
	Major         string
	Qualification string
	Degree        string
	Graduation    string
	InSchool      bool
}

// applyView is the data of every apply_*.html page.
type applyView struct {
	Section    string
	Heading    string
	Tabs       []stepView
	Steps      []stepView
	CSRF       string
	Version    int
	Action     string // the form's POST target
	Fields     []fieldView
	Errors     []string
	Saved      string
	Locked     string // why the form cannot be saved now
	PhaseLabel string
	Name       string
	IDType     string
	IDNumber   string
	Photo      *uploadView
	Scans      []uploadView
	Records    []recordView
	Highest    string
	Choice     *choiceView
	// Outdated follows Saved when the registration form generated before
	// the change no longer shows it.
	Outdated string
	// Conflicts compare, after a save from an outdated page, what is saved
	// now with what the user sent (still in the form, now at the current
	// version, so that saving again keeps theirs).
	Conflicts []conflictRow
	// Form is the registration form button of the step list.
	Form formButton

	current int               // the profile version stored now
	staged  map[string]string // uploads kept by a refused save, by field
	// fixed names the fields the page shows but does not let change: the
	// gender and birth date of a 居民身份证 (apply.Applicant.FromID).
	fixed map[string]bool
}

// conflictRow is one field that differs between the stored profile and a
// save made from an outdated page.
type conflictRow struct {
	Label  string
	Saved  string
	Theirs string
}

// formButton is the 生成报名表 / 重新生成报名表 button with its notice.
type formButton struct {
	Show   bool
	Label  string
	Notice string
	CSRF   string
}

// newFormButton shows the form button of r: 生成报名表 before any form
// exists, 重新生成报名表 after, with the outdated notice when a change came
// after the newest form.
func newFormButton(r apply.Result, csrf string) formButton {
	b := formButton{Show: r.CanGenerate, Label: "重新生成报名表", CSRF: csrf}
	switch r.Form {
	case apply.FormNone:
		b.Label = "生成报名表"
	case apply.FormOutdated:
		b.Notice = apply.OutdatedFormNotice
	}
	return b
}

// view starts the page data of section for a.
func (s *server) view(c *fiber.Ctx, a *apply.Applicant, section string) applyView {
	v := applyView{
		Section: section, Heading: apply.SectionLabel(section),
		Tabs:  steps(a, tabOrder, tabLabel, section),
		Steps: steps(a, stepOrder, apply.SectionLabel, section),
		CSRF:  sessionOf(c).CSRF, Version: a.Profile.Version, current: a.Profile.Version, Action: "/apply/" + section,
		PhaseLabel: a.Phase.Label(),
		Name:       a.Identity.Name, IDType: a.Identity.IDType, IDNumber: recruit.MaskID(a.Identity.IDNumber),
	}
	if err := a.EditRefusal(); err != nil {
		v.Locked = recruit.ErrorMessage(err)
	}
	if _, _, ok := a.FromID(); ok && section == apply.SectionBasic {
		v.fixed = map[string]bool{"gender": true, "birth_date": true}
	}
	if saved := c.Query("saved"); apply.SectionLabel(saved) != "" {
		v.Saved = apply.SectionLabel(saved) + "已保存"
		st, err := s.apply.FormState(c.UserContext(), a)
		if err != nil {
			s.log.WarnContext(c.UserContext(), "form state", "op", "handlers.view", "err", err)
		}
		if st == apply.FormOutdated {
			v.Outdated = apply.OutdatedFormNotice
		}
	}
	return v
}

// renderApply renders apply_<section>.html (or name) with status.
func (s *server) renderApply(c *fiber.Ctx, status int, name string, v applyView) error {
	return s.render(c, status, name, page{Title: "招录报名 - " + v.Heading, Nav: "apply", Body: v})
}

// formFailed re-renders a form after a refused save: validation messages go
// next to their fields (others above the form), refusals above it; what the
// user typed is kept, and so are the uploads the service staged (v.staged).
// A save from an outdated page (ECONFLICT) shows what is stored now (saved)
// next to what was sent and moves the form to the current version, so that
// saving again keeps the user's values. Other errors go to the error
// handler.
func (s *server) formFailed(c *fiber.Ctx, name string, v applyView, defs []fieldDef, values, saved map[string]string, err error, extra ...string) error {
	var fields map[string]string
	switch recruit.ErrorCode(err) {
	case recruit.EINVALID:
		var re *recruit.Error
		if errors.As(err, &re) {
			fields = re.Fields
		}
		v.Errors = append([]string{"信息有误，请按提示修改后再保存。"}, otherMessages(defs, fields, extra...)...)
	case recruit.ECONFLICT:
		v.Version = v.current
		v.Conflicts = conflicts(defs, saved, values)
		v.Errors = []string{"您打开本页后，这部分信息已在别处保存过（例如在另一页面，或返回旧页面后再次保存）。"}
		if len(v.Conflicts) > 0 {
			v.Errors = append(v.Errors, "下表对比了当前已保存的内容和您本次填写的内容。您的填写仍保留在下方表单中：再次点击“保存”即以您的填写为准。")
		} else {
			v.Errors = append(v.Errors, "页面已更新到最新版本，您的填写仍保留在下方：请核对后再次提交。")
		}
	case recruit.EFORBIDDEN:
		v.Errors = []string{recruit.ErrorMessage(err)}
	default:
		return err
	}
	v.Fields = fieldViews(defs, values, fields)
	v.markFixed()
	if v.Photo != nil {
		v.Photo.Error = fields[apply.FieldPhoto]
		v.Photo.setStaged(v.staged[apply.FieldPhoto])
	}
	for i := range v.Scans {
		v.Scans[i].Error = fields[v.Scans[i].Field]
		v.Scans[i].setStaged(v.staged[v.Scans[i].Field])
	}
	if len(v.Scans) > 0 || v.Photo != nil {
		if hasFileErrors(fields) {
			v.Errors = append(v.Errors, "未通过检查的文件未保存，请重新选择文件后再提交。")
		}
	}
	status, _ := classify(err)
	return s.renderApply(c, status, name, v)
}

// setStaged shows the upload kept from a refused save.
func (u *uploadView) setStaged(id string) {
	u.Staged, u.StagedURL = id, fileURL(id)
}

// conflicts lists the fields of defs whose stored value differs from the
// one sent; a field shown for neither (a dependent field whose answer does
// not open it) is not compared.
func conflicts(defs []fieldDef, saved, theirs map[string]string) []conflictRow {
	var out []conflictRow
	for _, d := range defs {
		if !d.active(saved) && !d.active(theirs) {
			continue
		}
		if saved[d.Name] != theirs[d.Name] {
			out = append(out, conflictRow{Label: d.Label, Saved: saved[d.Name], Theirs: theirs[d.Name]})
		}
	}
	return out
}

// stagedFiles reads the ids of the uploads that a refused save kept, sent
// back by the form as staged_<field>.
func stagedFiles(c *fiber.Ctx, fields ...string) map[string]string {
	out := map[string]string{}
	for _, f := range fields {
		if id := c.FormValue("staged_" + f); id != "" {
			out[f] = id
		}
	}
	return out
}

func hasFileErrors(fields map[string]string) bool {
	for _, f := range append([]string{apply.FieldPhoto}, apply.ScanFields...) {
		if fields[f] != "" {
			return true
		}
	}
	return false
}

// formVersion reads the hidden version field of a form.
func formVersion(c *fiber.Ctx, name string) (int, error) {
	n, err := strconv.Atoi(c.FormValue(name))
	if err != nil || n < 0 {
		return 0, recruit.Errorf(recruit.EINVALID, "表单已失效，请刷新页面后重试")
	}
	return n, nil
}

// savedRedirect confirms a saved section where the layout the form was
// posted from (layout, set by apply.js) goes next: the PC to the next tab
// (seed 6.1–6.6), the phone, and a page without JavaScript, back to the step
// list (7.7, 7.10, 7.13, 7.16).
func savedRedirect(c *fiber.Ctx, section string) error {
	next := "/apply"
	if c.FormValue("layout") == "pc" {
		next = "/apply/" + nextTab(section)
	}
	return c.Redirect(next+"?saved="+url.QueryEscape(section), fiber.StatusSeeOther)
}

// nextTab is the PC tab after section, the last one for the last.
func nextTab(section string) string {
	i := slices.Index(tabOrder, section)
	return tabOrder[min(i+1, len(tabOrder)-1)]
}

// ---- step list ----

func (s *server) applySteps(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	v := s.view(c, a, "")
	v.Heading = "招录报名"
	r, err := s.apply.Result(c.UserContext(), a)
	if err != nil {
		return err
	}
	v.Form = newFormButton(r, v.CSRF)
	return s.renderApply(c, fiber.StatusOK, "apply_steps.html", v)
}

// ---- 基本信息 ----

func photoUpload(a *apply.Applicant) *uploadView {
	u := &uploadView{Field: apply.FieldPhoto, Label: recruit.FieldLabel(apply.FieldPhoto), Accept: "image/jpeg",
		MinSize: recruit.PhotoMinSize, MaxSize: recruit.MaxUploadSize,
		Hint: "上传照片要求：本人近期彩色免冠证件照；头部占照片尺寸的2/3；格式：jpg；大小：150k-10M；底色：白底。"}
	if a.Profile.Basic != nil {
		u.URL = fileURL(a.Profile.Basic.PhotoID)
	}
	return u
}

func (s *server) basicPage(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	v := s.view(c, a, apply.SectionBasic)
	draft := a.BasicDraft()
	values := formValues(a.Profile.Basic)
	values["gender"], values["birth_date"] = draft.Gender, draft.BirthDate
	v.Fields = fieldViews(basicFields, values, nil)
	v.markFixed()
	v.Photo = photoUpload(a)
	return s.renderApply(c, fiber.StatusOK, "apply_basic.html", v)
}

// markFixed marks the fields of v.fixed as shown but not editable.
func (v *applyView) markFixed() {
	for i := range v.Fields {
		v.Fields[i].Fixed = v.fixed[v.Fields[i].Name]
	}
}

func (s *server) basicSave(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	values := readForm(c, basicFields)
	var b recruit.Basic
	pre := decodeForm(basicFields, values, &b)
	files, err := formFiles(c, apply.FieldPhoto)
	if err != nil {
		return err
	}
	v := s.view(c, a, apply.SectionBasic)
	v.Photo = photoUpload(a)
	v.staged = stagedFiles(c, apply.FieldPhoto)
	version, err := formVersion(c, "version")
	if err == nil {
		v.Version = version
		err = s.apply.SaveBasic(c.UserContext(), a, apply.Edit{Version: version, Files: files, Parsed: pre, Staged: v.staged}, b)
	}
	if err != nil {
		if birth, gender, ok := a.FromID(); ok {
			values["gender"], values["birth_date"] = gender, birth
		}
		return s.formFailed(c, "apply_basic.html", v, basicFields, values, formValues(a.Profile.Basic), err, apply.FieldPhoto, "name", "id_type", "id_number")
	}
	return savedRedirect(c, apply.SectionBasic)
}

// ---- 工作信息 ----

func (s *server) workPage(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	v := s.view(c, a, apply.SectionWork)
	v.Fields = fieldViews(workFields, formValues(a.Profile.Work), nil)
	return s.renderApply(c, fiber.StatusOK, "apply_work.html", v)
}

func (s *server) workSave(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	values := readForm(c, workFields)
	var w recruit.Work
	pre := decodeForm(workFields, values, &w)
	v := s.view(c, a, apply.SectionWork)
	version, err := formVersion(c, "version")
	if err == nil {
		v.Version = version
		err = s.apply.SaveWork(c.UserContext(), a, apply.Edit{Version: version, Parsed: pre}, w)
	}
	if err != nil {
		return s.formFailed(c, "apply_work.html", v, workFields, values, formValues(a.Profile.Work), err)
	}
	return savedRedirect(c, apply.SectionWork)
}

// ---- 证书信息 ----

func scanUploads(ct *recruit.Certificates) []uploadView {
	out := make([]uploadView, len(apply.ScanFields))
	for i, field := range apply.ScanFields {
		slot, _ := apply.SlotOf(field)
		out[i] = uploadView{Field: field, Label: slot.Label, Accept: "image/jpeg,image/png,application/pdf", MaxSize: recruit.MaxUploadSize,
			Hint: "格式：jpg、png或pdf；大小不超过10M；每次提交的文件合计不超过20M，可分次上传。"}
		if ct != nil {
			out[i].URL = fileURL(*apply.ScanID(ct, field))
		}
	}
	return out
}

func (s *server) certificatesPage(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	v := s.view(c, a, apply.SectionCertificates)
	v.Fields = fieldViews(certificateFields, formValues(a.Profile.Certificates), nil)
	v.Scans = scanUploads(a.Profile.Certificates)
	return s.renderApply(c, fiber.StatusOK, "apply_certificates.html", v)
}

func (s *server) certificatesSave(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	values := readForm(c, certificateFields)
	var ct recruit.Certificates
	pre := decodeForm(certificateFields, values, &ct)
	files, err := formFiles(c, apply.ScanFields...)
	if err != nil {
		return err
	}
	v := s.view(c, a, apply.SectionCertificates)
	v.Scans = scanUploads(a.Profile.Certificates)
	v.staged = stagedFiles(c, apply.ScanFields...)
	version, err := formVersion(c, "version")
	if err == nil {
		v.Version = version
		err = s.apply.SaveCertificates(c.UserContext(), a, apply.Edit{Version: version, Files: files, Parsed: pre, Staged: v.staged}, ct)
	}
	if err != nil {
		return s.formFailed(c, "apply_certificates.html", v, certificateFields, values, formValues(a.Profile.Certificates), err, apply.ScanFields...)
	}
	return savedRedirect(c, apply.SectionCertificates)
}

// ---- 教育经历 ----

func recordViews(list []recruit.Education) []recordView {
	out := make([]recordView, len(list))
	for i, e := range list {
		out[i] = recordView{ID: e.ID, Level: e.Level, School: e.School, Major: e.Major, Qualification: e.Qualification,
			Degree: e.Degree, Graduation: e.GraduationDate, InSchool: e.InSchool}
	}
	return out
}

func (s *server) educationView(c *fiber.Ctx, a *apply.Applicant) applyView {
	v := s.view(c, a, apply.SectionEducation)
	v.Records = recordViews(a.Profile.Education)
	if h, ok := recruit.HighestEducation(a.Profile.Education); ok {
		v.Highest = h.Level + "（" + h.Qualification + "，" + h.School + "）"
	}
	return v
}

func (s *server) educationList(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	return s.renderApply(c, fiber.StatusOK, "apply_education.html", s.educationView(c, a))
}

// recordParam parses the :id of an education route: "new" is 0.
func recordParam(c *fiber.Ctx) (int64, error) {
	raw := c.Params("id")
	if raw == "new" {
		return 0, nil
	}
	id, ok := parseID(raw)
	if !ok {
		return 0, apply.ErrNoRecord
	}
	return id, nil
}

func (s *server) educationPage(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	id, err := recordParam(c)
	if err != nil {
		return err
	}
	v := s.educationView(c, a)
	v.Action = "/apply/education/" + c.Params("id")
	var values map[string]string
	if id != 0 {
		rec, err := a.Record(id)
		if err != nil {
			return err
		}
		values = formValues(rec)
	}
	v.Fields = fieldViews(educationFields, values, nil)
	return s.renderApply(c, fiber.StatusOK, "apply_education.html", v)
}

func (s *server) educationSave(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	id, err := recordParam(c)
	if err != nil {
		return err
	}
	values := readForm(c, educationFields)
	var e recruit.Education
	pre := decodeForm(educationFields, values, &e)
	v := s.educationView(c, a)
	v.Action = "/apply/education/" + c.Params("id")
	version, err := formVersion(c, "version")
	if err == nil {
		v.Version = version
		err = s.apply.SaveEducation(c.UserContext(), a, apply.Edit{Version: version, Parsed: pre}, id, e)
	}
	if err != nil {
		saved := values // a new record conflicts with nothing stored
		if rec, rerr := a.Record(id); rerr == nil {
			saved = formValues(rec)
		}
		return s.formFailed(c, "apply_education.html", v, educationFields, values, saved, err)
	}
	return savedRedirect(c, apply.SectionEducation)
}

func (s *server) educationDelete(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	id, err := recordParam(c)
	if err != nil {
		return err
	}
	if id == 0 {
		return apply.ErrNoRecord
	}
	version, err := formVersion(c, "version")
	if err == nil {
		err = s.apply.DeleteEducation(c.UserContext(), a, version, id)
	}
	if err != nil {
		v := s.educationView(c, a)
		return s.formFailed(c, "apply_education.html", v, nil, nil, nil, err)
	}
	return c.Redirect("/apply/education?saved="+apply.SectionEducation, fiber.StatusSeeOther)
}

// ---- 填报志愿 ----

// choiceView is the data of the choice form.
type choiceView struct {
	Bases      []optionView
	Programs   []optionView
	BaseID     int64
	Adjustment string // 是, 否 or ""
	AppVersion int
	Current    string // the submitted choice, if any
	Refused    string // why submitting is not possible now
	Errors     map[string]string
}

// optionView is one <option>.
type optionView struct {
	Value    int64
	Label    string
	Selected bool
}

// programLabel is how a specialty reads in the choice list (seed 6.6).
func programLabel(p recruit.Program) string {
	return fmt.Sprintf("%s(已报名:%d/已录取:%d/计划数:%d)", p.SpecialtyName, p.Registered, p.Admitted, p.Plan)
}

// choiceData fills the choice form for base (0: the current choice's base)
// and the selected program.
func (s *server) choiceData(c *fiber.Ctx, a *apply.Applicant, baseID, programID int64, adjustment string) (*choiceView, error) {
	ctx := c.UserContext()
	cv := &choiceView{BaseID: baseID, Adjustment: adjustment, Refused: recruit.ErrorMessage(a.ChoiceRefusal())}
	if a.App != nil {
		cv.AppVersion = a.App.Version
	}
	opts, err := s.apply.ChoiceOptions(ctx, a, baseID)
	if err != nil {
		return nil, err
	}
	if cur := opts.Current; cur != nil {
		cv.Current = cur.BaseName + " " + cur.SpecialtyName
		if baseID == 0 {
			cv.BaseID, programID = cur.BaseID, cur.ID
			cv.Adjustment = boolText(a.App.AcceptsAdjustment)
		}
	}
	snap, err := s.public.get(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range snap.YearBases {
		cv.Bases = append(cv.Bases, optionView{Value: b.ID, Label: b.Name, Selected: b.ID == cv.BaseID})
	}
	for _, p := range opts.Programs {
		cv.Programs = append(cv.Programs, optionView{Value: p.ID, Label: programLabel(p), Selected: p.ID == programID})
	}
	return cv, nil
}

func boolText(b bool) string {
	if b {
		return yes
	}
	return no
}

func (s *server) choicePage(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	base, _ := parseID(c.Query("base"))
	v := s.view(c, a, apply.SectionChoice)
	v.Heading = "填报志愿"
	if v.Choice, err = s.choiceData(c, a, base, 0, ""); err != nil {
		return err
	}
	return s.renderApply(c, fiber.StatusOK, "apply_choice.html", v)
}

func (s *server) choiceSave(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	fe := recruit.FieldErrors{}
	base, _ := parseID(c.FormValue("base"))
	program, ok := parseID(c.FormValue("program_id"))
	if !ok {
		fe.Add("program_id", "请选择培训专业")
	}
	adjustment := c.FormValue("accepts_adjustment")
	if adjustment != yes && adjustment != no {
		fe.Add("accepts_adjustment", "请选择是否接受调剂")
	}
	appVersion, verr := formVersion(c, "app_version")
	err = fe.Err()
	if err == nil {
		err = verr
	}
	if err == nil {
		_, err = s.apply.Choose(c.UserContext(), a, appVersion, recruit.Choice{ProgramID: program, AcceptsAdjustment: adjustment == yes})
	}
	if err == nil {
		return c.Redirect("/result?submitted=1", fiber.StatusSeeOther)
	}
	switch recruit.ErrorCode(err) {
	case recruit.EINVALID, recruit.ECONFLICT, recruit.EFORBIDDEN:
	default:
		return err
	}
	v := s.view(c, a, apply.SectionChoice)
	v.Heading = "填报志愿"
	if v.Choice, verr = s.choiceData(c, a, base, program, adjustment); verr != nil {
		return verr
	}
	v.Choice.AppVersion = appVersion
	var re *recruit.Error
	if errors.As(err, &re) {
		v.Choice.Errors = re.Fields
	}
	v.Errors = []string{recruit.ErrorMessage(err)}
	status, _ := classify(err)
	return s.renderApply(c, status, "apply_choice.html", v)
}
