package apply_test

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"strings"
	"testing"

	"zhupei/apply"
	"zhupei/internal/testimg"
	"zhupei/recruit"
	"zhupei/store/storetest"
)

func TestSaveBasicWithPhoto(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	who := f.identity(t, 1)
	a := f.load(t, who)

	// A basic section without a photo is refused; a refused photo saves
	// nothing and says why next to the file; the form's own messages are
	// kept with the validator's.
	err := f.svc.SaveBasic(ctx, a, apply.Edit{}, basic())
	wantError(t, "no photo", err, recruit.EINVALID, "")
	blue := testimg.JPEG(t, 540, 720, color.RGBA{60, 120, 220, 255}, 97)
	err = f.svc.SaveBasic(ctx, a, apply.Edit{Files: map[string][]byte{apply.FieldPhoto: blue},
		Parsed: recruit.FieldErrors{"qq": "QQ应为数字"}}, basic())
	var re *recruit.Error
	if !errors.As(err, &re) || re.Fields[apply.FieldPhoto] != "照片底色必须为白色，检测到蓝色背景，请更换白底证件照" || re.Fields["qq"] != "QQ应为数字" {
		t.Fatalf("refused photo: %v", err)
	}
	if p := f.load(t, who).Profile; p.Basic != nil {
		t.Fatal("a refused photo saved the section")
	}

	// Name and ID come from the binding whatever is sent.
	in := basic()
	in.Name, in.IDNumber, in.PhotoID = "李四", "110101199001011234", "someone-elses-file"
	if err := f.svc.SaveBasic(ctx, a, apply.Edit{Files: map[string][]byte{apply.FieldPhoto: testimg.Photo(t)}}, in); err != nil {
		t.Fatalf("SaveBasic: %v", err)
	}
	b := a.Profile.Basic
	if b.Name != who.Name || b.IDNumber != who.IDNumber || b.PhotoID == "someone-elses-file" || a.Profile.Version != 1 {
		t.Fatalf("saved basic %+v at version %d", b, a.Profile.Version)
	}
	first := b.PhotoID
	if f, err := f.svc.File(ctx, who, first); err != nil || f.Kind != "photo" || f.ContentType != "image/jpeg" {
		t.Fatalf("File: %+v %v", f, err)
	}

	// A new photo replaces the old file; a save without one keeps it.
	if err := f.svc.SaveBasic(ctx, a, apply.Edit{Version: 1, Files: map[string][]byte{apply.FieldPhoto: testimg.Photo(t)}}, basic()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.GetFile(ctx, first); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("the replaced photo is still stored: %v", err)
	}
	second := a.Profile.Basic.PhotoID
	if err := f.svc.SaveBasic(ctx, a, apply.Edit{Version: 2}, basic()); err != nil || a.Profile.Basic.PhotoID != second {
		t.Fatalf("save without a photo: %v, photo %q want %q", err, a.Profile.Basic.PhotoID, second)
	}
	revs, err := f.svc.History(ctx, who)
	if err != nil || len(revs) != 3 || revs[0].Summary != "保存基本信息" || revs[1].Summary != "保存基本信息（更换证件照片）" ||
		revs[0].Kind != apply.SectionBasic || revs[0].By != "本人" {
		t.Fatalf("history: %v %+v", err, revs)
	}
}

func TestStaleVersionConflictsAndDropsTheUpload(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	who, a := f.filled(t, 2)
	stale := f.load(t, who) // loaded at version 4
	if err := f.svc.SaveWork(ctx, a, apply.Edit{Version: 4}, recruit.Work{WesternSupport: true}); err != nil {
		t.Fatal(err)
	}
	// The stale view's form, at the version it was loaded with, is refused.
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	err := f.svc.SaveCertificates(ctx, stale, apply.Edit{Version: 4, Files: map[string][]byte{apply.FieldQualScan: pdf}}, certificates())
	wantError(t, "stale certificates", err, recruit.ECONFLICT, "信息已被修改，请刷新后重试")
	// So is a form older than the view.
	err = f.svc.SaveWork(ctx, a, apply.Edit{Version: 4}, recruit.Work{})
	wantError(t, "old form", err, recruit.ECONFLICT, "信息已被修改，请刷新后重试")
	if p := f.load(t, who).Profile; p.Certificates.QualScanID != "" || !p.Work.WesternSupport {
		t.Errorf("a stale save was stored: %+v %+v", p.Certificates, p.Work)
	}
}

func TestSaveCertificatesScans(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	who, other := f.identity(t, 3), f.identity(t, 4)
	a := f.load(t, who)
	pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
	in := certificates()
	in.QualScanID = "forged" // scan ids never come from the request
	err := f.svc.SaveCertificates(ctx, a, apply.Edit{Files: map[string][]byte{
		apply.FieldQualScan: []byte("MZ\x90\x00 an executable"), apply.FieldDegreeScan: pdf}}, in)
	var re *recruit.Error
	if !errors.As(err, &re) || re.Fields[apply.FieldQualScan] != "扫描件格式必须为JPG、PNG或PDF" || re.Fields[apply.FieldDegreeScan] != "" {
		t.Fatalf("bad scan: %v", err)
	}
	if err := f.svc.SaveCertificates(ctx, a, apply.Edit{Files: map[string][]byte{apply.FieldDegreeScan: pdf}}, in); err != nil {
		t.Fatal(err)
	}
	ct := a.Profile.Certificates
	if ct.QualScanID != "" || ct.DegreeScanID == "" {
		t.Fatalf("scan ids %+v", ct)
	}
	if revs, _ := f.svc.History(ctx, who); revs[0].Summary != "保存证书信息（上传1个扫描件）" {
		t.Errorf("summary %q", revs[0].Summary)
	}
	// Only the owner gets the file; a well-formed unknown id is not found.
	if f, err := f.svc.File(ctx, who, ct.DegreeScanID); err != nil || f.ContentType != "application/pdf" {
		t.Errorf("owner's scan: %+v %v", f, err)
	}
	_, err = f.svc.File(ctx, other, ct.DegreeScanID)
	wantError(t, "another's scan", err, recruit.ENOTFOUND, "文件不存在")
	_, err = f.svc.File(ctx, who, "short")
	wantError(t, "malformed id", err, recruit.ENOTFOUND, "文件不存在")
}

func TestEducationRecords(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	who, a := f.filled(t, 5)
	master := education()
	master.Level, master.Qualification, master.Degree = "研究生", "硕士研究生", "硕士"
	master.StartDate, master.GraduationDate, master.QualificationDate, master.DegreeDate = "2018-09-01", "2021-07-01", "2021-07-01", "2021-07-01"
	if err := f.svc.SaveEducation(ctx, a, apply.Edit{Version: 4}, 0, master); err != nil {
		t.Fatal(err)
	}
	if len(a.Profile.Education) != 2 || a.Profile.Education[0].Level != "本科" || a.Profile.Education[1].ID != 2 {
		t.Fatalf("records %+v", a.Profile.Education)
	}
	// A second record of one level is refused on the edited record's fields.
	err := f.svc.SaveEducation(ctx, a, apply.Edit{Version: 5}, 0, education())
	var re *recruit.Error
	if !errors.As(err, &re) || re.Fields["level"] == "" {
		t.Errorf("duplicate level: %v", err)
	}
	wantError(t, "unknown record", f.svc.SaveEducation(ctx, a, apply.Edit{Version: 5}, 9, education()), recruit.ENOTFOUND, "该教育经历不存在")
	if _, err := a.Record(9); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("Record(9): %v", err)
	}
	if err := f.svc.DeleteEducation(ctx, a, 5, 2); err != nil {
		t.Fatal(err)
	}
	if revs, _ := f.svc.History(ctx, who); revs[0].Summary != "删除教育经历（研究生）" {
		t.Errorf("summary %q", revs[0].Summary)
	}
	// With a submitted choice the last record stays.
	if _, err := f.svc.Choose(ctx, a, 0, recruit.Choice{ProgramID: f.progA1}); err != nil {
		t.Fatal(err)
	}
	err = f.svc.DeleteEducation(ctx, a, a.Profile.Version, 1)
	wantError(t, "last record", err, recruit.EFORBIDDEN, "已提交志愿的，至少保留一条教育经历")
}

// failing is a store whose profile reads fail, to see how the service
// reports an internal failure.
type failing struct{ recruit.Store }

func (failing) GetProfile(context.Context, int64) (recruit.Profile, error) {
	return recruit.Profile{}, errors.New("disk on fire")
}

func TestInternalErrorsNameTheOperation(t *testing.T) {
	f := newFixture(t, nil)
	svc := apply.New(apply.Deps{Store: failing{f.store}, Now: f.clock.now, Sealer: storetest.Sealer()})
	_, err := svc.Applicant(context.Background(), f.identity(t, 6))
	if recruit.ErrorCode(err) != recruit.EINTERNAL || recruit.ErrorOp(err) != "apply.Applicant" {
		t.Fatalf("Applicant over a failing store: %v (op %q)", err, recruit.ErrorOp(err))
	}
	// Refusals are not internal, and name the operation too.
	a := f.load(t, f.identity(t, 7))
	_, err = f.svc.Choose(context.Background(), a, 0, recruit.Choice{ProgramID: f.progA1})
	if recruit.ErrorCode(err) != recruit.EFORBIDDEN || recruit.ErrorOp(err) != "apply.Choose" {
		t.Fatalf("Choose of an empty profile: %v (op %q)", err, recruit.ErrorOp(err))
	}
}

func TestChoose(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	who := f.identity(t, 1)
	a := f.load(t, who)
	if err := a.ChoiceRefusal(); recruit.ErrorMessage(err) != "请先完成基本信息、工作信息、教育经历、证书信息的填写" {
		t.Errorf("ChoiceRefusal of an empty profile: %v", err)
	}
	_, err := f.svc.Choose(ctx, a, 0, recruit.Choice{ProgramID: f.progA1})
	wantError(t, "incomplete", err, recruit.EFORBIDDEN, "请先完成基本信息、工作信息、教育经历、证书信息的填写")
	f.fill(t, a, basic(), recruit.Work{})
	if err := a.ChoiceRefusal(); err != nil {
		t.Errorf("ChoiceRefusal of a complete profile: %v", err)
	}
	_, err = f.svc.Choose(ctx, a, 0, recruit.Choice{ProgramID: 999})
	wantError(t, "unknown program", err, recruit.EINVALID, "请选择本年度的培训基地和培训专业")
	_, err = f.svc.Choose(ctx, a, 3, recruit.Choice{ProgramID: f.progA1})
	wantError(t, "stale page", err, recruit.ECONFLICT, "志愿信息已在其他页面修改，请刷新后重试")

	app, err := f.svc.Choose(ctx, a, 0, recruit.Choice{ProgramID: f.progA1, AcceptsAdjustment: true})
	if err != nil || app.State != recruit.StatePending || app.Version != 1 || a.App == nil || a.App.ID != app.ID {
		t.Fatalf("Choose: %+v %v", app, err)
	}
	// The history entry and the 报名成功 notification are written with it.
	revs, _ := f.svc.History(ctx, who)
	if revs[0].Kind != apply.SectionChoice || revs[0].Summary != "提交志愿：甲医院 内科（接受调剂）" {
		t.Errorf("history %+v", revs[0])
	}
	notes, err := f.store.ListNotifications(ctx, who.ID)
	if err != nil || len(notes) != 1 {
		t.Fatalf("notifications: %v %+v", err, notes)
	}
	want := map[string]string{"base": "甲医院", "specialty": "内科", "time": "2025-07-06T09:00:00+08:00", "state": "待审核"}
	if notes[0].Kind != recruit.KindRegistered || notes[0].Key != fmt.Sprintf("registered-%d-v1", app.ID) || fmt.Sprint(notes[0].Values) != fmt.Sprint(want) ||
		notes[0].Body != "您已于2025年07月06日 09:00成功报名甲医院 内科（接受调剂），当前状态：待审核。请留意审核结果。" {
		t.Errorf("notification %+v", notes[0])
	}
	if r, err := f.svc.Result(ctx, a); err != nil || r.Program == nil || r.Program.ID != f.progA1 || !r.CanEdit || !r.CanChoose || !r.CanGenerate {
		t.Errorf("Result: %+v %v", r, err)
	}
	opts, err := f.svc.ChoiceOptions(ctx, a, 0)
	if err != nil || opts.Current == nil || opts.Current.ID != f.progA1 || len(opts.Programs) != 2 {
		t.Errorf("ChoiceOptions: %+v %v", opts, err)
	}

	// A profile save after submission makes a new application version.
	if err := f.svc.SaveWork(ctx, a, apply.Edit{Version: a.Profile.Version}, recruit.Work{Military: true}); err != nil || a.App.Version != 2 {
		t.Fatalf("save after submission: %v, application version %d", err, a.App.Version)
	}
}

func TestChooseOwnUnit(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	a := f.load(t, f.identity(t, 2))
	b := basic()
	b.PersonnelType = recruit.PersonnelOwnUnit
	w := recruit.Work{HasEmployer: true, WorkStart: "2018-08-01", WorkYears: 6, EmployerName: "甲医院",
		EmployerCode: creditCode(t, "12370000MB028573"), HospitalLevel: recruit.HospitalLevels[0], HospitalGrade: recruit.HospitalGrades[0],
		InstitutionCategory: recruit.InstitutionCategories[0], Affiliation: recruit.Affiliations[0]}
	f.fill(t, a, b, w)
	_, err := f.svc.Choose(ctx, a, 0, recruit.Choice{ProgramID: f.progB1})
	wantError(t, "own unit at another base", err, recruit.EINVALID, "")
	if _, err := f.svc.Choose(ctx, a, 0, recruit.Choice{ProgramID: f.progA1}); err != nil {
		t.Fatalf("own unit at its base: %v", err)
	}
	// Once chosen, the employer cannot be edited away from the base.
	w.EmployerName = "丙医院"
	err = f.svc.SaveWork(ctx, a, apply.Edit{Version: a.Profile.Version}, w)
	wantError(t, "employer edited away", err, recruit.EINVALID, "")
}

// creditCode completes a 17-character (padded with 1s) unified social
// credit code with the check character recruit accepts.
func creditCode(t testing.TB, prefix string) string {
	t.Helper()
	body := (prefix + "11111111111111111")[:17]
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if code := body + string(c); recruit.ValidateCreditCode(code) == nil {
			return code
		}
	}
	t.Fatalf("no check character makes %s valid", body)
	return ""
}

func TestPhaseRefusesEdits(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	who := f.identity(t, 3)
	f.setPhase(t, recruit.PhaseBefore)
	a := f.load(t, who)
	if a.Phase != recruit.PhaseBefore || a.EditRefusal() == nil {
		t.Fatalf("phase %s, refusal %v", a.Phase, a.EditRefusal())
	}
	for name, err := range map[string]error{
		"basic":        f.svc.SaveBasic(ctx, a, apply.Edit{}, basic()),
		"work":         f.svc.SaveWork(ctx, a, apply.Edit{}, recruit.Work{}),
		"education":    f.svc.SaveEducation(ctx, a, apply.Edit{}, 0, education()),
		"certificates": f.svc.SaveCertificates(ctx, a, apply.Edit{}, certificates()),
	} {
		wantError(t, name+" before registration", err, recruit.EFORBIDDEN, recruit.ErrorMessage(a.EditRefusal()))
	}
	if r, err := f.svc.Result(ctx, a); err != nil || r.CanEdit || r.Program != nil {
		t.Errorf("Result before registration: %+v %v", r, err)
	}
}

// Changing the choice moves the counters with it, and each change is a new
// application version with its own notification.
func TestChangeOfChoiceMovesCounts(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	who, a := f.filled(t, 8)
	if _, err := f.svc.Choose(ctx, a, 0, recruit.Choice{ProgramID: f.progA1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Choose(ctx, a, a.App.Version, recruit.Choice{ProgramID: f.progB1}); err != nil {
		t.Fatalf("A→B: %v", err)
	}
	counts, err := f.store.Recount(ctx, testYear)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]int{f.progA1: 0, f.progA2: 0, f.progB1: 1} {
		p, err := f.store.GetProgram(ctx, id)
		if err != nil || p.Registered != want || counts[id].Registered != want {
			t.Errorf("program %d: registered %d, recount %+v, want %d (%v)", id, p.Registered, counts[id], want, err)
		}
	}
	notes, _ := f.store.ListNotifications(ctx, who.ID)
	if len(notes) != 2 || notes[0].Key != fmt.Sprintf("registered-%d-v2", a.App.ID) {
		t.Errorf("notifications after A→B: %+v", notes)
	}
}

// What each state and phase allows of an applicant who has chosen (the
// table itself is recruit.ApplicantMay's): under review, approved and
// provisionally admitted lock everything, a rejection in round 1 opens the
// profile and the specialty, round 2 opens everyone not holding a seat.
func TestStatesRefuseEdits(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	who, a := f.filled(t, 9)
	app, err := f.svc.Choose(ctx, a, 0, recruit.Choice{ProgramID: f.progA1})
	if err != nil {
		t.Fatal(err)
	}
	locked := func(what, msg string) {
		t.Helper()
		a := f.load(t, who)
		err := f.svc.SaveWork(ctx, a, apply.Edit{Version: a.Profile.Version}, recruit.Work{})
		if recruit.ErrorCode(err) != recruit.EFORBIDDEN || !strings.Contains(recruit.ErrorMessage(err), msg) {
			t.Errorf("%s: %v, want a refusal saying %q", what, err, msg)
		}
		wantError(t, what+": choice", a.ChoiceRefusal(), recruit.EFORBIDDEN, "")
		if r, err := f.svc.Result(ctx, a); err != nil || r.CanEdit || r.CanChoose {
			t.Errorf("%s: result offers edits: %+v %v", what, r, err)
		}
	}
	f.setPhase(t, recruit.PhaseRound1)
	locked("round1 pending", "志愿正在审核中，暂不能修改")
	if _, err := f.store.Review(ctx, app.ID, recruit.StateRejected, "材料不全", testNow, nil); err != nil {
		t.Fatal(err)
	}
	a = f.load(t, who)
	if err := f.svc.SaveWork(ctx, a, apply.Edit{Version: a.Profile.Version}, recruit.Work{}); err != nil {
		t.Errorf("round1 rejected: the profile must be editable: %v", err)
	}
	_, err = f.svc.Choose(ctx, a, a.App.Version, recruit.Choice{ProgramID: f.progB1})
	if recruit.ErrorCode(err) != recruit.EFORBIDDEN || !strings.Contains(recruit.ErrorMessage(err), "不能修改报考基地") {
		t.Errorf("round1 rejected: another base: %v", err)
	}
	if app, err = f.svc.Choose(ctx, a, a.App.Version, recruit.Choice{ProgramID: f.progA2}); err != nil {
		t.Fatalf("round1 rejected: another specialty: %v", err)
	}
	if _, err := f.store.Review(ctx, app.ID, recruit.StateApproved, "", testNow, nil); err != nil {
		t.Fatal(err)
	}
	locked("round1 approved", "审核通过后，信息和志愿不可再修改")
	if _, err := f.store.ProvisionallyAdmit(ctx, app.ID, testNow, nil); err != nil {
		t.Fatal(err)
	}
	f.setPhase(t, recruit.PhaseRound2)
	locked("round2 provisional", "已被拟录取，信息和志愿不可再修改")
	f.setPhase(t, recruit.PhaseClosed)
	locked("closed", "报名信息和志愿只读")

	// Round 2 lets someone without a seat edit again.
	f.setPhase(t, recruit.PhaseRound2)
	other := f.load(t, f.identity(t, 10))
	if err := f.svc.SaveWork(ctx, other, apply.Edit{}, recruit.Work{}); err != nil {
		t.Errorf("round2 new applicant: %v", err)
	}
}

func TestLanding(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	who := f.identity(t, 1)
	land := func(next string) string {
		t.Helper()
		to, err := f.svc.Landing(ctx, who.ID, next)
		if err != nil {
			t.Fatalf("Landing(%q): %v", next, err)
		}
		return to
	}
	for _, next := range []string{"", "/", "/apply", "/result"} {
		if to := land(next); to != "/apply/basic" {
			t.Errorf("without a profile, Landing(%q) = %q, want /apply/basic", next, to)
		}
	}
	if to := land("/messages"); to != "/messages" {
		t.Errorf("another page asked for: %q", to)
	}
	if err := f.svc.SaveBasic(ctx, f.load(t, who), apply.Edit{Files: map[string][]byte{apply.FieldPhoto: testimg.Photo(t)}}, basic()); err != nil {
		t.Fatal(err)
	}
	if to := land("/apply"); to != "/result" {
		t.Errorf("with a profile, Landing(/apply) = %q, want /result", to)
	}
}

// A valid photo sent with an error elsewhere is kept as a staged upload of
// the applicant and committed by the next save that names it; a staged id
// that is not the applicant's photo is ignored.
func TestRefusedSaveStagesTheAcceptedPhoto(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	who, other := f.identity(t, 5), f.identity(t, 6)
	a := f.load(t, who)
	bad := basic()
	bad.Phone = "123"
	staged := map[string]string{}
	err := f.svc.SaveBasic(ctx, a, apply.Edit{Files: map[string][]byte{apply.FieldPhoto: testimg.Photo(t)}, Staged: staged}, bad)
	if recruit.ErrorCode(err) != recruit.EINVALID || staged[apply.FieldPhoto] == "" {
		t.Fatalf("refused save: %v, staged %v", err, staged)
	}
	id := staged[apply.FieldPhoto]
	if file, err := f.svc.File(ctx, who, id); err != nil || file.Kind != "photo" {
		t.Fatalf("the staged photo is not the applicant's: %+v %v", file, err)
	}
	if a.Profile.Basic != nil {
		t.Fatal("the refused save stored the section")
	}

	// Another applicant cannot commit it.
	b := f.load(t, other)
	if err := f.svc.SaveBasic(ctx, b, apply.Edit{Staged: map[string]string{apply.FieldPhoto: id}}, basic()); recruit.ErrorCode(err) != recruit.EINVALID {
		t.Fatalf("another applicant's staged photo was accepted: %v", err)
	}

	// A second refused save without a new file keeps naming it.
	again := map[string]string{apply.FieldPhoto: id}
	if err := f.svc.SaveBasic(ctx, a, apply.Edit{Staged: again}, bad); recruit.ErrorCode(err) != recruit.EINVALID || again[apply.FieldPhoto] != id {
		t.Fatalf("second refused save: %v, staged %v", err, again)
	}
	if err := f.svc.SaveBasic(ctx, a, apply.Edit{Staged: map[string]string{apply.FieldPhoto: id}}, basic()); err != nil {
		t.Fatalf("save with the staged photo: %v", err)
	}
	if a.Profile.Basic.PhotoID != id {
		t.Fatalf("photo %q, want the staged %q", a.Profile.Basic.PhotoID, id)
	}

	// A stale save keeps its new photo too; the stored photo is untouched.
	stale := map[string]string{}
	err = f.svc.SaveBasic(ctx, a, apply.Edit{Version: 0, Files: map[string][]byte{apply.FieldPhoto: testimg.Photo(t)}, Staged: stale}, basic())
	if recruit.ErrorCode(err) != recruit.ECONFLICT || stale[apply.FieldPhoto] == "" || stale[apply.FieldPhoto] == id {
		t.Fatalf("stale save: %v, staged %v", err, stale)
	}
	if got := f.load(t, who).Profile.Basic.PhotoID; got != id {
		t.Fatalf("a stale save changed the photo to %q", got)
	}
	if _, err := f.store.GetFile(ctx, stale[apply.FieldPhoto]); err != nil {
		t.Fatalf("the stale save's photo is not kept: %v", err)
	}
}

// The result says whether the newest form is missing, current or older
// than the application after a change.
func TestResultFormState(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	who, a := f.filled(t, 7)
	if st, err := f.svc.FormState(ctx, a); err != nil || st != apply.FormNone {
		t.Fatalf("before a choice: %v %v", st, err)
	}
	app, err := f.svc.Choose(ctx, a, 0, recruit.Choice{ProgramID: f.progA1})
	if err != nil {
		t.Fatal(err)
	}
	a = f.load(t, who)
	if r, err := f.svc.Result(ctx, a); err != nil || r.Form != apply.FormNone {
		t.Fatalf("no form yet: %+v %v", r, err)
	}
	if err := f.store.AddForm(ctx, recruit.FormRecord{Code: "ABCDEFGH12345678", ApplicationID: app.ID, Version: a.App.Version,
		FileID: "f", GeneratedAt: f.clock.now()}); err != nil {
		t.Fatal(err)
	}
	if r, err := f.svc.Result(ctx, a); err != nil || r.Form != apply.FormCurrent {
		t.Fatalf("form of the current version: %+v %v", r, err)
	}
	if err := f.svc.SaveWork(ctx, a, apply.Edit{Version: a.Profile.Version}, recruit.Work{WesternSupport: true}); err != nil {
		t.Fatal(err)
	}
	if r, err := f.svc.Result(ctx, a); err != nil || r.Form != apply.FormOutdated {
		t.Fatalf("after a change: %+v %v", r, err)
	}
}

// TestBasicFromID: a 居民身份证 gives the gender and birth date, which the
// draft shows before the first save and the save stores, whatever was posted.
func TestBasicFromID(t *testing.T) {
	f := newFixture(t, nil)
	a := f.load(t, f.identity(t, 1)) // born 1995-03-15, male
	if d := a.BasicDraft(); d.Gender != "男" || d.BirthDate != "1995-03-15" {
		t.Fatalf("draft %s %s, want 男 1995-03-15", d.Gender, d.BirthDate)
	}
	b := basic()
	b.Gender, b.BirthDate = "女", ""
	if err := f.svc.SaveBasic(context.Background(), a, apply.Edit{Files: map[string][]byte{apply.FieldPhoto: testimg.Photo(t)}}, b); err != nil {
		t.Fatalf("SaveBasic with the ID's facts left out: %v", err)
	}
	if got := f.load(t, a.Identity).Profile.Basic; got.Gender != "男" || got.BirthDate != "1995-03-15" {
		t.Errorf("stored %s %s, want 男 1995-03-15", got.Gender, got.BirthDate)
	}
}
