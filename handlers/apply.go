package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

// This file holds the applicant's registration (报名): the rules every save
// goes through, shared by the pages (apply_pages.go) and the JSON API
// (apply_api.go).

// revisionBy names the applicant in the history.
const revisionBy = "本人"

// Revision kinds of the profile sections and the choice.
const (
	secBasic        = "basic"
	secWork         = "work"
	secEducation    = "education"
	secCertificates = "certificates"
	secChoice       = "choice"
)

// sectionLabels are the Chinese names of the sections and the choice.
var sectionLabels = map[string]string{
	secBasic:        "基本信息",
	secWork:         "工作信息",
	secEducation:    "教育经历",
	secCertificates: "证书信息",
	secChoice:       "报考志愿",
}

// errIncomplete refuses a choice before the four sections are filled.
var errIncomplete = recruit.Errorf(recruit.EFORBIDDEN, "请先完成基本信息、工作信息、教育经历、证书信息的填写")

// applicant is everything a registration request needs about the logged-in
// applicant, loaded once per request.
type applicant struct {
	identity recruit.Identity
	year     recruit.Year
	phase    recruit.Phase
	profile  recruit.Profile
	app      *recruit.Application // nil before the first choice
}

// loadApplicant reads the session's identity, the latest year, the profile
// (with the bound name and ID filled in) and this year's application.
func (s *server) loadApplicant(c *fiber.Ctx) (*applicant, error) {
	sess := sessionOf(c)
	if sess == nil || sess.IdentityID == 0 {
		return nil, errLoginRequired
	}
	ctx := c.UserContext()
	id, ok := identityOf(c)
	if !ok {
		var err error
		if id, err = s.store.GetIdentity(ctx, sess.IdentityID); err != nil {
			return nil, err
		}
	}
	y, err := s.store.LatestYear(ctx)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return nil, noYear()
	}
	if err != nil {
		return nil, err
	}
	p, err := s.store.GetProfile(ctx, id.ID)
	if err != nil {
		return nil, err
	}
	if p.Basic != nil {
		p.Basic.Name, p.Basic.IDType, p.Basic.IDNumber = id.Name, id.IDType, id.IDNumber
	}
	a := &applicant{identity: id, year: y, phase: y.Calendar.PhaseAt(s.now()), profile: p}
	app, err := s.store.GetApplication(ctx, y.Year, id.ID)
	switch {
	case err == nil:
		a.app = &app
	case recruit.ErrorCode(err) != recruit.ENOTFOUND:
		return nil, err
	}
	return a, nil
}

// may applies the phase and state rules to action.
func (a *applicant) may(action recruit.Action) error {
	return recruit.ApplicantMay(a.phase, a.app, action)
}

// submitted reports whether the applicant has an application that counts.
func (a *applicant) submitted() bool { return a.app != nil && a.app.State.Active() }

// sectionDone reports whether a section of the profile is filled.
func sectionDone(p recruit.Profile, section string) bool {
	switch section {
	case secBasic:
		return p.Basic != nil
	case secWork:
		return p.Work != nil
	case secEducation:
		return len(p.Education) > 0
	case secCertificates:
		return p.Certificates != nil
	}
	return false
}

// newBasic is a 基本信息 value as the applicant submits it, with the fields
// that only the binding may set taken from the identity.
func (a *applicant) newBasic(b recruit.Basic) recruit.Basic {
	b.Name, b.IDType, b.IDNumber = a.identity.Name, a.identity.IDType, a.identity.IDNumber
	b.PhotoID = ""
	if a.profile.Basic != nil {
		b.PhotoID = a.profile.Basic.PhotoID
	}
	return b
}

// mergeErrors adds the field messages of a validation error to pre (the
// form's own parse messages win) and returns the combined error; an error
// that is not a validation error is returned as it is.
func mergeErrors(pre recruit.FieldErrors, err error) error {
	var re *recruit.Error
	if err != nil && (!errors.As(err, &re) || re.Code != recruit.EINVALID) {
		return err
	}
	out := recruit.FieldErrors{}
	for k, v := range pre {
		out.Add(k, v)
	}
	if re != nil {
		for k, v := range re.Fields {
			out.Add(k, v)
		}
		if len(re.Fields) == 0 {
			out.Add("form", re.Message)
		}
	}
	return out.Err()
}

// change is one save of the profile: the new profile, the history entry and
// the uploads it brings (stored first) and the files it replaces (deleted
// after the save).
type change struct {
	next     recruit.Profile
	version  int // the version the form was loaded with
	kind     string
	summary  string
	snapshot any
	uploads  []recruit.File
	replaced []string
}

// errStaleProfile refuses a save made from a form older than the profile.
var errStaleProfile = recruit.Errorf(recruit.ECONFLICT, "信息已被修改，请刷新后重试")

// commit stores a validated change: uploads, then the profile with its
// revision and, for a submitted application, its new version so that older
// forms become outdated (ECONFLICT when version is stale, and the uploads are
// removed again), then the replaced files are deleted.
func (s *server) commit(ctx context.Context, a *applicant, ch change) error {
	if ch.version != a.profile.Version {
		// ch.next was built on the profile read by this request: a form
		// loaded at another version would overwrite what it did not see.
		return errStaleProfile
	}
	now := s.now()
	for i, f := range ch.uploads {
		if err := s.store.PutFile(ctx, f); err != nil {
			s.dropFiles(ctx, ch.uploads[:i])
			return err
		}
	}
	snap, err := json.Marshal(ch.snapshot)
	if err != nil {
		s.dropFiles(ctx, ch.uploads)
		return recruit.Internal(err)
	}
	ch.next.Version = ch.version
	var touch int64 // a submitted application's version grows with the save
	if a.submitted() {
		touch = a.app.ID
	}
	saved, err := s.store.SaveProfile(ctx, ch.next, recruit.Revision{
		IdentityID: a.identity.ID, Kind: ch.kind, Summary: ch.summary, Snapshot: string(snap), By: revisionBy, At: now,
	}, touch)
	if err != nil {
		// Remove the new uploads only when the profile was certainly not
		// written; after an internal error it may have been (a backend
		// without transactions), and a profile must never point to a
		// deleted file — an orphaned file is the lesser harm.
		if code := recruit.ErrorCode(err); code == recruit.ECONFLICT || code == recruit.EINVALID {
			s.dropFiles(ctx, ch.uploads)
		}
		return err
	}
	for _, id := range ch.replaced {
		if id == "" {
			continue
		}
		if err := s.store.DeleteFile(ctx, id); err != nil {
			s.log.Error("delete replaced file", "err", err)
		}
	}
	a.profile = saved
	if touch != 0 {
		app, err := s.store.GetApplicationByID(ctx, touch)
		if err != nil {
			return err
		}
		a.app = &app
	}
	return nil
}

// dropFiles removes uploads that did not make it into the profile.
func (s *server) dropFiles(ctx context.Context, files []recruit.File) {
	for _, f := range files {
		if err := s.store.DeleteFile(ctx, f.ID); err != nil {
			s.log.Error("delete unused upload", "err", err)
		}
	}
}

// consistent checks 人员类型 against the employer and, once a choice is
// submitted, against the chosen base (本单位培训: the base is the employer),
// so that no later edit of either section breaks what the choice required.
func (s *server) consistent(ctx context.Context, a *applicant, b recruit.Basic, w recruit.Work) error {
	if err := recruit.CheckPersonnelConsistency(b, w); err != nil {
		return err
	}
	if !a.submitted() {
		return nil
	}
	prog, err := s.store.GetProgram(ctx, a.app.ProgramID)
	if err != nil {
		return err
	}
	return recruit.CheckOwnUnit(b, w, prog.BaseName)
}

// saveBasic validates and stores 基本信息 with an optional new photo (nil:
// keep the stored one). pre holds the form's own parse messages.
func (s *server) saveBasic(ctx context.Context, a *applicant, version int, in recruit.Basic, photo []byte, pre recruit.FieldErrors) error {
	if err := a.may(recruit.ActionEditProfile); err != nil {
		return err
	}
	b := a.newBasic(in)
	fe := recruit.FieldErrors{}
	for k, v := range pre {
		fe.Add(k, v)
	}
	var ch change
	if photo != nil {
		f, err := s.newUpload(a, fileSlots[fieldPhoto], photo)
		if err != nil {
			fe.Add(fieldPhoto, recruit.ErrorMessage(err))
		} else {
			ch.uploads, ch.replaced = []recruit.File{f}, []string{b.PhotoID}
			b.PhotoID = f.ID
		}
	}
	err := b.Validate(s.now())
	if err == nil && a.profile.Work != nil {
		err = s.consistent(ctx, a, b, *a.profile.Work)
	}
	if err := mergeErrors(fe, err); err != nil {
		return err
	}
	ch.next, ch.version, ch.kind, ch.snapshot = a.profile, version, secBasic, b
	ch.next.Basic = &b
	ch.summary = "保存基本信息"
	if photo != nil {
		ch.summary = "保存基本信息（更换证件照片）"
	}
	return s.commit(ctx, a, ch)
}

// saveWork validates and stores 工作信息.
func (s *server) saveWork(ctx context.Context, a *applicant, version int, w recruit.Work, pre recruit.FieldErrors) error {
	if err := a.may(recruit.ActionEditProfile); err != nil {
		return err
	}
	w.EmployerCode = recruit.NormalizeCode(w.EmployerCode)
	err := w.Validate(s.now())
	if err == nil && a.profile.Basic != nil {
		err = s.consistent(ctx, a, *a.profile.Basic, w)
	}
	if err := mergeErrors(pre, err); err != nil {
		return err
	}
	next := a.profile
	next.Work = &w
	return s.commit(ctx, a, change{next: next, version: version, kind: secWork, summary: "保存工作信息", snapshot: w})
}

// saveCertificates validates and stores 证书信息 with optional new scans
// keyed by their field (qual_scan_id, practising_scan_id, degree_scan_id).
func (s *server) saveCertificates(ctx context.Context, a *applicant, version int, ct recruit.Certificates, scans map[string][]byte, pre recruit.FieldErrors) error {
	if err := a.may(recruit.ActionEditProfile); err != nil {
		return err
	}
	fe := recruit.FieldErrors{}
	for k, v := range pre {
		fe.Add(k, v)
	}
	// The scan ids are never taken from the request.
	var old recruit.Certificates
	if a.profile.Certificates != nil {
		old = *a.profile.Certificates
	}
	ct.QualScanID, ct.PractisingScanID, ct.DegreeScanID = old.QualScanID, old.PractisingScanID, old.DegreeScanID
	var ch change
	for _, field := range scanFields {
		data, ok := scans[field]
		if !ok {
			continue
		}
		f, err := s.newUpload(a, fileSlots[field], data)
		if err != nil {
			fe.Add(field, recruit.ErrorMessage(err))
			continue
		}
		id := scanID(&ct, field)
		ch.uploads, ch.replaced = append(ch.uploads, f), append(ch.replaced, *id)
		*id = f.ID
	}
	if err := mergeErrors(fe, ct.Validate(s.now())); err != nil {
		return err
	}
	ch.next, ch.version, ch.kind, ch.snapshot = a.profile, version, secCertificates, ct
	ch.next.Certificates = &ct
	ch.summary = "保存证书信息"
	if len(ch.uploads) > 0 {
		ch.summary = fmt.Sprintf("保存证书信息（上传%d个扫描件）", len(ch.uploads))
	}
	return s.commit(ctx, a, ch)
}

// saveEducation adds (id 0), replaces (id of a record) or, with e nil,
// deletes one 教育经历 record and validates the whole section.
func (s *server) saveEducation(ctx context.Context, a *applicant, version int, id int64, e *recruit.Education, pre recruit.FieldErrors) error {
	if err := a.may(recruit.ActionEditProfile); err != nil {
		return err
	}
	others, old, found := splitRecords(a.profile.Education, id)
	if id != 0 && !found {
		return recruit.Errorf(recruit.ENOTFOUND, "该教育经历不存在")
	}
	next := a.profile
	var summary string
	if e == nil {
		if len(others) == 0 && a.submitted() {
			return recruit.Errorf(recruit.EFORBIDDEN, "已提交志愿的，至少保留一条教育经历")
		}
		next.Education = others
		summary = "删除教育经历（" + old.Level + "）"
		return s.commit(ctx, a, change{next: next, version: version, kind: secEducation, summary: summary, snapshot: next.Education})
	}
	rec := *e
	rec.ID = id
	summary = "修改教育经历（" + rec.Level + "）"
	if id == 0 {
		rec.ID = nextRecordID(a.profile.Education)
		summary = "新增教育经历（" + rec.Level + "）"
	}
	// The edited record goes last, so that its messages (including a
	// duplicate level) are those of the last index.
	list := append(others, rec)
	err := recruit.ValidateEducation(list, s.now())
	if err := mergeErrors(pre, recordErrors(err, len(list)-1)); err != nil {
		return err
	}
	next.Education = sortRecords(list)
	return s.commit(ctx, a, change{next: next, version: version, kind: secEducation, summary: summary, snapshot: next.Education})
}

// splitRecords returns the records other than id and the record id itself.
func splitRecords(list []recruit.Education, id int64) (others []recruit.Education, rec recruit.Education, found bool) {
	for _, e := range list {
		if e.ID == id && id != 0 {
			rec, found = e, true
			continue
		}
		others = append(others, e)
	}
	return others, rec, found
}

func nextRecordID(list []recruit.Education) int64 {
	var max int64
	for _, e := range list {
		if e.ID > max {
			max = e.ID
		}
	}
	return max + 1
}

// sortRecords orders records from the lowest level to the highest.
func sortRecords(list []recruit.Education) []recruit.Education {
	out := make([]recruit.Education, 0, len(list))
	for _, l := range recruit.EducationLevels {
		for _, e := range list {
			if e.Level == l {
				out = append(out, e)
			}
		}
	}
	return out
}

// recordErrors turns the messages of record i of a ValidateEducation error
// into plain field names; messages of other records stay as they are.
func recordErrors(err error, i int) error {
	var re *recruit.Error
	if !errors.As(err, &re) || re.Code != recruit.EINVALID {
		return err
	}
	prefix := fmt.Sprintf("education[%d].", i)
	fe := recruit.FieldErrors{}
	for k, v := range re.Fields {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			k = k[len(prefix):]
		}
		fe.Add(k, v)
	}
	return fe.Err()
}

// submitChoice submits or changes the applicant's choice (志愿). appVersion
// is the application version the page was loaded with (0 before the first
// choice): a stale page gets ECONFLICT. The counters move in the store's
// transaction; the history entry and the registered notification follow.
func (s *server) submitChoice(ctx context.Context, a *applicant, appVersion int, ch recruit.Choice) (recruit.Application, error) {
	if !a.profile.Complete() {
		return recruit.Application{}, errIncomplete
	}
	prog, err := s.store.GetProgram(ctx, ch.ProgramID)
	if err != nil || prog.Year != a.year.Year {
		if err != nil && recruit.ErrorCode(err) != recruit.ENOTFOUND {
			return recruit.Application{}, err
		}
		return recruit.Application{}, &recruit.Error{Code: recruit.EINVALID, Message: "请选择本年度的培训基地和培训专业",
			Fields: map[string]string{"program_id": "请选择培训专业"}}
	}
	action := recruit.ActionRegister
	if a.submitted() {
		action = recruit.ActionChangeSpecialty
		old, err := s.store.GetProgram(ctx, a.app.ProgramID)
		if err != nil {
			return recruit.Application{}, err
		}
		if old.BaseID != prog.BaseID {
			action = recruit.ActionChangeBase
		}
	}
	if err := a.may(action); err != nil {
		return recruit.Application{}, err
	}
	if err := recruit.CheckOwnUnit(*a.profile.Basic, *a.profile.Work, prog.BaseName); err != nil {
		return recruit.Application{}, err
	}
	current := 0
	if a.app != nil {
		current = a.app.Version
	}
	if appVersion != current {
		return recruit.Application{}, recruit.Errorf(recruit.ECONFLICT, "志愿信息已在其他页面修改，请刷新后重试")
	}
	now := s.now()
	app, err := s.store.SubmitChoice(ctx, a.identity.ID, a.year.Year, ch, now, func(app recruit.Application) (recruit.Revision, recruit.Notification, error) {
		return choiceRecords(a.identity.ID, prog, app, now)
	})
	if err != nil {
		return recruit.Application{}, err
	}
	a.app = &app
	return app, nil
}

// choiceRecords builds the history entry and the registration-success
// notification of a submitted choice; the store records them with it.
func choiceRecords(identityID int64, prog recruit.Program, app recruit.Application, now time.Time) (recruit.Revision, recruit.Notification, error) {
	adj := "不接受调剂"
	if app.AcceptsAdjustment {
		adj = "接受调剂"
	}
	snap, err := json.Marshal(choiceSnapshot{
		Choice: recruit.Choice{ProgramID: app.ProgramID, AcceptsAdjustment: app.AcceptsAdjustment},
		Base:   prog.BaseName, Specialty: prog.SpecialtyName, Version: app.Version,
	})
	if err != nil {
		return recruit.Revision{}, recruit.Notification{}, recruit.Internal(err)
	}
	payload, err := json.Marshal(registeredPayload{
		Base: prog.BaseName, Specialty: prog.SpecialtyName,
		Time: now.In(recruit.Shanghai).Format("2006-01-02 15:04"), State: app.State.Label(),
	})
	if err != nil {
		return recruit.Revision{}, recruit.Notification{}, recruit.Internal(err)
	}
	rev := recruit.Revision{IdentityID: identityID, Kind: secChoice,
		Summary:  fmt.Sprintf("提交志愿：%s %s（%s）", prog.BaseName, prog.SpecialtyName, adj),
		Snapshot: string(snap), By: revisionBy, At: now}
	n := recruit.Notification{IdentityID: identityID, Kind: "registered",
		ClientMsgID: fmt.Sprintf("reg-%d-v%d", app.ID, app.Version),
		Payload:     string(payload), NextAt: now, CreatedAt: now}
	return rev, n, nil
}

// choiceSnapshot is the history snapshot of a submitted choice.
type choiceSnapshot struct {
	recruit.Choice
	Base      string `json:"base"`
	Specialty string `json:"specialty"`
	Version   int    `json:"version"`
}

// registeredPayload is the template data of the 报名成功 notification
// (seed 7.20): base, specialty, time and state.
type registeredPayload struct {
	Base      string `json:"base"`
	Specialty string `json:"specialty"`
	Time      string `json:"time"`
	State     string `json:"state"`
}

// formatTime shows an instant as Shanghai civil time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(recruit.Shanghai).Format("2006-01-02 15:04:05")
}
