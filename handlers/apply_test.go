package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"zhupei/apply"
	"zhupei/internal/testcal"
	"zhupei/internal/testimg"
	"zhupei/recruit"
)

// ---- helpers ----

// validResidentID completes a 17-digit body with the check character that
// recruit accepts.
func validResidentID(t testing.TB, body string) string {
	t.Helper()
	for _, c := range "0123456789X" {
		if id := body + string(c); recruit.ValidateIDNumberAt(recruit.IDTypeResident, id, testNow) == nil {
			return id
		}
	}
	t.Fatalf("no check character makes %s valid", body)
	return ""
}

// validCreditCode completes a 17-character body of a unified social credit
// code with the check character recruit accepts.
func validCreditCode(t testing.TB, body string) string {
	t.Helper()
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if code := body + string(c); recruit.ValidateCreditCode(code) == nil {
			return code
		}
	}
	t.Fatalf("no check character makes %s valid", body)
	return ""
}

// member is a logged-in applicant of a test.
type member struct {
	id     int64
	cookie string
	token  string
}

// newMember binds a resident ID (born 1995-03-15, male) to a new identity
// and logs it in.
func (f *fixture) newMember(t testing.TB, n int) member {
	t.Helper()
	id, err := f.store.CreateIdentity(context.Background(), recruit.Identity{
		OpenID: fmt.Sprintf("apply-openid-%d", n), Name: "张三", IDType: recruit.IDTypeResident,
		IDNumber: validResidentID(t, fmt.Sprintf("37010219950315%03d", (n%500)*2+1)), BoundAt: testNow,
	})
	if err != nil {
		t.Fatalf("CreateIdentity: %v", err)
	}
	cookie, token := f.login(t, fmt.Sprintf("apply-openid-%d", n), id.ID)
	return member{id: id.ID, cookie: cookie, token: token}
}

// request sends a form (multipart when files is not nil) as m.
func (f *fixture) request(t testing.TB, m member, method, target string, form url.Values, files map[string][]byte) (*http.Response, string) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set(csrfField, m.token)
	var body bytes.Buffer
	contentType := "application/x-www-form-urlencoded"
	if files == nil {
		body.WriteString(form.Encode())
	} else {
		w := multipart.NewWriter(&body)
		for k, vs := range form {
			for _, v := range vs {
				_ = w.WriteField(k, v)
			}
		}
		for k, data := range files {
			fw, err := w.CreateFormFile(k, k+".bin")
			if err != nil {
				t.Fatal(err)
			}
			_, _ = fw.Write(data)
		}
		_ = w.Close()
		contentType = w.FormDataContentType()
	}
	req := httptest.NewRequest(method, target, &body)
	req.Header.Set("Content-Type", contentType)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: m.cookie})
	return f.send(t, req)
}

// api sends a JSON request as m.
func (f *fixture) api(t testing.TB, m member, method, target string, v any) (*http.Response, string) {
	t.Helper()
	var body io.Reader = http.NoBody
	if v != nil {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, target, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(csrfHeader, m.token)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: m.cookie})
	return f.send(t, req)
}

func (f *fixture) send(t testing.TB, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := f.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// page GETs target as m and fails unless the status is want.
func (f *fixture) page(t testing.TB, m member, target string, want int) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: m.cookie})
	resp, body := f.send(t, req)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d: %.400s", target, resp.StatusCode, want, body)
	}
	return body
}

// wantSaved fails unless a form POST redirected (303).
func wantSaved(t testing.TB, what string, resp *http.Response, body string) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s: status %d, want 303; %s", what, resp.StatusCode, fieldErrorsOf(body))
	}
}

// fieldErrorsOf extracts the messages of a re-rendered form, for failures.
func fieldErrorsOf(body string) string {
	var out []string
	for _, part := range strings.Split(body, `class="field-error"`)[1:] {
		if i := strings.Index(part, "</p>"); i > 0 {
			out = append(out, part[:i])
		}
	}
	if i := strings.Index(body, `id="form-errors"`); i > 0 {
		out = append(out, body[i:min(len(body), i+300)])
	}
	return strings.Join(out, " | ")
}

// fieldError returns the message shown next to field name ("" if none).
func fieldError(body, name string) string {
	marker := `data-error-for="` + name + `">`
	i := strings.Index(body, marker)
	if i < 0 {
		return ""
	}
	rest := body[i+len(marker):]
	return rest[:strings.Index(rest, "</p>")]
}

func basicForm() url.Values {
	return url.Values{
		"version": {"0"}, "gender": {"男"}, "birth_date": {"1995-03-15"}, "ethnicity": {"汉族"}, "political": {"群众"},
		"phone": {"13800138000"}, "email": {"doctor@example.com"}, "qq": {"12345678"}, "personnel_type": {recruit.PersonnelSocial},
	}
}

func workForm(version int) url.Values {
	return url.Values{"version": {fmt.Sprint(version)}, "has_employer": {"否"}, "western_support": {"否"}, "military": {"否"}, "order_directed": {"否"}}
}

func educationForm(version int) url.Values {
	return url.Values{
		"version": {fmt.Sprint(version)}, "level": {"本科"}, "in_school": {"否"}, "full_time": {"是"}, "school": {"山东大学"},
		"major": {"临床医学"}, "start_date": {"2013-09-01"}, "qualification": {"大学本科"}, "graduation_date": {"2018-07-01"},
		"has_diploma": {"是"}, "qualification_date": {"2018-07-01"}, "diploma_no": {"104221201805000123"},
		"degree": {"学士"}, "has_degree_cert": {"是"}, "degree_date": {"2018-07-01"}, "degree_cert_no": {"4042212018000123"},
	}
}

func certificatesForm(version int) url.Values {
	return url.Values{
		"version": {fmt.Sprint(version)}, "passed_exam": {"否"}, "has_qual_cert": {"否"}, "has_practising": {"否"},
		"foreign_lang_type": {recruit.LangCollegeEng}, "english_level": {"CET-6"},
		"foreign_lang_cert_no": {"CET6-2016-001"}, "foreign_lang_cert_date": {"2016-06-01"},
	}
}

// fillProfile completes the four sections of m through the pages.
func (f *fixture) fillProfile(t testing.TB, m member) {
	t.Helper()
	resp, body := f.request(t, m, http.MethodPost, "/apply/basic", basicForm(), map[string][]byte{apply.FieldPhoto: testimg.Photo(t)})
	wantSaved(t, "basic", resp, body)
	resp, body = f.request(t, m, http.MethodPost, "/apply/work", workForm(1), nil)
	wantSaved(t, "work", resp, body)
	resp, body = f.request(t, m, http.MethodPost, "/apply/education/new", educationForm(2), nil)
	wantSaved(t, "education", resp, body)
	resp, body = f.request(t, m, http.MethodPost, "/apply/certificates", certificatesForm(3), nil)
	wantSaved(t, "certificates", resp, body)
}

func (f *fixture) profile(t testing.TB, id int64) recruit.Profile {
	t.Helper()
	p, err := f.store.GetProfile(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) program(t testing.TB, id int64) recruit.Program {
	t.Helper()
	p, err := f.store.GetProgram(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// choose submits a choice through the page as m.
func (f *fixture) choose(t testing.TB, m member, program int64, appVersion int) (*http.Response, string) {
	t.Helper()
	return f.request(t, m, http.MethodPost, "/apply/choice", url.Values{
		"program_id": {fmt.Sprint(program)}, "accepts_adjustment": {"是"}, "app_version": {fmt.Sprint(appVersion)},
	}, nil)
}

// setPhase rewrites the test year's calendar so that testNow falls in phase.
func (f *fixture) setPhase(t testing.TB, phase recruit.Phase) {
	t.Helper()
	if err := f.store.PutYear(context.Background(), recruit.Year{Year: testYear, Calendar: testcal.In(testNow, phase)}); err != nil {
		t.Fatal(err)
	}
}

// ---- tests ----

func TestApplyPagesNeedBinding(t *testing.T) {
	f := newFixture(t, true)
	resp, _ := f.do(t, http.MethodGet, "/apply/basic")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "next=%2Fapply%2Fbasic") {
		t.Errorf("anonymous /apply/basic: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	unbound, _ := f.login(t, "openid-unbound", 0)
	req := httptest.NewRequest(http.MethodGet, "/apply", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: unbound})
	resp, _ = f.send(t, req)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/bind") {
		t.Errorf("unbound /apply: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := f.do(t, http.MethodGet, "/api/v1/me/profile"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous API: %d %s", resp.StatusCode, body)
	}
}

func TestApplyCompleteFlow(t *testing.T) {
	f := newFixture(t, true)
	m := f.newMember(t, 1)

	steps := f.page(t, m, "/apply", http.StatusOK)
	wantContains(t, "step list", steps, "请依次填写基本信息、教育经历、证书信息、工作信息、报考志愿。",
		"1. 基本信息", "2. 工作信息", "3. 教育信息", "4. 证书信息", "5. 填报志愿", "未填写")
	basic := f.page(t, m, "/apply/basic", http.StatusOK)
	wantContains(t, "basic page", basic, "张三", "370***********", "上传照片要求：本人近期彩色免冠证件照", "维吾尔族",
		"报考培训基地与工作单位一致", "全日制硕士专业研究生", `name="version" value="0"`, "保存", "重置")
	wantMissing(t, "basic page", basic, "370102199503150")
	work := f.page(t, m, "/apply/work", http.StatusOK)
	wantContains(t, "work page", work, "本年度毕业的订单定向公费医学生，请在此栏目中选择“是”", `data-show-if="has_employer"`,
		"工作单位医疗卫生机构隶属关系", "地级市属")

	f.fillProfile(t, m)
	p := f.profile(t, m.id)
	if !p.Complete() || p.Version != 4 || p.Basic.PhotoID == "" || p.Basic.Gender != "男" || len(p.Education) != 1 || p.Education[0].ID != 1 {
		t.Fatalf("profile after the four sections: %+v", p)
	}
	steps = f.page(t, m, "/apply?saved=certificates", http.StatusOK)
	wantContains(t, "step list after saving", steps, "证书信息已保存", "已填写", "修改")
	if strings.Count(steps, "已填写") != 4 {
		t.Errorf("want four sections marked 已填写:\n%s", steps)
	}
	edu := f.page(t, m, "/apply/education", http.StatusOK)
	wantContains(t, "education list", edu, "最高学历", "本科（大学本科，山东大学）", "/apply/education/1")

	choice := f.page(t, m, fmt.Sprintf("/apply/choice?base=%d", f.baseA), http.StatusOK)
	wantContains(t, "choice page", choice, "内科(已报名:3/已录取:1/计划数:10)", "儿科(已报名:0/已录取:0/计划数:3)",
		"确定要提交报名信息吗, 提交后培训基地将看到您所填写的信息", "调剂：如选择接受调剂")
	resp, body := f.choose(t, m, f.progA1, 0)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/result?submitted=1" {
		t.Fatalf("choice: %d %s", resp.StatusCode, body)
	}
	if got := f.program(t, f.progA1).Registered; got != 4 {
		t.Errorf("registered after the choice = %d, want 4", got)
	}
	result := f.page(t, m, "/result?submitted=1", http.StatusOK)
	wantContains(t, "result", result, "甲医院", "内科", "待审核", "查看报名表", `href="/form"`, "/form/generate",
		`id="generate-form">生成报名表`, "修改个人信息", "重新提交志愿", "每次修改信息后，请再次生成报名表，并以最后一次信息修改后生成的报名表为准", "370***********")

	// The choice's records (their content is apply's, tested there).
	if notes, err := f.store.ListNotifications(context.Background(), m.id); err != nil || len(notes) != 1 {
		t.Fatalf("notifications: %v %+v", err, notes)
	}
	app, err := f.store.GetApplication(context.Background(), testYear, m.id)
	if err != nil {
		t.Fatal(err)
	}

	// A profile change after submission bumps the application's version.
	resp, body = f.request(t, m, http.MethodPost, "/apply/work", url.Values{"version": {"4"}, "has_employer": {"否"},
		"western_support": {"是"}, "military": {"否"}, "order_directed": {"否"}}, nil)
	wantSaved(t, "work after submission", resp, body)
	if app2, _ := f.store.GetApplication(context.Background(), testYear, m.id); app2.Version != app.Version+1 {
		t.Errorf("application version after a profile change = %d, want %d", app2.Version, app.Version+1)
	}

	preview := f.page(t, m, "/preview", http.StatusOK)
	wantContains(t, "preview", preview, "个人信息", "13800138000", "doctor@example.com", "社会化", "山东大学", "临床医学",
		"CET-6", "是否为西部支援住院医师", "/apply/files/"+p.Basic.PhotoID)
	history := f.page(t, m, "/history", http.StatusOK)
	wantContains(t, "history", history, "保存基本信息（更换证件照片）", "新增教育经历（本科）", "提交志愿：甲医院 内科（接受调剂）", "本人", "2025-07-05 10:00:00")
	revs, _ := f.store.History(context.Background(), m.id)
	if len(revs) != 6 || revs[0].Kind != apply.SectionWork || !strings.Contains(revs[0].Snapshot, `"western_support":true`) {
		t.Errorf("history = %+v", revs)
	}
}

// TestConditionalRequireds posts each section with a condition that makes
// another field required, and checks the message next to that field and
// that the typed values are kept.
func TestConditionalRequireds(t *testing.T) {
	f := newFixture(t, true)
	m := f.newMember(t, 2)
	photo := map[string][]byte{apply.FieldPhoto: testimg.Photo(t)}
	cases := []struct {
		name   string
		target string
		form   url.Values
		files  map[string][]byte
		field  string
		want   string
		kept   string
	}{
		{"basic: photo required", "/apply/basic", basicForm(), nil, apply.FieldPhoto, "请上传证件照片", `value="13800138000"`},
		{"basic: phone", "/apply/basic", with(basicForm(), "phone", "12345"), photo, "phone", "手机号码应为11位中国大陆手机号码", `value="12345"`},
		{"work: has employer needs the name", "/apply/work", with(withEmployer(t, workForm(0)), "employer_name", ""), nil, "employer_name", "请填写工作单位名称", `value="2020-07-01"`},
		{"work: employer code check character", "/apply/work", with(withEmployer(t, workForm(0)), "employer_code", "91370102MA3C5E0A10"), nil, "employer_code", "统一社会信用代码", `value="91370102MA3C5E0A10"`},
		{"work: has employer needs the level", "/apply/work", with(withEmployer(t, workForm(0)), "hospital_level", ""), nil, "hospital_level", "请选择工作单位医院级别", `value="甲医院"`},
		{"work: has employer must be answered", "/apply/work", with(workForm(0), "has_employer", ""), nil, "has_employer", "请选择是否有工作单位", ""},
		{"education: diploma needs its number", "/apply/education/new", with(educationForm(0), "diploma_no", ""), nil, "diploma_no", "请填写学历证书编号", `value="山东大学"`},
		{"education: dates ordered", "/apply/education/new", with(educationForm(0), "graduation_date", "2012-07-01"), nil, "graduation_date", "毕业时间不能早于入学时间", `value="2012-07-01"`},
		{"education: degree certificate needs its date", "/apply/education/new", with(educationForm(0), "degree_date", ""), nil, "degree_date", "请选择取得学位时间", ""},
		{"certificates: passed exam needs its date", "/apply/certificates", with(certificatesForm(0), "passed_exam", "是"), nil, "exam_date", "请选择通过医师资格考试时间", ""},
		{"certificates: certificate needs the level", "/apply/certificates", with(certificatesForm(0), "passed_exam", "是", "exam_date", "2019-08-01", "has_qual_cert", "是",
			"qual_category", "临床", "qual_cert_no", "110370100000001", "qual_cert_date", "2020-01-01"), nil, "qual_level", "请选择医师资格级别", `value="110370100000001"`},
		{"certificates: other language needs its level", "/apply/certificates", with(certificatesForm(0), "foreign_lang_type", recruit.LangOther, "english_level", ""), nil, "foreign_lang_level", "请填写外语等级(非英语)", ""},
	}
	for _, tc := range cases {
		resp, body := f.request(t, m, http.MethodPost, tc.target, tc.form, tc.files)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", tc.name, resp.StatusCode)
			continue
		}
		if got := fieldError(body, tc.field); !strings.Contains(got, tc.want) {
			t.Errorf("%s: message at %s = %q, want %q (all: %s)", tc.name, tc.field, got, tc.want, fieldErrorsOf(body))
		}
		if tc.kept != "" && !strings.Contains(body, tc.kept) {
			t.Errorf("%s: typed value %s not kept", tc.name, tc.kept)
		}
	}
	if p := f.profile(t, m.id); p.Version != 0 {
		t.Errorf("refused forms saved something: %+v", p)
	}

	// The employer needs personnel type consistency with 基本信息.
	resp, body := f.request(t, m, http.MethodPost, "/apply/basic", basicForm(), photo)
	wantSaved(t, "basic", resp, body)
	resp, body = f.request(t, m, http.MethodPost, "/apply/work", withEmployer(t, workForm(1)), nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "人员类型为社会化（无工作单位）的，工作信息中不能有工作单位") {
		t.Errorf("employer with 社会化: %d %s", resp.StatusCode, fieldErrorsOf(body))
	}
}

// with returns v with the given key/value pairs set.
func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func withEmployer(t testing.TB, v url.Values) url.Values {
	return with(v, "has_employer", "是", "work_start", "2020-07-01", "work_years", "5", "employer_name", "甲医院",
		"employer_code", validCreditCode(t, "91370102MA3C5E0A1"), "hospital_level", "三级", "hospital_grade", "甲等",
		"institution_category", "医院", "affiliation", "省属")
}

func TestChoiceRefusedUntilComplete(t *testing.T) {
	f := newFixture(t, true)
	m := f.newMember(t, 3)
	resp, body := f.request(t, m, http.MethodPost, "/apply/basic", basicForm(), map[string][]byte{apply.FieldPhoto: testimg.Photo(t)})
	wantSaved(t, "basic", resp, body)
	page := f.page(t, m, "/apply/choice", http.StatusOK)
	wantContains(t, "choice page", page, "请先完成基本信息、工作信息、教育经历、证书信息的填写")
	wantMissing(t, "choice page", page, `id="submit-choice"`)
	resp, body = f.choose(t, m, f.progA1, 0)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "请先完成基本信息、工作信息、教育经历、证书信息的填写") {
		t.Errorf("page choice: %d", resp.StatusCode)
	}
	resp, body = f.api(t, m, http.MethodPost, "/api/v1/me/choice", apiChoice(f.progA1, 0))
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "请先完成") {
		t.Errorf("API choice: %d %s", resp.StatusCode, body)
	}
	if got := f.program(t, f.progA1).Registered; got != 3 {
		t.Errorf("registered = %d after refused choices, want 3", got)
	}
}

// The choice page's answers: a stale page, a change of base, and the own
// unit rule on the choice and on a later edit (the rules are apply's).
func TestChoiceMovesCountsAndOwnUnit(t *testing.T) {
	f := newFixture(t, true)
	m := f.newMember(t, 4)
	f.fillProfile(t, m)
	if resp, body := f.choose(t, m, f.progA1, 0); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first choice: %d %s", resp.StatusCode, body)
	}
	// A stale page (version 0) cannot submit again.
	resp, body := f.choose(t, m, f.progB1, 0)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "志愿信息已在其他页面修改") {
		t.Fatalf("stale choice: %d", resp.StatusCode)
	}
	if resp, body := f.choose(t, m, f.progB1, 1); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("A→B: %d %s", resp.StatusCode, fieldErrorsOf(body))
	}
	if a, b := f.program(t, f.progA1).Registered, f.program(t, f.progB1).Registered; a != 3 || b != 2 {
		t.Errorf("after A→B: A %d (want 3), B %d (want 2)", a, b)
	}

	// 本单位培训 must choose the employer's base.
	own := f.newMember(t, 5)
	resp, body = f.request(t, own, http.MethodPost, "/apply/basic", with(basicForm(), "personnel_type", recruit.PersonnelOwnUnit),
		map[string][]byte{apply.FieldPhoto: testimg.Photo(t)})
	wantSaved(t, "basic", resp, body)
	for i, step := range []struct {
		target string
		form   url.Values
	}{{"/apply/work", withEmployer(t, workForm(1))}, {"/apply/education/new", educationForm(2)}, {"/apply/certificates", certificatesForm(3)}} {
		resp, body := f.request(t, own, http.MethodPost, step.target, step.form, nil)
		wantSaved(t, fmt.Sprint("section ", i), resp, body)
	}
	resp, body = f.choose(t, own, f.progB1, 0)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "报考培训基地须与工作单位一致") {
		t.Errorf("本单位培训 choosing another base: %d", resp.StatusCode)
	}
	if resp, body := f.choose(t, own, f.progA2, 0); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("本单位培训 choosing the employer: %d %s", resp.StatusCode, fieldErrorsOf(body))
	}
	// After the choice, the employer cannot move away from the chosen base.
	resp, body = f.request(t, own, http.MethodPost, "/apply/work", with(withEmployer(t, workForm(4)), "employer_name", "乙医院"), nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "报考培训基地须与工作单位一致") {
		t.Errorf("本单位培训 changing the employer after the choice: %d %s", resp.StatusCode, fieldErrorsOf(body))
	}
	if p := f.profile(t, own.id); p.Work.EmployerName != "甲医院" {
		t.Errorf("employer after the refused change: %q", p.Work.EmployerName)
	}
}

func TestStaleProfileVersionConflicts(t *testing.T) {
	f := newFixture(t, true)
	m := f.newMember(t, 6)
	resp, body := f.request(t, m, http.MethodPost, "/apply/work", workForm(0), nil)
	wantSaved(t, "first", resp, body)
	// A second tab still holds version 0.
	resp, body = f.request(t, m, http.MethodPost, "/apply/work", with(workForm(0), "military", "是"), nil)
	// The page compares what is saved with what was sent, keeps the
	// latter in the form and moves it to the current version.
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `value="是" selected`) || !strings.Contains(body, `name="version" value="1"`) {
		t.Fatalf("stale save: %d %s", resp.StatusCode, body)
	}
	wantContains(t, "stale save", body, "这部分信息已在别处保存过", `data-field-label="是否为军队住院医师"`, "当前已保存</span>否", "您的填写</span>是")
	if strings.Contains(body, `data-field-label="工作年限"`) {
		t.Error("a field closed by both answers (工作年限 without an employer) is compared")
	}
	p := f.profile(t, m.id)
	if p.Version != 1 || p.Work.Military {
		t.Errorf("a stale save changed the profile: %+v", p.Work)
	}
	// Saving that page again keeps the user's values.
	resp, body = f.request(t, m, http.MethodPost, "/apply/work", with(workForm(1), "military", "是"), nil)
	wantSaved(t, "again from the conflict page", resp, body)
	if p := f.profile(t, m.id); !p.Work.Military {
		t.Errorf("saving again did not keep the user's value: %+v", p.Work)
	}
	// The API checks the version the same way.
	resp, body = f.api(t, m, http.MethodPut, "/api/v1/me/profile/work", map[string]any{"version": 0, "data": recruit.Work{Military: true}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("stale API save: %d %s", resp.StatusCode, body)
	}
}

// A locked profile answers 403 with the reason on the page, the API and an
// upload, and the result page offers no edit (which states lock is apply's
// TestStatesRefuseEdits).
func TestEditsRefusedInLockedStates(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	m := f.newMember(t, 7)
	f.fillProfile(t, m)
	if resp, body := f.choose(t, m, f.progA1, 0); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("choice: %d %s", resp.StatusCode, body)
	}
	app, _ := f.store.GetApplication(ctx, testYear, m.id)
	edit := func() (*http.Response, string) {
		v := f.profile(t, m.id).Version
		return f.request(t, m, http.MethodPost, "/apply/work", workForm(v), nil)
	}
	refused := func(what, want string) {
		t.Helper()
		resp, body := edit()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want 403 with %q: %s", what, resp.StatusCode, want, fieldErrorsOf(body))
		}
		v := f.profile(t, m.id).Version
		resp, body = f.api(t, m, http.MethodPut, "/api/v1/me/profile/work", map[string]any{"version": v, "data": recruit.Work{}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, want) {
			t.Errorf("%s (API): %d %s", what, resp.StatusCode, body)
		}
		resp, _ = f.request(t, m, http.MethodPost, "/apply/basic", with(basicForm(), "version", fmt.Sprint(v)), map[string][]byte{apply.FieldPhoto: testimg.Photo(t)})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: photo upload %d, want 403", what, resp.StatusCode)
		}
	}

	f.setPhase(t, recruit.PhaseRound1)
	refused("round1 pending", "志愿正在审核中，暂不能修改")
	if page := f.page(t, m, "/result", http.StatusOK); strings.Contains(page, "修改个人信息") || strings.Contains(page, "重新提交志愿") {
		t.Errorf("result page offers edits while under review")
	}
	if resp, body := f.choose(t, m, f.progA2, app.Version); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "志愿正在审核中") {
		t.Errorf("choice under review: %d %s", resp.StatusCode, fieldErrorsOf(body))
	}
}

// A refused photo (the checks are recruit's, tested there) re-renders the
// form with the reason next to the file input and saves nothing.
func TestPhotoRefusals(t *testing.T) {
	f := newFixture(t, true)
	m := f.newMember(t, 9)
	blue := testimg.JPEG(t, 540, 720, color.RGBA{60, 120, 220, 255}, 97)
	resp, body := f.request(t, m, http.MethodPost, "/apply/basic", basicForm(), map[string][]byte{apply.FieldPhoto: blue})
	if resp.StatusCode != http.StatusBadRequest || fieldError(body, apply.FieldPhoto) != "照片底色必须为白色，检测到蓝色背景，请更换白底证件照" {
		t.Errorf("blue background: %d %q", resp.StatusCode, fieldError(body, apply.FieldPhoto))
	}
	wantContains(t, "refused photo", body, "文件未保存，请重新选择文件后再提交。", `value="13800138000"`)
	if p := f.profile(t, m.id); p.Basic != nil {
		t.Errorf("a refused photo saved the section")
	}
}

func TestScanUploadsAndOwnership(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	owner, other := f.newMember(t, 10), f.newMember(t, 11)
	f.fillProfile(t, owner)
	p := f.profile(t, owner.id)
	photoID := p.Basic.PhotoID

	// Scans: PDF and PNG accepted, anything else refused with a reason.
	pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
	resp, body := f.request(t, owner, http.MethodPost, "/apply/certificates", certificatesForm(p.Version),
		map[string][]byte{apply.FieldQualScan: []byte("MZ\x90\x00 an executable"), apply.FieldDegreeScan: pdf})
	if resp.StatusCode != http.StatusBadRequest || fieldError(body, apply.FieldQualScan) != "扫描件格式必须为JPG、PNG或PDF" {
		t.Fatalf("bad scan: %d %q", resp.StatusCode, fieldError(body, apply.FieldQualScan))
	}
	resp, body = f.request(t, owner, http.MethodPost, "/apply/certificates", certificatesForm(p.Version),
		map[string][]byte{apply.FieldDegreeScan: pdf})
	wantSaved(t, "scan", resp, body)
	p = f.profile(t, owner.id)
	if p.Certificates.DegreeScanID == "" {
		t.Fatal("scan id not stored")
	}

	// The owner gets the file with safe headers; another applicant gets 404.
	for _, id := range []string{photoID, p.Certificates.DegreeScanID} {
		req := httptest.NewRequest(http.MethodGet, "/apply/files/"+id, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: owner.cookie})
		resp, body := f.send(t, req)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
			resp.Header.Get("Content-Disposition") != "inline" || body == "" {
			t.Errorf("owner GET file: %d %v", resp.StatusCode, resp.Header)
		}
		f.page(t, other, "/apply/files/"+id, http.StatusNotFound)
	}
	if ct := f.pageHeader(t, owner, "/apply/files/"+p.Certificates.DegreeScanID, "Content-Type"); ct != "application/pdf" {
		t.Errorf("scan content type %q", ct)
	}
	// Another applicant's education record cannot be edited by URL or API.
	f.page(t, other, "/apply/education/1", http.StatusNotFound)
	resp, _ = f.api(t, other, http.MethodDelete, "/api/v1/me/education/1?version=0", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("other's record delete: %d", resp.StatusCode)
	}
	var mine profileJSON
	_, body = f.api(t, other, http.MethodGet, "/api/v1/me/profile", nil)
	if err := json.Unmarshal([]byte(body), &mine); err != nil || mine.Profile.Basic != nil || mine.Application != nil {
		t.Errorf("other's profile shows data: %s", body)
	}

	// A replaced photo is deleted.
	resp, body = f.request(t, owner, http.MethodPost, "/apply/basic", with(basicForm(), "version", fmt.Sprint(p.Version)),
		map[string][]byte{apply.FieldPhoto: testimg.JPEG(t, 520, 740, testimg.White, 97)})
	wantSaved(t, "new photo", resp, body)
	if _, err := f.store.GetFile(ctx, photoID); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("old photo still stored: %v", err)
	}
	if np := f.profile(t, owner.id).Basic.PhotoID; np == photoID || np == "" {
		t.Errorf("photo id not replaced: %q", np)
	}
}

// pageHeader returns a response header of GET target as m.
func (f *fixture) pageHeader(t testing.TB, m member, target, header string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: m.cookie})
	resp, _ := f.send(t, req)
	return resp.Header.Get(header)
}

func TestEducationRecords(t *testing.T) {
	f := newFixture(t, true)
	m := f.newMember(t, 12)
	resp, body := f.request(t, m, http.MethodPost, "/apply/education/new", educationForm(0), nil)
	wantSaved(t, "bachelor", resp, body)
	master := with(educationForm(1), "level", "研究生", "school", "北京大学", "qualification", "硕士研究生", "degree", "硕士",
		"start_date", "2018-09-01", "graduation_date", "2021-07-01", "qualification_date", "2021-07-01", "degree_date", "2021-07-01")
	resp, body = f.request(t, m, http.MethodPost, "/apply/education/new", master, nil)
	wantSaved(t, "master", resp, body)
	resp, body = f.request(t, m, http.MethodPost, "/apply/education/new", with(educationForm(2), "school", "又一所"), nil)
	if resp.StatusCode != http.StatusBadRequest || fieldError(body, "level") != "本科教育经历只能填写一条" {
		t.Errorf("duplicate level: %d %q", resp.StatusCode, fieldError(body, "level"))
	}
	list := f.page(t, m, "/apply/education", http.StatusOK)
	wantContains(t, "list", list, "研究生（硕士研究生，北京大学）", "/apply/education/2")
	// Edit the bachelor record, then delete it.
	resp, body = f.request(t, m, http.MethodPost, "/apply/education/1", with(educationForm(2), "major", "预防医学"), nil)
	wantSaved(t, "edit", resp, body)
	p := f.profile(t, m.id)
	if len(p.Education) != 2 || p.Education[0].Major != "预防医学" || p.Education[1].Level != "研究生" {
		t.Fatalf("records after edit: %+v", p.Education)
	}
	resp, body = f.request(t, m, http.MethodPost, "/apply/education/1/delete", url.Values{"version": {"3"}}, nil)
	wantSaved(t, "delete", resp, body)
	if p := f.profile(t, m.id); len(p.Education) != 1 || p.Education[0].ID != 2 {
		t.Errorf("records after delete: %+v", p.Education)
	}
	f.page(t, m, "/apply/education/1", http.StatusNotFound)
}

func TestApplyAPI(t *testing.T) {
	f := newFixture(t, true)
	m := f.newMember(t, 13)
	var got profileJSON
	_, body := f.api(t, m, http.MethodGet, "/api/v1/me/profile", nil)
	if err := json.Unmarshal([]byte(body), &got); err != nil || !strings.HasPrefix(got.Identity.IDMasked, "370***********") ||
		got.Phase != recruit.PhaseRegistration || got.Complete || got.EditRefusal != "" || strings.Contains(body, "3701021995") {
		t.Fatalf("GET profile: %s", body)
	}
	resp, body := f.api(t, m, http.MethodPut, "/api/v1/me/profile/work", map[string]any{"version": 0, "data": map[string]any{"has_employer": true}})
	var apiErr apiError
	if resp.StatusCode != http.StatusBadRequest || json.Unmarshal([]byte(body), &apiErr) != nil || apiErr.Error.Fields["employer_name"] != "请填写工作单位名称" {
		t.Errorf("PUT invalid work: %d %s", resp.StatusCode, body)
	}
	resp, body = f.api(t, m, http.MethodPut, "/api/v1/me/profile/work", map[string]any{"version": 0, "data": map[string]any{"nonsense": 1}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "未知字段") {
		t.Errorf("PUT unknown field: %d %s", resp.StatusCode, body)
	}
	resp, body = f.api(t, m, http.MethodPut, "/api/v1/me/profile/work", map[string]any{"version": 0, "data": recruit.Work{}})
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || got.Version != 1 || !got.Sections[apply.SectionWork] {
		t.Errorf("PUT work: %d %s", resp.StatusCode, body)
	}
	edu := recruit.Education{Level: "本科", FullTime: true, School: "山东大学", Major: "临床医学", Qualification: "大学本科",
		StartDate: "2013-09-01", GraduationDate: "2018-07-01", Degree: recruit.DegreeNone}
	resp, body = f.api(t, m, http.MethodPut, "/api/v1/me/education/new", map[string]any{"version": 1, "data": edu})
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || len(got.Profile.Education) != 1 {
		t.Errorf("PUT education: %d %s", resp.StatusCode, body)
	}
	resp, _ = f.api(t, m, http.MethodPut, "/api/v1/me/profile/photo", map[string]any{"version": 2, "data": map[string]any{}})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("PUT unknown section: %d", resp.StatusCode)
	}
	// The API needs the CSRF header like the pages.
	req := httptest.NewRequest(http.MethodPost, "/api/v1/me/choice", strings.NewReader(`{}`))
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: m.cookie})
	if resp, _ := f.send(t, req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("API write without CSRF token: %d", resp.StatusCode)
	}
}

// TestConcurrentChoices sends 200 submissions (and 100 changes) to 20
// programs at once; the counters must equal a recount afterwards.
func TestConcurrentChoices(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	var rows []recruit.PlanRow
	for i := 0; i < 20; i++ {
		rows = append(rows, recruit.PlanRow{Line: i + 1, BaseName: fmt.Sprintf("基地%d", i/4), City: "济南",
			SpecialtyCode: fmt.Sprintf("%04d", 100*(i%4+1)), SpecialtyName: fmt.Sprintf("专业%d", i%4), Plan: 50})
	}
	if err := f.store.PutYear(ctx, recruit.Year{Year: testYear, Calendar: recruit.DefaultCalendar(testYear)}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.ImportPlan(ctx, testYear, rows); err != nil {
		t.Fatal(err)
	}
	progs, err := f.store.ListPrograms(ctx, recruit.ProgramFilter{Year: testYear})
	if err != nil || len(progs) != 20 {
		t.Fatalf("programs: %v %d", err, len(progs))
	}
	const n = 200
	members := make([]member, n)
	for i := range members {
		members[i] = f.newMember(t, 100+i)
		f.completeProfile(t, members[i].id)
	}
	submit := func(m member, prog int64, version int) error {
		resp, body := f.api(t, m, http.MethodPost, "/api/v1/me/choice", apiChoice(prog, version))
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%d %s", resp.StatusCode, body)
		}
		return nil
	}
	errs := make(chan error, n)
	for i, m := range members {
		go func() { errs <- submit(m, progs[i%20].ID, 0) }()
	}
	for range members {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	for i, m := range members[:n/2] {
		go func() { errs <- submit(m, progs[(i+7)%20].ID, 1) }()
	}
	for range members[:n/2] {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	counts, err := f.store.Recount(ctx, testYear)
	if err != nil {
		t.Fatal(err)
	}
	progs, _ = f.store.ListPrograms(ctx, recruit.ProgramFilter{Year: testYear})
	total := 0
	for _, p := range progs {
		total += p.Registered
		if counts[p.ID].Registered != p.Registered {
			t.Errorf("program %d: registered %d, recount %d", p.ID, p.Registered, counts[p.ID].Registered)
		}
	}
	if total != n {
		t.Errorf("total registered %d, want %d", total, n)
	}
}

// completeProfile stores a complete profile directly (for load tests).
func (f *fixture) completeProfile(t testing.TB, id int64) {
	t.Helper()
	p := recruit.Profile{
		IdentityID:   id,
		Basic:        &recruit.Basic{Gender: "男", BirthDate: "1995-03-15", PersonnelType: recruit.PersonnelSocial, PhotoID: "x"},
		Work:         &recruit.Work{},
		Education:    []recruit.Education{{ID: 1, Level: "本科"}},
		Certificates: &recruit.Certificates{},
	}
	if _, err := f.store.SaveProfile(context.Background(), p, recruit.Revision{Kind: "basic", At: testNow}, 0); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkSubmitChoice measures a choice change through the HTTP layer
// (rules, store transaction, history and outbox).
func BenchmarkSubmitChoice(b *testing.B) {
	f := newFixture(b, true)
	m := f.newMember(b, 900)
	f.completeProfile(b, m.id)
	progs := []int64{f.progA1, f.progA2}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, body := f.api(b, m, http.MethodPost, "/api/v1/me/choice", apiChoice(progs[i%2], i))
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%d %s", resp.StatusCode, body)
		}
	}
}

// A photo over the limit, as it comes from a phone camera, is answered with
// the form and every typed value; a valid photo sent with an error
// elsewhere is staged, carried by the form and committed by the next save;
// only a body beyond the server's limit gets the 413 page, which leads back
// to the form.
func TestUploadsKeepTypedInput(t *testing.T) {
	f := newFixture(t, true)
	m := f.newMember(t, 31)
	huge := append(testimg.Photo(t), make([]byte, 12<<20)...)
	resp, body := f.request(t, m, http.MethodPost, "/apply/basic", with(basicForm(), "qq", "87654321"), map[string][]byte{apply.FieldPhoto: huge})
	if resp.StatusCode != http.StatusBadRequest || fieldError(body, apply.FieldPhoto) != "照片大小不能超过10MB" {
		t.Fatalf("12 MB photo: %d %q", resp.StatusCode, fieldError(body, apply.FieldPhoto))
	}
	wantContains(t, "12 MB photo", body, `value="87654321"`, `value="doctor@example.com"`)

	resp, body = f.request(t, m, http.MethodPost, "/apply/basic", with(basicForm(), "phone", "123"), map[string][]byte{apply.FieldPhoto: testimg.Photo(t)})
	if resp.StatusCode != http.StatusBadRequest || fieldError(body, "phone") == "" {
		t.Fatalf("bad phone with a good photo: %d %s", resp.StatusCode, fieldErrorsOf(body))
	}
	staged := regexp.MustCompile(`name="staged_photo_id" value="([0-9a-f]{32})"`).FindStringSubmatch(body)
	if staged == nil {
		t.Fatalf("the accepted photo is not carried by the form:\n%s", body)
	}
	wantContains(t, "staged photo", body, "已暂存您刚才上传的", fileURL(staged[1]))
	resp, body = f.request(t, m, http.MethodPost, "/apply/basic", with(basicForm(), "staged_photo_id", staged[1]), nil)
	wantSaved(t, "save with the staged photo", resp, body)
	if p := f.profile(t, m.id); p.Basic == nil || p.Basic.PhotoID != staged[1] {
		t.Fatalf("the staged photo was not committed: %+v", p.Basic)
	}

	// app.Test reports the refused body as its own error, so a listener
	// answers; Expect: 100-continue lets the server refuse before the
	// body is written (without it the client may see the connection reset
	// before it reads the answer).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = f.app.Listener(ln) }()
	t.Cleanup(func() { _ = f.app.Shutdown() })
	// The server answers and closes once the body passes the limit, while
	// the client may still be writing it: TCP can then reset the
	// connection before the answer is read. That race is the client's, so
	// a reset is tried again, a few times at most.
	for attempt := 1; ; attempt++ {
		req := httptest.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+"/apply/certificates", bytes.NewReader(make([]byte, bodyLimit+1)))
		req.RequestURI = ""
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		req.Header.Set("Expect", "100-continue")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: m.cookie})
		resp, err = http.DefaultClient.Do(req)
		if err == nil {
			break
		}
		if attempt == 5 || !(errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)) {
			t.Fatal(err)
		}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	body = string(raw)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("body over the limit: %d", resp.StatusCode)
	}
	wantContains(t, "body over the limit", body, "本次未保存", `href="/apply/certificates"`, "您填写的内容仍在页面上")
}

// TestSaveLeadsByLayout: a save posted from the PC layout (layout=pc, set by
// apply.js) goes on to the next tab, from the phone or without JavaScript
// back to the step list, for every section, education included.
func TestSaveLeadsByLayout(t *testing.T) {
	f := newFixture(t, true)
	m := f.newMember(t, 1)
	pc := func(v url.Values) url.Values { v.Set("layout", "pc"); return v }
	cases := []struct {
		what, target string
		form         url.Values
		files        map[string][]byte
		location     string
	}{
		{"basic on the PC", "/apply/basic", pc(basicForm()), map[string][]byte{apply.FieldPhoto: testimg.Photo(t)}, "/apply/work?saved=basic"},
		{"work on the phone", "/apply/work", with(workForm(1), "layout", "h5"), nil, "/apply?saved=work"},
		{"education on the PC", "/apply/education/new", pc(educationForm(2)), nil, "/apply/certificates?saved=education"},
		{"education on the phone", "/apply/education/1", educationForm(3), nil, "/apply?saved=education"},
		{"certificates on the PC", "/apply/certificates", pc(certificatesForm(4)), nil, "/apply/choice?saved=certificates"},
	}
	for _, tc := range cases {
		resp, body := f.request(t, m, http.MethodPost, tc.target, tc.form, tc.files)
		wantSaved(t, tc.what, resp, body)
		if got := resp.Header.Get("Location"); got != tc.location {
			t.Errorf("%s: to %s, want %s", tc.what, got, tc.location)
		}
	}
	tab := f.page(t, m, "/apply/choice?saved=certificates", http.StatusOK)
	wantContains(t, "next tab", tab, "证书信息已保存")
}

// TestEveryPageCarriesTheYear: the applicant's pages and the error page
// carry the latest year's title, as the home page does.
func TestEveryPageCarriesTheYear(t *testing.T) {
	f := newFixture(t, true)
	m := f.newMember(t, 1)
	const title = "2025年度山东省住院医师规范化培训招录报名系统"
	for _, path := range []string{"/apply", "/apply/basic", "/apply/education", "/result", "/preview", "/history"} {
		body := f.page(t, m, path, http.StatusOK)
		wantContains(t, path, body, "<title>", title+"</title>", `class="brand" href="/">`+title)
	}
	wantContains(t, "an unknown record", f.page(t, m, "/apply/education/99", http.StatusNotFound), title+"</title>")
}

// TestBasicGenderAndBirthFromID: the basic page shows the gender and birth
// date of the resident ID, fixed; a post that says otherwise stores the ID's.
func TestBasicGenderAndBirthFromID(t *testing.T) {
	f := newFixture(t, true)
	m := f.newMember(t, 1)
	page := f.page(t, m, "/apply/basic", http.StatusOK)
	wantContains(t, "basic page", page, `name="gender" value="男" readonly`, `name="birth_date" value="1995-03-15" readonly`, "根据身份证号码自动填写，不可修改")
	resp, body := f.request(t, m, http.MethodPost, "/apply/basic", with(basicForm(), "gender", "女", "birth_date", "1996-03-15"),
		map[string][]byte{apply.FieldPhoto: testimg.Photo(t)})
	wantSaved(t, "basic", resp, body)
	if b := f.profile(t, m.id).Basic; b.Gender != "男" || b.BirthDate != "1995-03-15" {
		t.Errorf("stored %s %s, want the ID's 男 1995-03-15", b.Gender, b.BirthDate)
	}
	// A refused save shows the ID's values again.
	resp, body = f.request(t, m, http.MethodPost, "/apply/basic", with(basicForm(), "version", "1", "phone", "12345", "gender", ""), nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("refused save: %d", resp.StatusCode)
	}
	wantContains(t, "refused save", body, `name="gender" value="男" readonly`, `value="12345"`)
}
