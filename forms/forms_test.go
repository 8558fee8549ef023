package forms

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"zhupei/internal/testlog"
	"zhupei/recruit"
	"zhupei/regform"
	"zhupei/store/sqlite"
	"zhupei/store/storetest"
)

// fontPath is the Debian fonts-wqy-microhei collection.
const fontPath = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

const (
	testYear  = 2025
	publicURL = "https://zp.example.cn"
)

// testNow is inside the registration phase of testYear.
var testNow = time.Date(testYear, time.July, 5, 10, 0, 0, 0, recruit.Shanghai)

var (
	rendererOnce sync.Once
	renderer     *regform.Renderer
	rendererErr  error
)

// recorder is the real renderer, counting its renders and keeping the
// last form it was given.
type recorder struct {
	mu    sync.Mutex
	calls int
	last  regform.Form
}

func (r *recorder) Render(f regform.Form) ([]byte, error) {
	r.mu.Lock()
	r.calls++
	r.last = f
	r.mu.Unlock()
	return renderer.Render(f)
}

func (r *recorder) renders() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// fixture is a Service over a real SQLite store holding testYear with two
// bases: 甲医院 (内科, 儿科) and 乙医院 (内科).
type fixture struct {
	store                  *sqlite.DB
	logs                   *testlog.Buffer
	baseA, baseB           int64
	progA1, progA2, progB1 int64
}

// openStore opens a fresh SQLite store in a temporary directory.
func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "forms.db"), storetest.Sealer())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{store: openStore(t), logs: &testlog.Buffer{}}
	if err := f.store.PutYear(ctx, recruit.Year{Year: testYear, Title: "2025年度招录", Calendar: recruit.DefaultCalendar(testYear)}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.ImportPlan(ctx, testYear, []recruit.PlanRow{
		{Line: 1, BaseName: "甲医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 10},
		{Line: 2, BaseName: "甲医院", City: "济南", SpecialtyCode: "0200", SpecialtyName: "儿科", Plan: 3},
		{Line: 3, BaseName: "乙医院", City: "青岛", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 5},
	}); err != nil {
		t.Fatal(err)
	}
	programs, err := f.store.ListPrograms(ctx, recruit.ProgramFilter{Year: testYear})
	if err != nil || len(programs) != 3 {
		t.Fatalf("programs %v, %v", programs, err)
	}
	// Ordered by base id and specialty code, as the plan lists them.
	f.progA1, f.progA2, f.progB1 = programs[0].ID, programs[1].ID, programs[2].ID
	f.baseA, f.baseB = programs[0].BaseID, programs[2].BaseID
	return f
}

// service returns a new Service over the fixture's store (as another
// instance, or this one after a restart) rendering with the real font, and
// its recorder; withFont false gives a service without a font.
func (f *fixture) service(t *testing.T, withFont bool) (*Service, *recorder) {
	t.Helper()
	d := Deps{Store: f.store, Now: func() time.Time { return testNow }, PublicURL: publicURL + "/",
		Logger: slog.New(slog.NewTextHandler(f.logs, nil))}
	if !withFont {
		return New(d), nil
	}
	rendererOnce.Do(func() { renderer, rendererErr = regform.New(fontPath) })
	if rendererErr != nil {
		t.Fatalf("regform.New: %v", rendererErr)
	}
	r := &recorder{}
	d.Renderer = r
	return New(d), r
}

// applicant is a bound person with a basic section, a photo and, when the
// program is not zero, a submitted application.
type applicant struct {
	identity recruit.Identity
	profile  recruit.Profile
	photo    recruit.File
	app      recruit.Application
}

func (f *fixture) applicant(t *testing.T, openID, name, idNumber string, program int64) applicant {
	t.Helper()
	ctx := context.Background()
	id, err := f.store.CreateIdentity(ctx, recruit.Identity{
		OpenID: openID, Name: name, IDType: recruit.IDTypeResident, IDNumber: idNumber, BoundAt: testNow,
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 30, 40)), nil); err != nil {
		t.Fatal(err)
	}
	photo := recruit.File{ID: strings.Repeat(openID[len(openID)-1:], 32), OwnerID: id.ID, Kind: "photo",
		ContentType: "image/jpeg", Size: int64(buf.Len()), Data: buf.Bytes(), CreatedAt: testNow}
	if err := f.store.PutFile(ctx, photo); err != nil {
		t.Fatal(err)
	}
	p, err := f.store.SaveProfile(ctx, recruit.Profile{IdentityID: id.ID, Basic: &recruit.Basic{
		Name: name, IDType: recruit.IDTypeResident, Gender: "男", BirthDate: "1949-12-31",
		Ethnicity: "汉族", Political: "群众", Phone: "13905318642", Email: "a@example.cn",
		PersonnelType: recruit.PersonnelSocial, PhotoID: photo.ID,
	}}, recruit.Revision{IdentityID: id.ID, Kind: "basic", Summary: "保存基本信息", At: testNow}, 0)
	if err != nil {
		t.Fatal(err)
	}
	a := applicant{identity: id, profile: p, photo: photo}
	if program != 0 {
		if a.app, err = f.store.SubmitChoice(ctx, id.ID, testYear, 0, recruit.Choice{ProgramID: program, AcceptsAdjustment: true}, testNow, nil); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// changeProfile saves a's profile again after submission, which makes a
// new version of the application.
func (f *fixture) changeProfile(t *testing.T, a *applicant) {
	t.Helper()
	p, err := f.store.SaveProfile(context.Background(), a.profile,
		recruit.Revision{IdentityID: a.identity.ID, Kind: "basic", Summary: "保存基本信息", At: testNow}, a.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.profile = p
}

// wantError fails unless err is a *recruit.Error of code and message naming
// the operation op.
func wantError(t *testing.T, what string, err error, op, code, message string) {
	t.Helper()
	if recruit.ErrorCode(err) != code || recruit.ErrorMessage(err) != message || recruit.ErrorOp(err) != op {
		t.Errorf("%s: %v; want %s: %s %q", what, err, op, code, message)
	}
}

// sameRecord reports whether two form records are the same, whatever the
// location of their times (the store returns UTC).
func sameRecord(a, b recruit.FormRecord) bool {
	at, bt := a.GeneratedAt, b.GeneratedAt
	a.GeneratedAt, b.GeneratedAt = time.Time{}, time.Time{}
	return a == b && at.Equal(bt)
}

// issued is a fixture with a service rendering with the font, which has
// issued the first form of an applicant of 甲医院 内科.
type issued struct {
	*fixture
	svc *Service
	rec *recorder
	a   applicant
	v1  Form
}

func newIssued(t *testing.T) issued {
	t.Helper()
	f := newFixture(t)
	svc, rec := f.service(t, true)
	a := f.applicant(t, "openid-1", "欧阳明远", "11010519491231002X", f.progA1)
	v1, err := svc.Current(context.Background(), a.identity.ID)
	if err != nil {
		t.Fatal(err)
	}
	return issued{fixture: f, svc: svc, rec: rec, a: a, v1: v1}
}

func TestCurrentIssuesOneFormPerVersion(t *testing.T) {
	is := newIssued(t)
	f, svc, rec, a, v1 := is.fixture, is.svc, is.rec, is.a, is.v1
	ctx := context.Background()
	if !validCode(v1.Record.Code) || v1.Record.ApplicationID != a.app.ID || v1.Record.Version != a.app.Version ||
		v1.Name != "欧阳明远" || v1.File.OwnerID != a.identity.ID || v1.File.Kind != "form" ||
		v1.File.ContentType != MediaType || !bytes.HasPrefix(v1.File.Data, []byte("%PDF-")) {
		t.Fatalf("form %+v", v1.Record)
	}
	// What was printed: the binding's ID number, the photo, the choice and
	// the verification URL under the public URL.
	printed := rec.last
	if printed.VerifyCode != v1.Record.Code || printed.VerifyURL != publicURL+"/verify/"+v1.Record.Code ||
		printed.Profile.Basic.IDNumber != "11010519491231002X" || !bytes.Equal(printed.Photo, a.photo.Data) ||
		printed.BaseName != "甲医院" || printed.SpecialtyName != "内科" || !printed.AcceptsAdjustment ||
		printed.Version != a.app.Version || !printed.GeneratedAt.Equal(testNow) {
		t.Errorf("rendered %+v", printed)
	}
	if stored, err := f.store.LatestForm(ctx, a.app.ID); err != nil || !sameRecord(stored, v1.Record) {
		t.Errorf("stored record %+v (%v), want %+v", stored, err, v1.Record)
	}

	// An unchanged version is served again, from memory and, by another
	// instance, from the store: no second render.
	again, err := svc.Current(ctx, a.identity.ID)
	if err != nil || !bytes.Equal(again.File.Data, v1.File.Data) || !sameRecord(again.Record, v1.Record) {
		t.Errorf("second call: %+v, %v", again.Record, err)
	}
	svc2, rec2 := f.service(t, true)
	again, err = svc2.Current(ctx, a.identity.ID)
	if err != nil || !bytes.Equal(again.File.Data, v1.File.Data) || again.Name != "欧阳明远" {
		t.Errorf("another instance: %+v, %v", again.Record, err)
	}
	if rec.renders() != 1 || rec2.renders() != 0 {
		t.Errorf("renders %d and %d, want 1 and 0", rec.renders(), rec2.renders())
	}

	// A change makes a new version: a new form with a new code; only the
	// newest file is kept, the old record stays for verification.
	f.changeProfile(t, &a)
	v2, err := svc.Current(ctx, a.identity.ID)
	if err != nil || v2.Record.Version != a.app.Version+1 || v2.Record.Code == v1.Record.Code || rec.renders() != 2 {
		t.Fatalf("after a change: %+v, %v, %d renders", v2.Record, err, rec.renders())
	}
	if _, err := f.store.GetFile(ctx, v1.Record.FileID); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("the v1 file is still stored: %v", err)
	}
	if _, err := f.store.FormByCode(ctx, v1.Record.Code); err != nil {
		t.Errorf("the v1 record: %v", err)
	}
}

func TestCurrentRendersOnceUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	svc, rec := f.service(t, true)
	a := f.applicant(t, "openid-1", "张三", "11010519491231002X", f.progA2)
	var wg sync.WaitGroup
	codes := make([]string, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form, err := svc.Current(context.Background(), a.identity.ID)
			if err != nil {
				t.Error(err)
			}
			codes[i] = form.Record.Code
		}()
	}
	wg.Wait()
	for _, c := range codes {
		if c != codes[0] {
			t.Fatalf("codes %v: concurrent requests got different forms", codes)
		}
	}
	if rec.renders() != 1 {
		t.Errorf("%d renders of one version, want 1", rec.renders())
	}
}

func TestCurrentRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	svc, rec := f.service(t, true)
	none := f.applicant(t, "openid-1", "钱三", "110105194912310045", 0)
	_, err := svc.Current(ctx, none.identity.ID)
	wantError(t, "no application", err, "forms.Current", recruit.EFORBIDDEN, "尚未提交志愿，请先填报并提交志愿后再生成报名表")

	// Without a font nothing is generated or recorded.
	a := f.applicant(t, "openid-2", "孙五", "11010519491231002X", f.progA1)
	noFont, _ := f.service(t, false)
	_, err = noFont.Current(ctx, a.identity.ID)
	wantError(t, "no font", err, "forms.Current", recruit.EUPSTREAM,
		"报名表暂时无法生成：未找到可用的中文字体（配置项 pdf.font_path），请联系系统管理员")
	if _, err := f.store.LatestForm(ctx, a.app.ID); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("a form was recorded without a font: %v", err)
	}
	// ... but a stored form is still served.
	made, err := svc.Current(ctx, a.identity.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := noFont.Current(ctx, a.identity.ID); err != nil || !sameRecord(got.Record, made.Record) {
		t.Errorf("stored form without a font: %+v, %v", got.Record, err)
	}

	// A broken store is an internal error naming the operation.
	f.store.Close()
	_, err = svc.Current(ctx, a.identity.ID)
	if recruit.ErrorCode(err) != recruit.EINTERNAL || recruit.ErrorOp(err) == "" {
		t.Errorf("closed store: %v, want an internal error with its operation", err)
	}
	if rec.renders() != 1 {
		t.Errorf("%d renders, want 1", rec.renders())
	}
}

func TestCurrentWithoutYear(t *testing.T) {
	_, err := New(Deps{Store: openStore(t)}).Current(context.Background(), 1)
	wantError(t, "no year", err, "forms.Current", recruit.ENOTFOUND, "招录年度尚未设置")
}

func TestVerify(t *testing.T) {
	is := newIssued(t)
	f, svc, a, v1 := is.fixture, is.svc, is.a, is.v1
	ctx := context.Background()
	want := Verification{Code: v1.Record.Code, Current: true, Version: a.app.Version, CurrentVersion: a.app.Version,
		GeneratedAt: v1.Record.GeneratedAt, Name: "欧阳**", IDNumber: "110************02X",
		BaseName: "甲医院", SpecialtyName: "内科", State: recruit.StatePending}
	got, err := svc.Verify(ctx, " "+strings.ToLower(v1.Record.Code)+" ")
	if err != nil || !got.GeneratedAt.Equal(want.GeneratedAt) {
		t.Fatalf("Verify: %+v, %v", got, err)
	}
	got.GeneratedAt = want.GeneratedAt
	if got != want {
		t.Errorf("Verify\n got %+v\nwant %+v", got, want)
	}

	f.changeProfile(t, &a)
	got, err = svc.Verify(ctx, v1.Record.Code)
	if err != nil || got.Current || got.Withdrawn || got.Version != a.app.Version || got.CurrentVersion != a.app.Version+1 {
		t.Errorf("Verify of an outdated form: %+v, %v", got, err)
	}

	for _, code := range []string{"", "abc", "ABCDEFGHJKL", "ABCDEFGHI1", "ABCDE-GHJK", "中文中文中文中文中文"} {
		_, err := svc.Verify(ctx, code)
		wantError(t, code, err, "forms.Verify", recruit.EINVALID, "校验码格式不正确：应为报名表上印制的 10 位字母和数字")
	}
	_, err = svc.Verify(ctx, "ABCDEFGHJK")
	wantError(t, "unknown code", err, "forms.Verify", recruit.ENOTFOUND, "未找到校验码为 ABCDEFGHJK 的报名表，请核对报名表上的校验码")
}

func TestStaffAccess(t *testing.T) {
	f := newFixture(t)
	ctx := recruit.WithRequestID(context.Background(), "req-staff-1")
	svc, _ := f.service(t, true)
	a := f.applicant(t, "openid-a", "欧阳明远", "11010519491231002X", f.progA1)
	b := f.applicant(t, "openid-b", "司马青云", "110105194912310046", f.progB1)
	draft := f.applicant(t, "openid-c", "钱三", "110105194912310045", 0)

	// The staff accounts (ids 7 and 8) of the two bases, and a province
	// admin, who has no base.
	staffOf := func(base int64) recruit.Staff {
		if base == f.baseA {
			return recruit.Staff{ID: 7, Role: recruit.RoleReviewer, BaseID: base}
		}
		return recruit.Staff{ID: 8, Role: recruit.RoleReviewer, BaseID: base}
	}
	_, err := svc.ForStaff(ctx, recruit.Staff{ID: 9, Role: recruit.RoleProvince}, a.app.ID)
	wantError(t, "ForStaff of a province admin", err, "forms.ForStaff", recruit.EFORBIDDEN, "该账号不属于任何培训基地")

	// Staff of the chosen base get the form the applicant gets.
	staffForm, err := svc.ForStaff(ctx, staffOf(f.baseA), a.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	own, err := svc.Current(ctx, a.identity.ID)
	if err != nil || !sameRecord(own.Record, staffForm.Record) || own.Name != "欧阳明远" {
		t.Errorf("the applicant's form %+v (%v) differs from the staff's %+v", own.Record, err, staffForm.Record)
	}
	file, err := svc.StaffFile(ctx, staffOf(f.baseA), a.photo.ID)
	if err != nil || !bytes.Equal(file.Data, a.photo.Data) {
		t.Errorf("StaffFile: %v", err)
	}

	// Nothing of another base, of no application, or that is no upload.
	for _, tc := range []struct {
		base, app int64
		code, msg string
	}{
		{f.baseB, a.app.ID, recruit.ENOTFOUND, "未找到该报名信息"},
		{f.baseA, b.app.ID, recruit.ENOTFOUND, "未找到该报名信息"},
		{f.baseA, 999999, recruit.ENOTFOUND, "未找到该报名信息"},
		{f.baseA, 0, recruit.EINVALID, "报名编号无效"},
		{f.baseA, -1, recruit.EINVALID, "报名编号无效"},
	} {
		_, err := svc.ForStaff(ctx, staffOf(tc.base), tc.app)
		wantError(t, "ForStaff", err, "forms.ForStaff", tc.code, tc.msg)
	}
	for _, tc := range []struct {
		base      int64
		id        string
		code, msg string
	}{
		{f.baseB, a.photo.ID, recruit.ENOTFOUND, "文件不存在"},
		{f.baseA, b.photo.ID, recruit.ENOTFOUND, "文件不存在"},
		{f.baseA, draft.photo.ID, recruit.ENOTFOUND, "文件不存在"},
		{f.baseA, strings.Repeat("f", 32), recruit.ENOTFOUND, "文件不存在"},
		{f.baseA, strings.TrimPrefix(staffForm.File.ID, "form-"), recruit.ENOTFOUND, "文件不存在"},
		{f.baseA, staffForm.File.ID, recruit.EINVALID, "文件编号无效"},
		{f.baseA, strings.ToUpper(a.photo.ID), recruit.EINVALID, "文件编号无效"},
		{f.baseA, "x", recruit.EINVALID, "文件编号无效"},
	} {
		_, err := svc.StaffFile(ctx, staffOf(tc.base), tc.id)
		wantError(t, "StaffFile "+tc.id, err, "forms.StaffFile", tc.code, tc.msg)
	}

	// Every access is audited with the request id, never personal data.
	logs := f.logs.String()
	for _, line := range []string{
		fmt.Sprintf("action=staff.form staff_id=7 base_id=%d requested=%d application_id=%d result=ok request_id=req-staff-1", f.baseA, a.app.ID, a.app.ID),
		fmt.Sprintf("action=staff.file staff_id=7 base_id=%d requested=%s application_id=%d result=ok", f.baseA, a.photo.ID, a.app.ID),
		fmt.Sprintf("action=staff.form staff_id=8 base_id=%d requested=%d application_id=0 result=not_found", f.baseB, a.app.ID),
		fmt.Sprintf("action=staff.file staff_id=7 base_id=%d requested=invalid application_id=0 result=invalid", f.baseA),
		"action=staff.form staff_id=9 base_id=0 requested=",
	} {
		if !strings.Contains(logs, line) {
			t.Errorf("audit log misses %q", line)
		}
	}
	for _, secret := range []string{"欧阳明远", "11010519491231002X", "司马青云", "openid-"} {
		if strings.Contains(logs, secret) {
			t.Errorf("audit log holds %q", secret)
		}
	}
}
