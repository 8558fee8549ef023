package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"gopkg.in/yaml.v3"

	"zhupei/miniprogram"
	"zhupei/recruit"
	"zhupei/web"
	"zhupei/wechat"
)

// staffLogin logs a new sandbox user in through the mini-program's login
// route and, when base is not zero, binds the account to base with an
// invitation; it returns the session token.
func (f *wxFixture) staffLogin(t *testing.T, nickname string, base int64) string {
	t.Helper()
	ctx := context.Background()
	u, err := f.sb.AddUser(nickname, false)
	if err != nil {
		t.Fatal(err)
	}
	code, err := f.sb.MiniCode(ctx, u.OpenID)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := f.staffCall(t, http.MethodPost, "/api/v1/mp/login", "", `{"code":"`+code+`"}`)
	var login struct{ Token string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &login) != nil || login.Token == "" {
		t.Fatalf("mini-program login: %d %.300s", resp.StatusCode, body)
	}
	if base != 0 {
		inv, err := miniprogram.CreateInvite(ctx, f.store, base, miniprogram.DefaultInviteTTL, f.clock.now())
		if err != nil {
			t.Fatal(err)
		}
		resp, body = f.staffCall(t, http.MethodPost, "/api/v1/mp/bind", login.Token, `{"invite":"`+inv.Code+`"}`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("bind: %d %.300s", resp.StatusCode, body)
		}
	}
	return login.Token
}

// staffCall sends a request of the mini-program with an optional bearer
// token and JSON body.
func (f *wxFixture) staffCall(t *testing.T, method, path, token, body string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, f.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return f.send(t, req)
}

// wantAPIError fails unless the answer is the JSON error of status with
// code and message.
func wantAPIError(t *testing.T, what string, resp *http.Response, body string, status int, code, message string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if resp.StatusCode != status || json.Unmarshal([]byte(body), &e) != nil || e.Error.Code != code || e.Error.Message != message {
		t.Errorf("%s: %d %.300s; want %d %s %q", what, resp.StatusCode, body, status, code, message)
	}
}

func TestStaffOpensFormAndFiles(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil, func(c *Config) { c.Forms = newFormRenderer(t) })
	f.seed(t)
	ctx := context.Background()
	a := f.newFormApplicant(t, "openid-staff-a", "欧阳明远", "11010519491231002X", f.progA1)
	b := f.newFormApplicant(t, "openid-staff-b", "司马青云", "110105194912310046", f.progB1)
	photo := recruit.File{ID: randomToken(16), OwnerID: a.identity.ID, Kind: "photo", ContentType: "image/jpeg",
		Size: 1, Data: formTestJPEG(t), CreatedAt: testNow}
	if err := f.store.PutFile(ctx, photo); err != nil {
		t.Fatal(err)
	}
	staffA := f.staffLogin(t, "甲医院老师", f.baseA)
	staffB := f.staffLogin(t, "乙医院老师", f.baseB)
	unbound := f.staffLogin(t, "未绑定老师", 0)

	formA := fmt.Sprintf("/api/v1/mp/applications/%d/form", a.app.ID)
	formB := fmt.Sprintf("/api/v1/mp/applications/%d/form", b.app.ID)
	fileA := "/api/v1/mp/files/" + photo.ID

	// Staff of the chosen base open the current form, generated on demand,
	// named as the applicant's own download.
	resp, pdf := f.staffCall(t, http.MethodGet, formA, staffA, "")
	wantFormPDF(t, resp, pdf, "inline")
	if got, want := resp.Header.Get("Content-Disposition"), formDisposition("inline", "欧阳明远", a.app.Version); got != want {
		t.Errorf("Content-Disposition %q, want %q", got, want)
	}
	wantContains(t, "staff form", formPDFText(t, pdf), "欧阳明远", "甲医院", "内科")
	// It is the stored form the applicant sees, not another version.
	resp, own := f.formGet(t, "/form", a)
	wantFormPDF(t, resp, own, "inline")
	if own != pdf {
		t.Error("the applicant's form differs from the one served to the staff")
	}
	if rec := f.formLatest(t, a); rec.Version != a.app.Version {
		t.Errorf("form record %+v, want version %d", rec, a.app.Version)
	}

	// ... and the applicant's photo, with the owner route's headers.
	resp, data := f.staffCall(t, http.MethodGet, fileA, staffA, "")
	if resp.StatusCode != http.StatusOK || data != string(photo.Data) {
		t.Fatalf("staff photo: %d, %d bytes", resp.StatusCode, len(data))
	}
	for h, want := range map[string]string{"Content-Type": "image/jpeg", "X-Content-Type-Options": "nosniff",
		"Content-Disposition": "inline", "Cache-Control": "private, no-store"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("staff photo %s: %q, want %q", h, got, want)
		}
	}

	// Staff of another base learn nothing, not even that it exists.
	resp, body := f.staffCall(t, http.MethodGet, formA, staffB, "")
	wantAPIError(t, "form of another base", resp, body, http.StatusNotFound, recruit.ENOTFOUND, "未找到该报名信息")
	resp, body = f.staffCall(t, http.MethodGet, "/api/v1/mp/applications/999999/form", staffB, "")
	wantAPIError(t, "unknown application", resp, body, http.StatusNotFound, recruit.ENOTFOUND, "未找到该报名信息")
	resp, body = f.staffCall(t, http.MethodGet, fileA, staffB, "")
	wantAPIError(t, "file of another base", resp, body, http.StatusNotFound, recruit.ENOTFOUND, "文件不存在")
	resp, body = f.staffCall(t, http.MethodGet, "/api/v1/mp/files/"+randomToken(16), staffA, "")
	wantAPIError(t, "unknown file", resp, body, http.StatusNotFound, recruit.ENOTFOUND, "文件不存在")
	resp, body = f.staffCall(t, http.MethodGet, formB, staffA, "")
	wantAPIError(t, "B's form for A", resp, body, http.StatusNotFound, recruit.ENOTFOUND, "未找到该报名信息")
	resp, pdf = f.staffCall(t, http.MethodGet, formB, staffB, "")
	wantFormPDF(t, resp, pdf, "inline")

	for _, path := range []string{formA, fileA} {
		resp, body = f.staffCall(t, http.MethodGet, path, unbound, "")
		wantAPIError(t, "unbound "+path, resp, body, http.StatusForbidden, recruit.EFORBIDDEN, "该账号尚未绑定培训基地")
		resp, body = f.staffCall(t, http.MethodGet, path, "", "")
		wantAPIError(t, "no token "+path, resp, body, http.StatusUnauthorized, recruit.EUNAUTHORIZED, "请先登录小程序")
		if resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("no token %s: no Bearer challenge", path)
		}
		// The applicant's session cookie is no staff credential.
		req := httptest.NewRequest(http.MethodGet, f.base+path, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: a.cookie})
		resp, body = f.send(t, req)
		wantAPIError(t, "cookie "+path, resp, body, http.StatusUnauthorized, recruit.EUNAUTHORIZED, "请先登录小程序")
	}
	for _, path := range []string{"/api/v1/mp/applications/abc/form", "/api/v1/mp/applications/0/form",
		"/api/v1/mp/applications/-1/form", "/api/v1/mp/applications/99999999999999999999/form"} {
		resp, body = f.staffCall(t, http.MethodGet, path, staffA, "")
		wantAPIError(t, path, resp, body, http.StatusBadRequest, recruit.EINVALID, "报名编号无效")
	}
	// Form files ("form-…") are no uploads either.
	for _, id := range []string{"x", strings.ToUpper(photo.ID), "form-" + photo.ID, photo.ID[:31] + "g"} {
		resp, body = f.staffCall(t, http.MethodGet, "/api/v1/mp/files/"+id, staffA, "")
		wantAPIError(t, "file id "+id, resp, body, http.StatusBadRequest, recruit.EINVALID, "文件编号无效")
	}

	// The applicant's own file route is unchanged: the owner only.
	resp, data = f.formGet(t, "/apply/files/"+photo.ID, a)
	if resp.StatusCode != http.StatusOK || data != string(photo.Data) {
		t.Errorf("owner's photo: %d", resp.StatusCode)
	}
	resp, body = f.formGet(t, "/apply/files/"+photo.ID, b)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("another applicant's photo: %d %.200s", resp.StatusCode, body)
	}

	// Each access is audited without personal data.
	logs := f.logs.String()
	wantContains(t, "audit log", logs,
		fmt.Sprintf("action=staff.form base_id=%d application_id=%d result=ok", f.baseA, a.app.ID),
		fmt.Sprintf("action=staff.file base_id=%d application_id=%d result=ok", f.baseA, a.app.ID),
		fmt.Sprintf("action=staff.form base_id=%d application_id=0 result=not_found", f.baseB),
		fmt.Sprintf("action=staff.file base_id=%d application_id=0 result=invalid", f.baseA))
	wantMissing(t, "audit log", logs, "欧阳明远", "11010519491231002X", "司马青云", "openid-staff")
}

// TestStaffMaySee checks the rule of both staff routes on the application
// itself: active and choosing a program of the staff's base.
func TestStaffMaySee(t *testing.T) {
	f := newFixture(t, true)
	s := &server{store: f.store}
	ctx := context.Background()
	for _, tc := range []struct {
		state   recruit.State
		program int64
		ok      bool
	}{
		{recruit.StatePending, f.progA1, true},
		{recruit.StateAdmitted, f.progA2, true},
		{recruit.StatePending, f.progB1, false},
		{recruit.StateWithdrawn, f.progA1, false},
		{recruit.StateDraft, f.progA1, false},
		{recruit.StatePending, 999999, false},
	} {
		err := s.staffMaySee(ctx, f.baseA, recruit.Application{ID: 1, State: tc.state, ProgramID: tc.program})
		if got := err == nil; got != tc.ok || (err != nil && recruit.ErrorCode(err) != recruit.ENOTFOUND) {
			t.Errorf("%s application of program %d: %v, want allowed %v (or not found)", tc.state, tc.program, err, tc.ok)
		}
	}
}

// TestStaffRoutesDocumented checks that the staff routes exist only with
// Config.StaffBase and are described, with bearer authentication, in the
// OpenAPI file.
func TestStaffRoutesDocumented(t *testing.T) {
	raw, err := fs.ReadFile(web.Static(), "openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]struct {
			Security []map[string][]string `yaml:"security"`
		} `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	staffRoutes := func(cfg Config) []string {
		var out []string
		for _, r := range New(cfg).GetRoutes(true) {
			if strings.HasPrefix(r.Path, "/api/v1/mp/") && r.Method != fiber.MethodHead {
				out = append(out, r.Method+" "+r.Path)
			}
		}
		return out
	}
	f := newFixture(t, false)
	if got := staffRoutes(Config{Store: f.store}); len(got) != 0 {
		t.Errorf("routes without StaffBase: %v", got)
	}
	got := staffRoutes(Config{Store: f.store, StaffBase: func(*fiber.Ctx) (int64, error) { return 0, nil }})
	if len(got) != 2 {
		t.Fatalf("staff routes %v, want the form and the files", got)
	}
	for _, r := range got {
		method, path, _ := strings.Cut(r, " ")
		op, ok := spec.Paths[strings.ReplaceAll(strings.TrimPrefix(path, "/api/v1"), ":id", "{id}")][strings.ToLower(method)]
		if !ok || len(op.Security) != 1 || op.Security[0]["bearer"] == nil {
			t.Errorf("%s is not in openapi.yaml with bearer security", r)
		}
	}
}
