package handlers

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"zhupei/forms"
	"zhupei/recruit"
	"zhupei/regform"
)

// formFontPath is the Debian fonts-wqy-microhei collection.
const formFontPath = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

var (
	formRendererOnce sync.Once
	formRenderer     *regform.Renderer
	formRendererErr  error
)

// formCountingRenderer is the real renderer counting its renders.
type formCountingRenderer struct {
	r     *regform.Renderer
	calls atomic.Int64
}

func (c *formCountingRenderer) Render(f regform.Form) ([]byte, error) {
	c.calls.Add(1)
	return c.r.Render(f)
}

// newFormFixture is a seeded fixture whose app renders forms with the real
// font through a counting renderer (nil renderer: no font).
func newFormFixture(t testing.TB, withFont bool) (*fixture, *formCountingRenderer) {
	t.Helper()
	f := newFixture(t, true)
	return f, f.formApp(t, withFont)
}

// formApp replaces the fixture's app with a new instance over the same
// store, as after a restart.
func (f *fixture) formApp(t testing.TB, withFont bool) *formCountingRenderer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(f.logs, nil))
	cfg := Config{
		Store:    f.store,
		Now:      func() time.Time { return testNow },
		Logger:   log,
		Registry: prometheus.NewRegistry(),
		Version:  "test",
		Forms:    newForms(f.store, nil, log),
	}
	var cr *formCountingRenderer
	if withFont {
		cr = newFormRenderer(t)
		cfg.Forms = newForms(f.store, cr, log)
	}
	f.app = New(cfg)
	return cr
}

// newFormRenderer returns a counting renderer over the real renderer with
// the test font, which is loaded once.
func newFormRenderer(t testing.TB) *formCountingRenderer {
	t.Helper()
	formRendererOnce.Do(func() { formRenderer, formRendererErr = regform.New(formFontPath) })
	if formRendererErr != nil {
		t.Fatalf("regform.New: %v", formRendererErr)
	}
	return &formCountingRenderer{r: formRenderer}
}

// formApplicant is a bound person with a profile and (optionally) an application.
type formApplicant struct {
	identity recruit.Identity
	profile  recruit.Profile
	app      recruit.Application
	cookie   string
	csrf     string
}

// formTestJPEG is a small white-background photo.
func formTestJPEG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 90, 120))
	for y := 0; y < 120; y++ {
		for x := 0; x < 90; x++ {
			c := color.RGBA{255, 255, 255, 255}
			if (x-45)*(x-45)+(y-50)*(y-50) < 30*30 {
				c = color.RGBA{80, 100, 150, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// newFormApplicant binds name with a resident ID number, saves a basic section
// with a photo and, when program is not zero, submits that choice.
func (f *fixture) newFormApplicant(t testing.TB, openID, name, idNumber string, program int64) formApplicant {
	t.Helper()
	ctx := context.Background()
	id, err := f.store.CreateIdentity(ctx, recruit.Identity{
		OpenID: openID, Name: name, IDType: recruit.IDTypeResident, IDNumber: idNumber, BoundAt: testNow,
	})
	if err != nil {
		t.Fatalf("CreateIdentity: %v", err)
	}
	photoID := "photo-" + openID
	if err := f.store.PutFile(ctx, recruit.File{ID: photoID, OwnerID: id.ID, Kind: "photo", ContentType: "image/jpeg", Data: formTestJPEG(t), CreatedAt: testNow}); err != nil {
		t.Fatalf("PutFile: %v", err)
	}
	p, err := f.store.SaveProfile(ctx, recruit.Profile{IdentityID: id.ID, Basic: &recruit.Basic{
		Name: name, IDType: recruit.IDTypeResident, Gender: "男", BirthDate: "1990-03-07",
		Ethnicity: "汉族", Political: "群众", Phone: "13905318642", Email: "a@example.cn",
		PersonnelType: recruit.PersonnelSocial, PhotoID: photoID,
	}}, recruit.Revision{IdentityID: id.ID, Kind: "basic", Summary: "保存基本信息", By: "formApplicant", At: testNow}, 0)
	if err != nil {
		t.Fatalf("SaveProfile: %v", err)
	}
	a := formApplicant{identity: id, profile: p}
	if program != 0 {
		if a.app, err = f.store.SubmitChoice(ctx, id.ID, testYear, 0, recruit.Choice{ProgramID: program, AcceptsAdjustment: true}, testNow, nil); err != nil {
			t.Fatalf("SubmitChoice: %v", err)
		}
	}
	a.cookie, a.csrf = f.login(t, openID, id.ID)
	return a
}

// formGet requests a form route with the applicant's cookie.
func (f *fixture) formGet(t testing.TB, target string, a formApplicant) (*http.Response, string) {
	t.Helper()
	return f.do(t, http.MethodGet, target, "Cookie", sessionCookie+"="+a.cookie)
}

// formLatest returns the newest form record of the applicant's application.
func (f *fixture) formLatest(t testing.TB, a formApplicant) recruit.FormRecord {
	t.Helper()
	rec, err := f.store.LatestForm(context.Background(), a.app.ID)
	if err != nil {
		t.Fatalf("LatestForm: %v", err)
	}
	return rec
}

// formPDFText returns the text of a PDF as pdftotext prints it.
func formPDFText(t *testing.T, pdf string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils) is required: %v", err)
	}
	path := filepath.Join(t.TempDir(), "form.pdf")
	if err := os.WriteFile(path, []byte(pdf), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return regexp.MustCompile(`\s+`).ReplaceAllString(string(out), "")
}

// verifyCodeShape is what a printed verification code looks like.
var verifyCodeShape = regexp.MustCompile(`^[2-9A-HJ-NP-Z]{10}$`)

func wantFormPDF(t *testing.T, resp *http.Response, body, disposition string) {
	t.Helper()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != forms.MediaType || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("status %d, type %q, body %.40q; want a PDF", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if got := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(got, disposition+";") {
		t.Errorf("Content-Disposition %q, want %s", got, disposition)
	}
}

func TestFormGenerateVerifyAndOutdate(t *testing.T) {
	f, _ := newFormFixture(t, true)
	ctx := context.Background()
	a := f.newFormApplicant(t, "openid-form", "欧阳明远", "11010519491231002X", f.progA1)

	resp, body := f.post(t, "/form/generate", url.Values{csrfField: {a.csrf}}, a.cookie)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/form" {
		t.Fatalf("POST /form/generate: %d %s %.200s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	v1 := f.formLatest(t, a)
	if v1.Version != a.app.Version || !verifyCodeShape.MatchString(v1.Code) {
		t.Fatalf("form record %+v: want version %d and a valid code", v1, a.app.Version)
	}
	resp, pdf := f.formGet(t, "/form", a)
	wantFormPDF(t, resp, pdf, "inline")
	text := formPDFText(t, pdf)
	wantContains(t, "PDF text", text, v1.Code, "版本：v1", "http://example.com/verify/"+v1.Code, "欧阳明远", "11010519491231002X", "甲医院", "内科")

	page := f.get(t, "/verify/"+v1.Code, http.StatusOK)
	wantContains(t, "verify page", page, "该报名表为最新版本，有效", "欧阳**", "110************02X", "甲医院", "内科", "v1", "待审核")
	wantMissing(t, "verify page", page, "欧阳明远", "11010519491231002X", "已过期")

	// The formApplicant changes the profile after submission: the application
	// version grows and the printed v1 is outdated.
	p := a.profile
	basic := *p.Basic
	basic.Phone = "13800000000"
	p.Basic = &basic
	if _, err := f.store.SaveProfile(ctx, p, recruit.Revision{IdentityID: a.identity.ID, Kind: "basic", At: testNow}, a.app.ID); err != nil {
		t.Fatal(err)
	}
	page = f.get(t, "/verify/"+v1.Code, http.StatusOK)
	wantContains(t, "verify page of v1 after a change", page, "该报名表已过期", "存在更新的版本（当前版本 v2）", "请以最新报名表为准")
	wantMissing(t, "verify page of v1 after a change", page, "有效")

	resp, pdf = f.formGet(t, "/form/download", a)
	wantFormPDF(t, resp, pdf, "attachment")
	v2 := f.formLatest(t, a)
	if v2.Version != 2 || v2.Code == v1.Code {
		t.Fatalf("after the change the newest form is %+v, want version 2 with a new code", v2)
	}
	wantContains(t, "PDF text of v2", formPDFText(t, pdf), v2.Code, "版本：v2", "13800000000")
	wantContains(t, "verify page of v2", f.get(t, "/verify/"+v2.Code, http.StatusOK), "该报名表为最新版本，有效")
	wantContains(t, "verify page of v1", f.get(t, "/verify/"+strings.ToLower(v1.Code), http.StatusOK), "该报名表已过期")

	// Only the newest file is kept; the old record stays for verification.
	if _, err := f.store.GetFile(ctx, v1.FileID); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("the v1 file is still stored: %v", err)
	}
	if _, err := f.store.GetFile(ctx, v2.FileID); err != nil {
		t.Errorf("the v2 file: %v", err)
	}
}

func TestFormCachedPerVersion(t *testing.T) {
	f, renders := newFormFixture(t, true)
	a := f.newFormApplicant(t, "openid-cache", "张三", "11010519491231002X", f.progA2)

	resp, first := f.formGet(t, "/form/download", a)
	wantFormPDF(t, resp, first, "attachment")
	rec := f.formLatest(t, a)
	wantDisposition := `attachment; filename="form-v1.pdf"; filename*=UTF-8''` + url.PathEscape("报名表-张三-v1.pdf")
	if got := resp.Header.Get("Content-Disposition"); got != wantDisposition {
		t.Errorf("Content-Disposition\n got %s\nwant %s", got, wantDisposition)
	}
	if got := resp.Header.Get("Cache-Control"); !strings.Contains(got, "no-store") {
		t.Errorf("Cache-Control %q: a personal PDF must not be stored by caches", got)
	}
	for _, target := range []string{"/form/download", "/form", "/form/download"} {
		resp, again := f.formGet(t, target, a)
		wantFormPDF(t, resp, again, map[bool]string{true: "inline", false: "attachment"}[target == "/form"])
		if again != first {
			t.Errorf("GET %s of an unchanged version returned a different PDF", target)
		}
	}
	// 重新生成 of an unchanged version keeps the form: printouts stay valid.
	resp, _ = f.post(t, "/form/generate", url.Values{csrfField: {a.csrf}}, a.cookie)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /form/generate: %d", resp.StatusCode)
	}
	if n := renders.calls.Load(); n != 1 {
		t.Errorf("%d renders for one version, want 1", n)
	}
	if got := f.formLatest(t, a); got != rec {
		t.Errorf("regenerating an unchanged version replaced %+v with %+v", rec, got)
	}

	// Another instance (or this one after a restart) serves the stored
	// file: same PDF, no render.
	renders = f.formApp(t, true)
	resp, again := f.formGet(t, "/form/download", a)
	wantFormPDF(t, resp, again, "attachment")
	if again != first || renders.calls.Load() != 0 {
		t.Errorf("a fresh instance rendered %d times or served a different PDF", renders.calls.Load())
	}

	// A new choice is a new version: the next request renders once more.
	if _, err := f.store.SubmitChoice(context.Background(), a.identity.ID, testYear, a.app.Version, recruit.Choice{ProgramID: f.progA1}, testNow, nil); err != nil {
		t.Fatal(err)
	}
	resp, _ = f.post(t, "/form/generate", url.Values{csrfField: {a.csrf}}, a.cookie)
	if resp.StatusCode != http.StatusSeeOther || renders.calls.Load() != 1 {
		t.Fatalf("generate after a new choice: status %d, %d renders, want 303 and 1", resp.StatusCode, renders.calls.Load())
	}
	if got := f.formLatest(t, a); got.Version != 2 || got.Code == rec.Code {
		t.Errorf("newest form after a new choice %+v, want version 2 with a new code", got)
	}
}

func TestFormGenerateNeedsCSRF(t *testing.T) {
	f, renders := newFormFixture(t, true)
	a := f.newFormApplicant(t, "openid-csrf", "李四", "11010519491231002X", f.progA1)
	resp, _ := f.post(t, "/form/generate", nil, a.cookie)
	if resp.StatusCode != http.StatusForbidden || renders.calls.Load() != 0 {
		t.Fatalf("POST without a token: %d, %d renders; want 403 and none", resp.StatusCode, renders.calls.Load())
	}
}

func TestFormOnlyOwnAndNeedsApplication(t *testing.T) {
	f, _ := newFormFixture(t, true)
	a := f.newFormApplicant(t, "openid-a", "王一", "11010519491231002X", f.progA1)
	b := f.newFormApplicant(t, "openid-b", "赵二", "110105194912310037", f.progB1)
	none := f.newFormApplicant(t, "openid-none", "钱三", "110105194912310045", 0)

	_, pdfA := f.formGet(t, "/form", a)
	codeA := f.formLatest(t, a).Code
	resp, pdfB := f.formGet(t, "/form", b)
	wantFormPDF(t, resp, pdfB, "inline")
	textB := formPDFText(t, pdfB)
	wantContains(t, "B's form", textB, f.formLatest(t, b).Code, "赵二", "乙医院")
	wantMissing(t, "B's form", textB, codeA, "王一")
	if pdfA == pdfB {
		t.Fatal("two applicants got the same PDF")
	}

	for _, target := range []string{"/form", "/form/download"} {
		resp, body := f.formGet(t, target, none)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("GET %s without an application: %d", target, resp.StatusCode)
		}
		wantContains(t, target+" without an application", body, "提交志愿", "再生成报名表")
	}
	resp, _ = f.do(t, http.MethodGet, "/form")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("GET /form without a session: %d %s, want a redirect to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestFormWithoutFont(t *testing.T) {
	f, _ := newFormFixture(t, false)
	a := f.newFormApplicant(t, "openid-nofont", "孙五", "11010519491231002X", f.progA1)
	for _, target := range []string{"/form", "/form/download"} {
		resp, body := f.formGet(t, target, a)
		if resp.StatusCode != http.StatusBadGateway {
			t.Fatalf("GET %s without a font: %d", target, resp.StatusCode)
		}
		wantContains(t, target+" without a font", body, "报名表暂时无法生成", "pdf.font_path")
	}
	resp, body := f.post(t, "/form/generate", url.Values{csrfField: {a.csrf}}, a.cookie)
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, "pdf.font_path") {
		t.Fatalf("POST /form/generate without a font: %d", resp.StatusCode)
	}
	if _, err := f.store.LatestForm(context.Background(), a.app.ID); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("a form was recorded without a font: %v", err)
	}
	// The rest of the service works.
	f.get(t, "/", http.StatusOK)
	f.get(t, "/board", http.StatusOK)
	f.get(t, "/verify/ABCDEFGHJK", http.StatusNotFound)
}

func TestVerifyRejectsBadAndUnknownCodes(t *testing.T) {
	f, _ := newFormFixture(t, true)
	for _, code := range []string{"abc", "ABCDEFGHJKL", "ABCDEFGHI1", "ABCDE-GHJK", "%E4%B8%AD%E6%96%87%E4%B8%AD%E6%96%87%E4%B8%AD"} {
		resp, body := f.do(t, http.MethodGet, "/verify/"+code)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "校验码格式不正确") {
			t.Errorf("GET /verify/%s: %d, want 400 校验码格式不正确", code, resp.StatusCode)
		}
	}
	body := f.get(t, "/verify/ABCDEFGHJK", http.StatusNotFound)
	wantContains(t, "unknown code", body, "未找到校验码为 ABCDEFGHJK 的报名表")
}

// BenchmarkFormDownloadCached measures GET /form/download of a form already
// stored for the current version, through the whole HTTP stack (session,
// CSRF, metrics and security middleware); the client discards the body.
func BenchmarkFormDownloadCached(b *testing.B) {
	f, renders := newFormFixture(b, true)
	a := f.benchApplicant(b)
	f.formGet(b, "/form/download", a)
	start, cpu := time.Now(), formCPUTime(b)
	var size int64
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/form/download", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: a.cookie})
		resp, err := f.app.Test(req, -1)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("GET /form/download: %v %v", resp, err)
		}
		if size, err = io.Copy(io.Discard, resp.Body); err != nil || size == 0 {
			b.Fatalf("read %d bytes: %v", size, err)
		}
		resp.Body.Close()
	}
	if n := renders.calls.Load(); n != 1 {
		b.Fatalf("%d renders, want 1", n)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "downloads/s")
	b.ReportMetric(float64(formCPUTime(b)-cpu)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64(size), "pdf-bytes")
}

// BenchmarkFormGenerate measures a download right after a change: load the
// data, render, store the file and the record, delete the previous file.
func BenchmarkFormGenerate(b *testing.B) {
	f, renders := newFormFixture(b, true)
	a := f.benchApplicant(b)
	ctx := context.Background()
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		// A profile save after submission outdates the form.
		saved, err := f.store.SaveProfile(ctx, a.profile, recruit.Revision{IdentityID: a.identity.ID, Kind: "basic", At: testNow}, a.app.ID)
		if err != nil {
			b.Fatal(err)
		}
		a.profile = saved
		start := formCPUTime(b)
		b.StartTimer()
		resp, _ := f.formGet(b, "/form/download", a)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		cpu += formCPUTime(b) - start
	}
	b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
	if n := renders.calls.Load(); n != int64(b.N) {
		b.Fatalf("%d renders for %d versions", n, b.N)
	}
}

// formCPUTime is the CPU time used by the process so far: the benchmarks
// report it besides wall time, which other processes on a shared machine
// inflate.
func formCPUTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchApplicant is an applicant with all four profile sections filled,
// as every application to be printed has.
func (f *fixture) benchApplicant(b *testing.B) formApplicant {
	a := f.newFormApplicant(b, "openid-bench", "欧阳明远", "11010519491231002X", f.progA1)
	p := a.profile
	p.Work = &recruit.Work{
		HasEmployer: true, WorkStart: "2015-08-01", WorkYears: 9,
		EmployerName: "山东省济南市历城区第二人民医院", EmployerCode: "12370100MB2857341K",
		HospitalLevel: "二级", HospitalGrade: "甲等", InstitutionCategory: "医院", Affiliation: "县属",
	}
	for i, level := range []string{recruit.EduBachelor, recruit.EduMaster} {
		p.Education = append(p.Education, recruit.Education{
			ID: int64(i + 1), Level: level, FullTime: true, School: "山东第一医科大学", Major: "临床医学",
			Qualification: "大学本科", QualificationDate: "2015-07-01", GraduationDate: "2015-07-01",
			HasDiploma: true, DiplomaNo: "104221201505001234", Degree: "学士", HasDegreeCert: true,
			DegreeDate: "2015-07-01", DegreeCertNo: "4221042015001234", StartDate: "2010-09-01",
		})
	}
	p.Certificates = &recruit.Certificates{
		PassedExam: true, ExamDate: "2016-09-18", HasQualCert: true, QualLevel: "执业医师",
		QualCategory: "临床", QualCertNo: "201637110370102199", QualCertDate: "2017-01-05",
		ForeignLangType: "大学英语", EnglishLevel: "CET-6",
	}
	saved, err := f.store.SaveProfile(context.Background(), p, recruit.Revision{IdentityID: a.identity.ID, Kind: "certificates", At: testNow}, 0)
	if err != nil {
		b.Fatal(err)
	}
	a.profile = saved
	return a
}
