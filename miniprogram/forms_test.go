package miniprogram

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"zhupei/forms"
	"zhupei/recruit"
	"zhupei/regform"
)

// staffIDRe finds the staff member's account id in an audit line.
var staffIDRe = regexp.MustCompile(`action=staff\.\w+ staff_id=[1-9][0-9]* `)

var (
	rendererOnce sync.Once
	renderer     *regform.Renderer
	rendererErr  error
)

// newForms is the form service of the fixture, rendering with the Debian
// fonts-wqy-microhei font (loaded once).
func newForms(t *testing.T, st recruit.Store, now func() time.Time, log *slog.Logger) *forms.Service {
	t.Helper()
	rendererOnce.Do(func() { renderer, rendererErr = regform.New("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc") })
	if rendererErr != nil {
		t.Fatalf("regform.New: %v", rendererErr)
	}
	return forms.New(forms.Deps{Store: st, Renderer: renderer, Now: now, PublicURL: "https://zp.example.cn", Logger: log})
}

// staffToken logs a new sandbox user in and, unless base is zero, binds
// the account to base; it returns the session token.
func (f *fixture) staffToken(t *testing.T, nickname string, base recruit.Base) string {
	t.Helper()
	tok, _ := f.login(t, f.user(t, nickname))
	if base.ID != 0 {
		r := f.call(t, http.MethodPost, "/api/v1/mp/bind", tok, map[string]string{"invite": f.invite(t, base, recruit.DefaultInviteTTL)})
		expect(t, "bind "+nickname, r, http.StatusOK, "", "")
	}
	return tok
}

// submitted binds name to a resident ID number, stores a photo of theirs
// and submits a choice of the only program of base in year 2025; it
// returns the application and the photo's id.
func (f *fixture) submitted(t *testing.T, name, idNumber string, base recruit.Base) (recruit.Application, string) {
	t.Helper()
	ctx := context.Background()
	progs, err := f.store.ListPrograms(ctx, recruit.ProgramFilter{Year: 2025, BaseID: base.ID})
	if err != nil || len(progs) != 1 {
		t.Fatalf("programs of %s: %v %v", base.Name, progs, err)
	}
	id, err := f.store.CreateIdentity(ctx, recruit.Identity{OpenID: "openid-" + idNumber, Name: name,
		IDType: recruit.IDTypeResident, IDNumber: idNumber, BoundAt: testNow})
	if err != nil {
		t.Fatal(err)
	}
	photo := recruit.File{ID: fmt.Sprintf("abcdef%026x", id.ID), OwnerID: id.ID, Kind: "photo",
		ContentType: "image/jpeg", Size: 4, Data: []byte("\xff\xd8\xff\xd9"), CreatedAt: testNow}
	if err := f.store.PutFile(ctx, photo); err != nil {
		t.Fatal(err)
	}
	app, err := f.store.SubmitChoice(ctx, id.ID, 2025, 0, recruit.Choice{ProgramID: progs[0].ID}, testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	return app, photo.ID
}

func TestStaffOpensFormAndFiles(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.store.PutYear(ctx, recruit.Year{Year: 2025, Title: "2025年度招录", Calendar: recruit.DefaultCalendar(2025)}); err != nil {
		t.Fatal(err)
	}
	a, photoA := f.submitted(t, "欧阳明远", "11010519491231002X", f.baseA)
	b, _ := f.submitted(t, "司马青云", "110105194912310046", f.baseB)
	staffA := f.staffToken(t, "甲医院老师", f.baseA)
	staffB := f.staffToken(t, "乙医院老师", f.baseB)
	unbound := f.staffToken(t, "未绑定老师", recruit.Base{})

	formA := fmt.Sprintf("/api/v1/mp/applications/%d/form", a.ID)
	formB := fmt.Sprintf("/api/v1/mp/applications/%d/form", b.ID)
	fileA := "/api/v1/mp/files/" + photoA

	// Staff of the chosen base open the current form, generated on demand,
	// named as the applicant's own download: the stored form the applicant
	// gets too.
	r := f.call(t, http.MethodGet, formA, staffA, nil)
	own, err := newForms(t, f.store, f.clock.Now, nil).Current(ctx, a.IdentityID)
	if err != nil {
		t.Fatal(err)
	}
	for h, want := range map[string]string{"Content-Type": forms.MediaType, "Content-Disposition": own.Disposition("inline"),
		"Cache-Control": "private, no-store", "Content-Security-Policy": ""} {
		if got := r.header.Get(h); got != want {
			t.Errorf("staff form %s: %q, want %q", h, got, want)
		}
	}
	if r.status != http.StatusOK || string(r.raw) != string(own.File.Data) {
		t.Errorf("staff form: %d, %d bytes; not the applicant's form", r.status, len(r.raw))
	}

	// ... and the applicant's photo, with the owner route's headers.
	r = f.call(t, http.MethodGet, fileA, staffA, nil)
	if r.status != http.StatusOK || string(r.raw) != "\xff\xd8\xff\xd9" {
		t.Fatalf("staff photo: %d, %d bytes", r.status, len(r.raw))
	}
	for h, want := range map[string]string{"Content-Type": "image/jpeg", "X-Content-Type-Options": "nosniff",
		"Content-Disposition": "inline", "Cache-Control": "private, no-store"} {
		if got := r.header.Get(h); got != want {
			t.Errorf("staff photo %s: %q, want %q", h, got, want)
		}
	}
	r = f.call(t, http.MethodGet, formB, staffB, nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != forms.MediaType {
		t.Errorf("B's form for B: %d %s", r.status, r.header.Get("Content-Type"))
	}

	// Staff of another base learn nothing, not even that it exists; bad
	// ids are refused; without a bound account nothing is served.
	for _, tc := range []struct {
		what, path, token string
		status            int
		code, msg         string
	}{
		{"form of another base", formA, staffB, http.StatusNotFound, recruit.ENOTFOUND, "未找到该报名信息"},
		{"B's form for A", formB, staffA, http.StatusNotFound, recruit.ENOTFOUND, "未找到该报名信息"},
		{"unknown application", "/api/v1/mp/applications/999999/form", staffB, http.StatusNotFound, recruit.ENOTFOUND, "未找到该报名信息"},
		{"file of another base", fileA, staffB, http.StatusNotFound, recruit.ENOTFOUND, "文件不存在"},
		{"unknown file", "/api/v1/mp/files/" + strings.Repeat("e", 32), staffA, http.StatusNotFound, recruit.ENOTFOUND, "文件不存在"},
		{"the form's file", "/api/v1/mp/files/" + own.File.ID, staffA, http.StatusBadRequest, recruit.EINVALID, "文件编号无效"},
		{"upper-case file id", "/api/v1/mp/files/" + strings.ToUpper(photoA), staffA, http.StatusBadRequest, recruit.EINVALID, "文件编号无效"},
		{"short file id", "/api/v1/mp/files/" + photoA[:31], staffA, http.StatusBadRequest, recruit.EINVALID, "文件编号无效"},
		{"app id abc", "/api/v1/mp/applications/abc/form", staffA, http.StatusBadRequest, recruit.EINVALID, "报名编号无效"},
		{"app id 0", "/api/v1/mp/applications/0/form", staffA, http.StatusBadRequest, recruit.EINVALID, "报名编号无效"},
		{"app id -1", "/api/v1/mp/applications/-1/form", staffA, http.StatusBadRequest, recruit.EINVALID, "报名编号无效"},
		{"app id too long", "/api/v1/mp/applications/99999999999999999999/form", staffA, http.StatusBadRequest, recruit.EINVALID, "报名编号无效"},
		{"unbound form", formA, unbound, http.StatusForbidden, recruit.EFORBIDDEN, "该账号尚未绑定培训基地"},
		{"unbound file", fileA, unbound, http.StatusForbidden, recruit.EFORBIDDEN, "该账号尚未绑定培训基地"},
		{"no token form", formA, "", http.StatusUnauthorized, recruit.EUNAUTHORIZED, "请先登录小程序"},
		{"no token file", fileA, "", http.StatusUnauthorized, recruit.EUNAUTHORIZED, "请先登录小程序"},
	} {
		r := f.call(t, http.MethodGet, tc.path, tc.token, nil)
		if r.status != tc.status || r.errCode() != tc.code || r.errMessage() != tc.msg {
			t.Errorf("%s: %d %v, want %d %s %q", tc.what, r.status, r.body, tc.status, tc.code, tc.msg)
		}
		if challenged := r.header.Get("WWW-Authenticate") != ""; challenged != (tc.token == "") {
			t.Errorf("%s: WWW-Authenticate %q", tc.what, r.header.Get("WWW-Authenticate"))
		}
	}

	// Each access after authentication is audited without personal data.
	logs := f.logs.String()
	for _, line := range []string{
		fmt.Sprintf("base_id=%d requested=%d application_id=%d result=ok", f.baseA.ID, a.ID, a.ID),
		fmt.Sprintf("base_id=%d requested=%s application_id=%d result=ok", f.baseA.ID, photoA, a.ID),
		fmt.Sprintf("base_id=%d requested=%d application_id=0 result=not_found", f.baseB.ID, a.ID),
		fmt.Sprintf("base_id=%d requested=invalid application_id=0 result=invalid", f.baseA.ID),
	} {
		if !strings.Contains(logs, line) {
			t.Errorf("audit log misses %q", line)
		}
	}
	// Every line names the staff member by account id.
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "audit: staff access") && !staffIDRe.MatchString(line) {
			t.Errorf("audit line without the staff member: %s", line)
		}
	}
	for _, secret := range []string{"欧阳明远", "11010519491231002X", "司马青云", "openid-"} {
		if strings.Contains(logs, secret) {
			t.Errorf("audit log holds %q", secret)
		}
	}
}
