package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"zhupei/recruit"
	"zhupei/xlsx"
)

// The province's 调剂方案 screen saves the shortage specialties and shows
// the proposal per program; a base admin is refused.
func TestConsolePlacement(t *testing.T) {
	f := newConsoleFixture(t)
	pc := provinceConsole(t, f)
	resp, body := pc.get(t, "/admin/placement")
	want(t, "placement screen", resp, body, http.StatusOK, "")
	wantContains(t, "placement screen", body, `data-nav="placement" class="on"`, `value="0200">`, "计算调剂方案")
	wantMissing(t, "placement screen", body, "proposal-totals", " checked>")
	token := csrfOf(t, body)

	resp, body = pc.post(t, "/admin/placement/shortage", url.Values{csrfField: {token}, "specialty": {"0200", "0100"}})
	want(t, "save shortage", resp, body, http.StatusSeeOther, "/admin/placement?saved=1")
	got, err := f.store.ShortageSpecialties(context.Background(), testYear)
	if err != nil || !reflect.DeepEqual(got, []string{"0100", "0200"}) {
		t.Errorf("stored shortage %v, %v", got, err)
	}
	resp, body = pc.get(t, "/admin/placement?saved=1")
	want(t, "after saving", resp, body, http.StatusOK, "")
	wantContains(t, "after saving", body, "紧缺专业已保存", `value="0100" checked>`, `value="0200" checked>`)
	resp, body = pc.post(t, "/admin/placement/shortage", url.Values{csrfField: {token}, "specialty": {"0200", "12345678901234567"}})
	want(t, "an unknown code", resp, body, http.StatusNotFound, "")
	wantContains(t, "an unknown code", body, "不存在", `value="0200" checked>`)
	wantMissing(t, "an unknown code", body, `value="0100" checked>`)

	resp, body = pc.post(t, "/admin/placement/propose", url.Values{csrfField: {token}})
	want(t, "propose", resp, body, http.StatusOK, "")
	wantContains(t, "proposal", body, `<dd id="p-pool">3</dd>`, `<dd id="p-placed">3（第一志愿 3）</dd>`,
		fmt.Sprintf(`<tr data-program="%d">`, f.progA1), "· 第1志愿", "其余 1 个有缺额的专业无人安排，共 3 个名额仍空缺")
	resp, _ = pc.post(t, "/admin/placement/propose", url.Values{})
	want(t, "propose without token", resp, "", http.StatusForbidden, "")

	admin := f.browser()
	f.consoleLogin(t, admin, f.user(t, "王主任"))
	_, body = admin.get(t, "/admin/redeem")
	admin.post(t, "/admin/redeem", url.Values{csrfField: {csrfOf(t, body)}, "code": {f.invite(t, recruit.RoleBaseAdmin, f.baseA, "")}})
	resp, body = admin.get(t, "/admin/placement")
	want(t, "a base admin", resp, body, http.StatusForbidden, "")
}

// provinceConsole moves the year into adjustment (the seeded applications
// are new in it: all in the pool) and returns a console browser logged in
// as a new province admin.
func provinceConsole(t *testing.T, f *wxFixture) *browser {
	t.Helper()
	f.setPhase(t, recruit.PhaseAdjustment)
	pc := f.browser()
	f.consoleLogin(t, pc, f.user(t, "省管"))
	_, body := pc.get(t, "/admin/redeem")
	resp, body := pc.post(t, "/admin/redeem", url.Values{csrfField: {csrfOf(t, body)}, "code": {f.invite(t, recruit.RoleProvince, 0, "")}})
	want(t, "redeem", resp, body, http.StatusSeeOther, "/admin")
	return pc
}

var digestRe = regexp.MustCompile(`name="digest" value="([0-9a-f]{64})"`)

// After computing, 调剂方案 offers to apply the proposal shown, saying what
// follows; applying shows the result, and applying the same proposal again
// says it changed.
func TestConsoleApplyPlacement(t *testing.T) {
	f := newConsoleFixture(t)
	pc := provinceConsole(t, f)
	_, body := pc.get(t, "/admin/placement")
	wantMissing(t, "before computing", body, `id="apply-form"`)
	token := csrfOf(t, body)

	resp, body := pc.post(t, "/admin/placement/propose", url.Values{csrfField: {token}})
	want(t, "propose", resp, body, http.StatusOK, "")
	wantContains(t, "proposal", body, `id="apply-form"`, "将向 3 人发出拟录取")
	m := digestRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no digest in the apply form: %s", body)
	}
	resp, _ = pc.get(t, "/admin/placement/export")
	want(t, "export", resp, "", http.StatusOK, "")
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename*=UTF-8''%E8%B0%83%E5%89%82%E6%96%B9%E6%A1%88-`) ||
		!strings.Contains(cd, m[1][:12]) || resp.Header.Get("Content-Type") != xlsx.MediaType || resp.Header.Get("X-Export-Rows") != "3" {
		t.Errorf("export headers %v", resp.Header)
	}
	resp, _ = pc.post(t, "/admin/placement/apply", url.Values{"digest": {m[1]}})
	want(t, "apply without token", resp, "", http.StatusForbidden, "")

	resp, body = pc.post(t, "/admin/placement/apply", url.Values{csrfField: {token}, "digest": {m[1]}})
	want(t, "apply", resp, body, http.StatusOK, "")
	wantContains(t, "applied", body, `id="applied-summary"`, "已发出 3 个拟录取", "第1志愿")
	placed := 0
	for _, prog := range []int64{f.progA1} {
		apps, err := f.store.ListApplications(context.Background(), prog)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range apps {
			if a.State == recruit.StateProvisional {
				placed++
			}
		}
	}
	if placed == 0 {
		t.Errorf("nobody provisionally admitted at program %d after applying", f.progA1)
	}

	resp, body = pc.post(t, "/admin/placement/apply", url.Values{csrfField: {token}, "digest": {m[1]}})
	want(t, "apply again", resp, body, http.StatusConflict, "")
	wantContains(t, "apply again", body, `id="apply-error"`, "调剂方案已变化，请重新计算后再应用")
}
