package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"zhupei/recruit"
)

// revisionBy names the applicant in the history.
const revisionBy = "本人"

// Edit is what every save of a profile section carries besides the section.
type Edit struct {
	// Version is the profile version the form was loaded with: a save from
	// an older form is refused (ECONFLICT).
	Version int
	// Files are new uploads by field (FieldPhoto for the basic section,
	// ScanFields for the certificates); an absent field keeps the stored
	// file.
	Files map[string][]byte
	// Parsed holds the transport's own messages about the input (a 是/否
	// field left blank); they are reported with the validation's, and
	// theirs win for the same field.
	Parsed recruit.FieldErrors
	// Staged names, by field, uploads that an earlier refused save kept
	// (see below): a field without a new file in Files takes its staged
	// file, when that is an upload of the applicant of the field's kind.
	// A save refused for invalid input or a stale version keeps the
	// accepted files it carried (new or staged) as stored, not yet
	// referenced uploads and, when Staged is not nil, names them in it,
	// so that the next save commits them without a new upload.
	Staged map[string]string
}

// ErrNoRecord answers for an education record that is not the applicant's.
var ErrNoRecord = recruit.Errorf(recruit.ENOTFOUND, "该教育经历不存在")

// errStaleProfile refuses a save made from a form older than the profile.
var errStaleProfile = recruit.Errorf(recruit.ECONFLICT, "信息已被修改，请刷新后重试")

// Record returns the applicant's education record id.
func (a *Applicant) Record(id int64) (recruit.Education, error) {
	_, rec, found := splitRecords(a.Profile.Education, id)
	if !found {
		return recruit.Education{}, ErrNoRecord
	}
	return rec, nil
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
	fields   []string          // the field of each upload
	staged   map[string]string // field → an already stored upload that the change commits
	replaced []string
}

// commit stores a validated change: uploads, then the profile with its
// revision and, for a submitted application, its new version so that older
// forms become outdated (ECONFLICT when version is stale, and the uploads are
// removed again), then the replaced files are deleted.
func (s *Service) commit(ctx context.Context, a *Applicant, ch change) error {
	if ch.version != a.Profile.Version {
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
	if a.Submitted() {
		touch = a.App.ID
	}
	saved, err := s.store.SaveProfile(ctx, ch.next, recruit.Revision{
		IdentityID: a.Identity.ID, Kind: ch.kind, Summary: ch.summary, Snapshot: string(snap), By: revisionBy, At: now,
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
			s.log.ErrorContext(ctx, "delete replaced file", "op", "apply.commit", "err", err)
		}
	}
	a.setProfile(saved)
	if touch != 0 {
		app, err := s.store.GetApplicationByID(ctx, touch)
		if err != nil {
			return err
		}
		a.App = &app
	}
	return nil
}

// dropFiles removes uploads that did not make it into the profile.
func (s *Service) dropFiles(ctx context.Context, files []recruit.File) {
	for _, f := range files {
		if err := s.store.DeleteFile(ctx, f.ID); err != nil {
			s.log.ErrorContext(ctx, "delete unused upload", "op", "apply.commit", "err", err)
		}
	}
}

// uploads checks the new files of fields in e and records each accepted
// one in ch, with the stored file it replaces (*ids[i], which then names
// the new file); a refused file gets its message in fe. A field without a
// new file takes its staged upload (e.Staged) when that is the applicant's
// and of the field's kind; any other staged id is ignored.
func (s *Service) uploads(ctx context.Context, a *Applicant, e Edit, fields []string, ids []*string, ch *change, fe recruit.FieldErrors) error {
	ch.staged = map[string]string{}
	for i, field := range fields {
		data, ok := e.Files[field]
		if !ok {
			id := e.Staged[field]
			if id == "" || id == *ids[i] || len(id) != 32 {
				continue
			}
			f, err := s.store.GetFile(ctx, id)
			if recruit.ErrorCode(err) == recruit.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			if f.OwnerID != a.Identity.ID || f.Kind != slots[field].Kind {
				continue
			}
			ch.staged[field], ch.replaced = id, append(ch.replaced, *ids[i])
			*ids[i] = id
			continue
		}
		f, err := s.newUpload(a, slots[field], data)
		if err != nil {
			fe.Add(field, recruit.ErrorMessage(err))
			continue
		}
		ch.uploads, ch.fields, ch.replaced = append(ch.uploads, f), append(ch.fields, field), append(ch.replaced, *ids[i])
		*ids[i] = f.ID
	}
	return nil
}

// keep answers a save refused with err: when err is a refusal of the input
// or a stale version and the caller asked (e.Staged not nil), the accepted
// uploads of ch are stored (the staged ones already are) and named in
// e.Staged, so that the form can carry them to the next save; err is
// returned as it is.
func (s *Service) keep(ctx context.Context, e Edit, fields []string, ch change, err error) error {
	if code := recruit.ErrorCode(err); e.Staged == nil || (code != recruit.EINVALID && code != recruit.ECONFLICT) {
		return err
	}
	for _, field := range fields {
		delete(e.Staged, field)
	}
	for field, id := range ch.staged {
		e.Staged[field] = id
	}
	for i, f := range ch.uploads {
		if perr := s.store.PutFile(ctx, f); perr != nil {
			return perr
		}
		e.Staged[ch.fields[i]] = f.ID
	}
	return err
}

// parsed returns a copy of the transport's messages of e to add to.
func (e Edit) parsed() recruit.FieldErrors {
	fe := recruit.FieldErrors{}
	for k, v := range e.Parsed {
		fe.Add(k, v)
	}
	return fe
}

// consistent checks 人员类型 against the employer and, once a choice is
// submitted, against the chosen base (本单位培训: the base is the employer),
// so that no later edit of either section breaks what the choice required.
func (s *Service) consistent(ctx context.Context, a *Applicant, b recruit.Basic, w recruit.Work) error {
	if err := recruit.CheckPersonnelConsistency(b, w); err != nil {
		return err
	}
	if !a.Submitted() {
		return nil
	}
	prog, err := s.store.GetProgram(ctx, a.App.ProgramID)
	if err != nil {
		return err
	}
	return recruit.CheckOwnUnit(b, w, prog.BaseName)
}

// SaveBasic validates and stores 基本信息 with an optional new photo
// (e.Files[FieldPhoto]); name and ID always come from the binding.
func (s *Service) SaveBasic(ctx context.Context, a *Applicant, e Edit, in recruit.Basic) (err error) {
	defer func() { err = recruit.WithOp("apply.SaveBasic", err) }()
	if err := a.EditRefusal(); err != nil {
		return err
	}
	b := in
	b.Name, b.IDType, b.IDNumber = a.Identity.Name, a.Identity.IDType, a.Identity.IDNumber
	if birth, gender, ok := a.FromID(); ok {
		b.Gender, b.BirthDate = gender, birth
	}
	b.PhotoID = ""
	if a.Profile.Basic != nil {
		b.PhotoID = a.Profile.Basic.PhotoID
	}
	fe := e.parsed()
	var ch change
	fields := []string{FieldPhoto}
	if err := s.uploads(ctx, a, e, fields, []*string{&b.PhotoID}, &ch, fe); err != nil {
		return err
	}
	err = b.Validate(s.now())
	if err == nil && a.Profile.Work != nil {
		err = s.consistent(ctx, a, b, *a.Profile.Work)
	}
	if err := mergeErrors(fe, err); err != nil {
		return s.keep(ctx, e, fields, ch, err)
	}
	ch.next, ch.version, ch.kind, ch.snapshot = a.Profile, e.Version, SectionBasic, b
	ch.next.Basic = &b
	ch.summary = "保存基本信息"
	if len(ch.uploads)+len(ch.staged) > 0 {
		ch.summary = "保存基本信息（更换证件照片）"
	}
	return s.keep(ctx, e, fields, ch, s.commit(ctx, a, ch))
}

// FromID returns the birth date and gender that the bound 居民身份证 number
// gives; ok is false for the other ID types, whose holder enters them.
// SaveBasic stores these, whatever the form says.
func (a *Applicant) FromID() (birth, gender string, ok bool) {
	if a.Identity.IDType != recruit.IDTypeResident {
		return "", "", false
	}
	return recruit.IDBirthGender(a.Identity.IDNumber)
}

// BasicDraft is the 基本信息 the form starts from: the stored section, or
// before the first save an empty one, with the gender and birth date of
// FromID filled in.
func (a *Applicant) BasicDraft() recruit.Basic {
	var b recruit.Basic
	if a.Profile.Basic != nil {
		b = *a.Profile.Basic
	}
	if birth, gender, ok := a.FromID(); ok {
		b.Gender, b.BirthDate = gender, birth
	}
	return b
}

// SaveWork validates and stores 工作信息.
func (s *Service) SaveWork(ctx context.Context, a *Applicant, e Edit, w recruit.Work) (err error) {
	defer func() { err = recruit.WithOp("apply.SaveWork", err) }()
	if err := a.EditRefusal(); err != nil {
		return err
	}
	w.EmployerCode = recruit.NormalizeCode(w.EmployerCode)
	err = w.Validate(s.now())
	if err == nil && a.Profile.Basic != nil {
		err = s.consistent(ctx, a, *a.Profile.Basic, w)
	}
	if err := mergeErrors(e.Parsed, err); err != nil {
		return err
	}
	next := a.Profile
	next.Work = &w
	return s.commit(ctx, a, change{next: next, version: e.Version, kind: SectionWork, summary: "保存工作信息", snapshot: w})
}

// SaveCertificates validates and stores 证书信息 with optional new scans
// (e.Files by ScanFields); the scan ids are never taken from ct.
func (s *Service) SaveCertificates(ctx context.Context, a *Applicant, e Edit, ct recruit.Certificates) (err error) {
	defer func() { err = recruit.WithOp("apply.SaveCertificates", err) }()
	if err := a.EditRefusal(); err != nil {
		return err
	}
	var old recruit.Certificates
	if a.Profile.Certificates != nil {
		old = *a.Profile.Certificates
	}
	ct.QualScanID, ct.PractisingScanID, ct.DegreeScanID = old.QualScanID, old.PractisingScanID, old.DegreeScanID
	fe := e.parsed()
	var ch change
	ids := make([]*string, len(ScanFields))
	for i, field := range ScanFields {
		ids[i] = ScanID(&ct, field)
	}
	if err := s.uploads(ctx, a, e, ScanFields, ids, &ch, fe); err != nil {
		return err
	}
	if err := mergeErrors(fe, ct.Validate(s.now())); err != nil {
		return s.keep(ctx, e, ScanFields, ch, err)
	}
	ch.next, ch.version, ch.kind, ch.snapshot = a.Profile, e.Version, SectionCertificates, ct
	ch.next.Certificates = &ct
	ch.summary = "保存证书信息"
	if n := len(ch.uploads) + len(ch.staged); n > 0 {
		ch.summary = fmt.Sprintf("保存证书信息（上传%d个扫描件）", n)
	}
	return s.keep(ctx, e, ScanFields, ch, s.commit(ctx, a, ch))
}

// SaveEducation adds (id 0) or replaces (id of a record) one 教育经历
// record and validates the whole section.
func (s *Service) SaveEducation(ctx context.Context, a *Applicant, e Edit, id int64, rec recruit.Education) (err error) {
	defer func() { err = recruit.WithOp("apply.SaveEducation", err) }()
	if err := a.EditRefusal(); err != nil {
		return err
	}
	others, _, found := splitRecords(a.Profile.Education, id)
	if id != 0 && !found {
		return ErrNoRecord
	}
	rec.ID = id
	summary := "修改教育经历（" + rec.Level + "）"
	if id == 0 {
		rec.ID = nextRecordID(a.Profile.Education)
		summary = "新增教育经历（" + rec.Level + "）"
	}
	// The edited record goes last, so that its messages (including a
	// duplicate level) are those of the last index.
	list := append(others, rec)
	err = recruit.ValidateEducation(list, s.now())
	if err := mergeErrors(e.Parsed, recordErrors(err, len(list)-1)); err != nil {
		return err
	}
	next := a.Profile
	next.Education = sortRecords(list)
	return s.commit(ctx, a, change{next: next, version: e.Version, kind: SectionEducation, summary: summary, snapshot: next.Education})
}

// DeleteEducation deletes the 教育经历 record id; the last record stays
// while a choice is submitted. version is the profile version the page was
// loaded with.
func (s *Service) DeleteEducation(ctx context.Context, a *Applicant, version int, id int64) (err error) {
	defer func() { err = recruit.WithOp("apply.DeleteEducation", err) }()
	if err := a.EditRefusal(); err != nil {
		return err
	}
	others, old, found := splitRecords(a.Profile.Education, id)
	if !found {
		return ErrNoRecord
	}
	if len(others) == 0 && a.Submitted() {
		return recruit.Errorf(recruit.EFORBIDDEN, "已提交志愿的，至少保留一条教育经历")
	}
	next := a.Profile
	next.Education = others
	return s.commit(ctx, a, change{next: next, version: version, kind: SectionEducation,
		summary: "删除教育经历（" + old.Level + "）", snapshot: next.Education})
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
