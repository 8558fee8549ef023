package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"zhupei/recruit"
)

// The province's 调剂方案 screen saves the shortage specialties and shows
// the proposal per program; a base admin is refused.
func TestConsolePlacement(t *testing.T) {
	f := newConsoleFixture(t)
	f.setPhase(t, recruit.PhaseAdjustment) // the seeded applications are new in adjustment
	pc := f.browser()
	f.consoleLogin(t, pc, f.user(t, "省管"))
	_, body := pc.get(t, "/admin/redeem")
	resp, body := pc.post(t, "/admin/redeem", url.Values{csrfField: {csrfOf(t, body)}, "code": {f.invite(t, recruit.RoleProvince, 0, "")}})
	want(t, "redeem", resp, body, http.StatusSeeOther, "/admin")

	resp, body = pc.get(t, "/admin/placement")
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
