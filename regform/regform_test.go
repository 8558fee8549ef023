package regform

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"zhupei/recruit"
)

// testFontPath is the Debian fonts-wqy-microhei collection.
const testFontPath = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

var (
	rendererOnce sync.Once
	renderer     *Renderer
	rendererErr  error
)

// testRenderer returns one Renderer shared by the tests.
func testRenderer(t testing.TB) *Renderer {
	t.Helper()
	rendererOnce.Do(func() { renderer, rendererErr = New(testFontPath) })
	if rendererErr != nil {
		t.Fatalf("New(%s): %v", testFontPath, rendererErr)
	}
	return renderer
}

func testPhoto(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 160))
	for y := 0; y < 160; y++ {
		for x := 0; x < 120; x++ {
			c := color.RGBA{255, 255, 255, 255}
			if (x-60)*(x-60)+(y-70)*(y-70) < 40*40 {
				c = color.RGBA{90, 110, 160, 255}
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

var generatedAt = time.Date(2025, 7, 2, 2, 30, 45, 0, time.UTC) // 10:30:45 in Shanghai

func minimalForm() Form {
	return Form{
		Year:        2025,
		GeneratedAt: generatedAt,
		Version:     1,
		VerifyCode:  "MIN4K7Q2",
		VerifyURL:   "https://zp.example.cn/v/MIN4K7Q2",
		Profile: recruit.Profile{Basic: &recruit.Basic{
			Name: "王一", IDType: "居民身份证", IDNumber: "370102199001011234",
		}},
		BaseName:      "山东大学齐鲁医院",
		SpecialtyName: "内科",
		State:         recruit.StateDraft,
	}
}

func maximalForm(t testing.TB) Form {
	eds := make([]recruit.Education, 5)
	for i := range eds {
		n := i + 1
		eds[i] = recruit.Education{
			ID:                int64(n),
			Level:             recruit.EducationLevels[i],
			InSchool:          i == 4,
			FullTime:          i%2 == 0,
			School:            fmt.Sprintf("山东第%d医科大学附属临床医学院（济南校区）暨齐鲁医学部第%d教学中心联合培养单位", n, n+10),
			Major:             fmt.Sprintf("临床医学（五年制）%d号方向：内科学、外科学、儿科学、妇产科学、急诊医学与重症医学综合培养专业%d", n, n*7),
			Qualification:     fmt.Sprintf("学历%d", n),
			QualificationDate: fmt.Sprintf("20%02d-06-1%d", 10+i, i),
			GraduationDate:    fmt.Sprintf("20%02d-07-0%d", 10+i, n),
			HasDiploma:        true,
			DiplomaNo:         fmt.Sprintf("10422120%02d0500%d%d%d", i, n, n, n),
			Degree:            fmt.Sprintf("医学学位%d", n),
			HasDegreeCert:     i%2 == 1,
			DegreeDate:        fmt.Sprintf("20%02d-07-2%d", 10+i, n),
			DegreeCertNo:      fmt.Sprintf("D4221%02d888%d", i, n),
			StartDate:         fmt.Sprintf("20%02d-09-0%d", 5+i, n),
		}
	}
	return Form{
		Year:        2026,
		GeneratedAt: generatedAt,
		Version:     17,
		VerifyCode:  "X9B2C7D4",
		VerifyURL:   "https://zp.example.cn/verify?code=X9B2C7D4&v=17",
		Photo:       testPhoto(t),
		Profile: recruit.Profile{
			Basic: &recruit.Basic{
				Name: "欧阳明远", IDType: "居民身份证", IDNumber: "37010219900307123X",
				Gender: "男", BirthDate: "1990-03-07", Ethnicity: "回族", Political: "中共预备党员",
				Phone: "13905318642", Email: "ouyang.mingyuan.2026@example-hospital.com.cn",
				QQ: "246813579", PersonnelType: recruit.PersonnelSent, PhotoID: "photo-1",
			},
			Work: &recruit.Work{
				HasEmployer: true, WorkStart: "2015-08-01", WorkYears: 9,
				EmployerName:        "山东省济南市历城区第二人民医院（济南市中心医院历城分院）暨山东第一医科大学附属历城区医疗集团总院综合门诊部",
				EmployerCode:        "12370100MB2857341K",
				HospitalLevel:       "二级",
				HospitalGrade:       "甲等",
				InstitutionCategory: "综合医院（含中西医结合医院）",
				Affiliation:         "县级市（区）属医疗卫生机构，隶属于历城区卫生健康局管理",
				WesternSupport:      true, Military: false, OrderDirected: true,
			},
			Education: eds,
			Certificates: &recruit.Certificates{
				PassedExam: true, ExamDate: "2016-09-18", HasQualCert: true,
				QualLevel: "执业医师", QualCategory: "临床", QualCertNo: "201637110370102199",
				QualCertDate: "2017-01-05", HasPractising: true, PractisingNo: "110370100004321",
				PractisingDate: "2017-03-21", ForeignLangType: "日语能力测试", ForeignLangLevel: "N2级",
				ForeignLangCertNo: "JLPT2015N2-778899", ForeignLangCertDate: "2015-12-06",
				EnglishLevel: "大学英语六级", QualScanID: "s1", PractisingScanID: "", DegreeScanID: "s3",
			},
		},
		BaseName:          "山东第一医科大学第一附属医院（山东省千佛山医院）",
		SpecialtyName:     "重症医学科（0900）",
		AcceptsAdjustment: true,
		State:             recruit.StatePending,
	}
}

// pdfText returns the text of pdf as pdftotext -layout prints it.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils) is required to check the PDF text: %v", err)
	}
	path := filepath.Join(t.TempDir(), "form.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

var spaces = regexp.MustCompile(`\s+`)

func squash(s string) string { return spaces.ReplaceAllString(s, "") }

// formValues lists every value the form must show.
func formValues(f Form) []string {
	vals := []string{
		formTitle(f.Year), "v" + strconv.Itoa(f.Version), "2025-07-0210:30:45", f.VerifyCode, f.VerifyURL,
		f.BaseName, f.SpecialtyName, yesNo(f.AcceptsAdjustment), f.State.Label(),
		"本人承诺所填信息真实、准确、完整", "如有虚假", "责任自负", "本人签名", "日期",
	}
	p := f.Profile
	if b := p.Basic; b != nil {
		vals = append(vals, b.Name, b.IDType, b.IDNumber, b.Gender, b.BirthDate, b.Ethnicity,
			b.Political, b.Phone, b.Email, b.QQ, b.PersonnelType)
	}
	if w := p.Work; w != nil {
		vals = append(vals, w.WorkStart, strconv.Itoa(w.WorkYears), w.EmployerName, w.EmployerCode,
			w.HospitalLevel, w.HospitalGrade, w.InstitutionCategory, w.Affiliation)
	}
	for _, e := range p.Education {
		vals = append(vals, e.Level, e.School, e.Major, e.Qualification, e.QualificationDate,
			e.GraduationDate, e.DiplomaNo, e.Degree, e.DegreeDate, e.DegreeCertNo, e.StartDate)
	}
	if c := p.Certificates; c != nil {
		vals = append(vals, c.ExamDate, c.QualLevel, c.QualCategory, c.QualCertNo, c.QualCertDate,
			c.PractisingNo, c.PractisingDate, c.ForeignLangType, c.ForeignLangLevel,
			c.ForeignLangCertNo, c.ForeignLangCertDate, c.EnglishLevel)
	}
	return vals
}

// labelValues lists label:value pairs whose value is not distinctive enough
// to find alone (是/否, 已上传/未上传): the label and the value must be
// adjacent in a table row.
func labelValues(f Form) [][2]string {
	var lv [][2]string
	if w := f.Profile.Work; w != nil {
		lv = append(lv,
			[2]string{"是否有工作单位", yesNo(w.HasEmployer)},
			[2]string{"是否为西部支援住院医师", yesNo(w.WesternSupport)},
			[2]string{"是否为军队住院医师", yesNo(w.Military)},
			[2]string{"是否为订单定向公费医学生", yesNo(w.OrderDirected)})
	}
	if c := f.Profile.Certificates; c != nil {
		lv = append(lv,
			[2]string{"是否通过医师资格考试", yesNo(c.PassedExam)},
			[2]string{"是否有执业医师", yesNo(c.HasPractising)},
			[2]string{"医师资格证书扫描件", uploaded(c.QualScanID)},
			[2]string{"执业医师资格证书扫描件", uploaded(c.PractisingScanID)},
			[2]string{"最高学历证书扫描件", uploaded(c.DegreeScanID)})
	}
	lv = append(lv, [2]string{"是否接受调剂", yesNo(f.AcceptsAdjustment)})
	return lv
}

var pageNumber = regexp.MustCompile(`第\s*(\d+)\s*页\s*/\s*共\s*(\d+)\s*页`)

// checkPages checks every page carries 第 N 页 / 共 M 页 with the same M,
// equal to the page count, and returns M.
func checkPages(t *testing.T, text string) int {
	t.Helper()
	pages := strings.Split(strings.TrimRight(text, "\f\n"), "\f")
	for i, page := range pages {
		m := pageNumber.FindAllStringSubmatch(page, -1)
		if len(m) != 1 {
			t.Fatalf("page %d has %d page numbers, want 1:\n%s", i+1, len(m), page)
		}
		if m[0][1] != strconv.Itoa(i+1) || m[0][2] != strconv.Itoa(len(pages)) {
			t.Errorf("page %d is numbered %q, want 第 %d 页 / 共 %d 页", i+1, m[0][0], i+1, len(pages))
		}
	}
	return len(pages)
}

func checkForm(t *testing.T, f Form) (text string, pages int) {
	t.Helper()
	pdf, err := testRenderer(t).Render(f)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	text = pdfText(t, pdf)
	flat := squash(text)
	for _, v := range formValues(f) {
		if v != "" && !strings.Contains(flat, squash(v)) {
			t.Errorf("PDF text lacks %q", v)
		}
	}
	for _, lv := range labelValues(f) {
		if !strings.Contains(flat, lv[0]+lv[1]) {
			t.Errorf("PDF text lacks %s next to %s", lv[1], lv[0])
		}
	}
	return text, checkPages(t, text)
}

func TestRenderMinimal(t *testing.T) {
	f := minimalForm()
	text, pages := checkForm(t, f)
	if pages != 1 {
		t.Errorf("minimal form has %d pages, want 1", pages)
	}
	// Three sections are not filled; the photo box is empty.
	if n := strings.Count(text, notFilled); n != 3 {
		t.Errorf("PDF text has %q %d times, want 3 (work, education, certificates)", notFilled, n)
	}
	if !strings.Contains(text, "照片") {
		t.Error("PDF text lacks the empty photo box label 照片")
	}
}

func TestRenderMaximal(t *testing.T) {
	f := maximalForm(t)
	text, pages := checkForm(t, f)
	if pages < 2 {
		t.Errorf("maximal form has %d pages, want at least 2", pages)
	}
	if !strings.Contains(text, "（续）") {
		t.Error("no section continues on a later page with （续）")
	}
	for i := range f.Profile.Education {
		if h := fmt.Sprintf("教育经历 %d（%s）", i+1, f.Profile.Education[i].Level); !strings.Contains(squash(text), squash(h)) {
			t.Errorf("PDF text lacks the record heading %q", h)
		}
	}
	if strings.Contains(text, notFilled) {
		t.Errorf("maximal form shows %q", notFilled)
	}
	if strings.Contains(text, "照片") {
		t.Error("the photo box shows the 照片 placeholder though a photo is given")
	}
	if os.Getenv("REGFORM_OUT") != "" {
		pdf, _ := testRenderer(t).Render(f)
		if err := os.WriteFile(os.Getenv("REGFORM_OUT"), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRenderNoLineStartsWithClosingPunctuation checks kinsoku in the
// rendered form: a long value with closing punctuation near every possible
// break never wraps with the punctuation at the start of a line.
func TestRenderNoLineStartsWithClosingPunctuation(t *testing.T) {
	cellSplit := regexp.MustCompile(`\s{2,}`)
	for k := 30; k <= 48; k++ {
		f := minimalForm()
		name := strings.Repeat("甲", k) + "，" + strings.Repeat("乙", k) + "、丙）。丁"
		f.Profile.Work = &recruit.Work{EmployerName: name}
		text := pdfText(t, mustRender(t, f))
		if !strings.Contains(squash(text), name) {
			t.Fatalf("PDF text lacks %q", name)
		}
		for _, l := range strings.Split(text, "\n") {
			for _, cellText := range cellSplit.Split(strings.TrimSpace(l), -1) {
				if r := []rune(cellText); len(r) > 0 && strings.ContainsRune("，。、）", r[0]) {
					t.Errorf("k=%d: a wrapped line starts with closing punctuation: %q", k, l)
				}
			}
		}
	}
}

func mustRender(t testing.TB, f Form) []byte {
	t.Helper()
	pdf, err := testRenderer(t).Render(f)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return pdf
}

func TestRenderLongValueTallerThanPage(t *testing.T) {
	f := minimalForm()
	long := strings.Repeat("超长的工作单位名称0123456789，", 220)
	f.Profile.Work = &recruit.Work{HasEmployer: true, EmployerName: long}
	text := pdfText(t, mustRender(t, f))
	if pages := checkPages(t, text); pages < 3 {
		t.Errorf("%d pages, want at least 3", pages)
	}
	// Drop what a page break inserts: page numbers, the running header and
	// the continued section title.
	var kept []string
	for _, l := range strings.Split(text, "\n") {
		if !pageNumber.MatchString(l) && !strings.Contains(l, "校验码") && !strings.Contains(l, "（续）") {
			kept = append(kept, l)
		}
	}
	if !strings.Contains(squash(strings.Join(kept, "")), squash(long)) {
		t.Error("a value taller than a page is cut off")
	}
}

func TestRenderBadPhoto(t *testing.T) {
	f := minimalForm()
	f.Photo = []byte("not a jpeg")
	_, err := testRenderer(t).Render(f)
	var re *recruit.Error
	if !errors.As(err, &re) || re.Code != recruit.EINVALID || !strings.Contains(re.Message, "证件照片") {
		t.Fatalf("Render with a bad photo: %v, want EINVALID about 证件照片", err)
	}
}

func TestNewBadFontPath(t *testing.T) {
	notFont := filepath.Join(t.TempDir(), "font.ttf")
	if err := os.WriteFile(notFont, []byte("not a font at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/nonexistent/font.ttc", notFont} {
		r, err := New(path)
		if r != nil || err == nil {
			t.Fatalf("New(%q) = %v, %v; want an error", path, r, err)
		}
		var re *recruit.Error
		if !errors.As(err, &re) || !strings.Contains(re.Message, "未找到可用的中文字体（配置项 pdf.font_path）") || !strings.Contains(re.Message, path) {
			t.Errorf("New(%q) error %v does not name pdf.font_path and the path in Chinese", path, err)
		}
	}
}

func TestRenderConcurrent(t *testing.T) {
	r := testRenderer(t)
	forms := []Form{minimalForm(), maximalForm(t)}
	want := make([]int, len(forms))
	for i, f := range forms {
		want[i] = len(mustRender(t, f))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			pdf, err := r.Render(forms[i])
			if err == nil && len(pdf) != want[i] {
				err = fmt.Errorf("form %d: %d bytes concurrently, %d alone", i, len(pdf), want[i])
			}
			errs <- err
		}(g % len(forms))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// cpuTime is the CPU time used by the process so far. The benchmarks
// report it per operation besides wall time, which other processes on a
// shared machine inflate.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// benchRender renders the maximal form b.N times, changed by vary before
// each render, and reports CPU time and the PDF size.
func benchRender(b *testing.B, r func() *Renderer, vary func(f *Form, i int)) {
	f := maximalForm(b)
	var size int
	var cpu time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		rr := r()
		vary(&f, i)
		start := cpuTime(b)
		b.StartTimer()
		pdf, err := rr.Render(f)
		if err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime(b) - start
		size = len(pdf)
	}
	b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(size), "pdf-bytes")
}

// BenchmarkRender is the warm case: the same form again and again.
func BenchmarkRender(b *testing.B) {
	benchRender(b, func() *Renderer { return testRenderer(b) }, func(*Form, int) {})
}

// BenchmarkRenderNewVersion renders what a new version brings: another
// version, code, time and phone number each time.
func BenchmarkRenderNewVersion(b *testing.B) {
	benchRender(b, func() *Renderer { return testRenderer(b) }, func(f *Form, i int) {
		f.Version = 100 + i
		f.VerifyCode = fmt.Sprintf("C%09d", i)
		f.GeneratedAt = generatedAt.Add(time.Duration(i) * time.Minute)
		f.Profile.Basic.Phone = fmt.Sprintf("139%08d", i)
	})
}

// BenchmarkRenderCold is the first render of a Renderer just made by New.
func BenchmarkRenderCold(b *testing.B) {
	benchRender(b, func() *Renderer {
		r, err := New(testFontPath)
		if err != nil {
			b.Fatal(err)
		}
		return r
	}, func(*Form, int) {})
}

// BenchmarkRenderRareName renders a form with a name outside the font
// subset, which takes the full font.
func BenchmarkRenderRareName(b *testing.B) {
	benchRender(b, func() *Renderer { return testRenderer(b) }, func(f *Form, _ int) { f.Profile.Basic.Name = rareName })
}

func BenchmarkNew(b *testing.B) {
	start := cpuTime(b)
	for b.Loop() {
		if _, err := New(testFontPath); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}
