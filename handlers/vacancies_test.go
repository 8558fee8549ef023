package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"zhupei/recruit"
)

// vacancyIDs returns the program ids of a listVacancies body.
func vacancyIDs(r vacanciesResponse) []int64 {
	out := []int64{}
	for _, p := range r.Programs {
		out = append(out, p.ProgramID)
	}
	return out
}

// The vacancy board lists the programs with a vacancy (all of them with
// vacant=0), filters by base, specialty and city, flags the shortage
// specialties, and refuses bad parameters with a 400 naming the field.
func TestListVacancies(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	// 乙医院 内科 full: plan 0.
	if err := f.store.ImportPlan(ctx, testYear, []recruit.PlanRow{{Line: 1, BaseName: "乙医院", City: "青岛", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 0}}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetShortageSpecialties(ctx, testYear, []string{"0200"}); err != nil {
		t.Fatal(err)
	}
	var r vacanciesResponse
	f.getJSON(t, "/api/v1/vacancies", http.StatusOK, &r)
	if got := vacancyIDs(r); !reflect.DeepEqual(got, []int64{f.progA1, f.progA2}) || r.Vacancies != 9+3 || r.WithVacant != 2 ||
		!reflect.DeepEqual(r.Shortage, []string{"0200"}) || r.Phase != recruit.PhaseRegistration || r.Year != testYear {
		t.Errorf("vacancies = %+v", r)
	}
	want := vacancyRow{ProgramID: f.progA2, BaseID: f.baseA, BaseName: "甲医院", City: "济南", SpecialtyCode: "0200", SpecialtyName: "儿科", Plan: 3, Vacancies: 3, Shortage: true}
	if len(r.Programs) == 2 && (r.Programs[1] != want || r.Programs[0].Shortage || r.Programs[0].Admitted != 1 || r.Programs[0].Vacancies != 9) {
		t.Errorf("rows = %+v, want the second %+v", r.Programs, want)
	}
	for _, c := range []struct {
		query string
		want  []int64
	}{
		{"?vacant=0", []int64{f.progA1, f.progA2, f.progB1}},
		{"?vacant=1", []int64{f.progA1, f.progA2}},
		{"?vacant=0&vacant=1", []int64{f.progA1, f.progA2}}, // the page's hidden 0 and checked 1
		{"?city=" + url.QueryEscape("青岛"), []int64{}},
		{"?city=" + url.QueryEscape("青岛") + "&vacant=0", []int64{f.progB1}},
		{fmt.Sprintf("?base=%d&specialty=0200", f.baseA), []int64{f.progA2}},
	} {
		var got vacanciesResponse
		f.getJSON(t, "/api/v1/vacancies"+c.query, http.StatusOK, &got)
		if !reflect.DeepEqual(vacancyIDs(got), c.want) {
			t.Errorf("%s: programs %v, want %v", c.query, vacancyIDs(got), c.want)
		}
	}
	for query, field := range map[string]string{
		"?city=" + url.QueryEscape("北京"):   "city",
		"?vacant=2":                        "vacant",
		"?base=0":                          "base",
		"?specialty=9999":                  "specialty",
		"?city=" + strings.Repeat("x", 65): "city",
	} {
		resp, body := f.do(t, http.MethodGet, "/api/v1/vacancies"+query)
		var e struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		_ = json.Unmarshal([]byte(body), &e)
		if resp.StatusCode != http.StatusBadRequest || e.Error.Fields[field] == "" {
			t.Errorf("%s: %d %s, want 400 naming %s", query, resp.StatusCode, body, field)
		}
	}

	page := f.get(t, "/vacancies", http.StatusOK)
	wantContains(t, "/vacancies", page, "调剂缺额一览", `id="only-vacant" checked`, `<span class="tag-shortage">儿科</span>`,
		fmt.Sprintf(`<tr data-id="%d" class="shortage">`, f.progA2), `data-poll="/api/v1/vacancies"`, "青岛")
	wantMissing(t, "/vacancies outside adjustment", page, fmt.Sprintf(`data-id="%d"`, f.progB1), "加入调剂志愿")
	page = f.get(t, "/vacancies?vacant=0&city="+url.QueryEscape("青岛"), http.StatusOK)
	wantContains(t, "/vacancies?vacant=0", page, fmt.Sprintf(`data-id="%d"`, f.progB1), `data-poll="/api/v1/vacancies?city=`)
	wantMissing(t, "/vacancies?vacant=0", page, `id="only-vacant" checked`)
	f.get(t, "/vacancies?city="+url.QueryEscape("北京"), http.StatusBadRequest)
}

// In adjustment an applicant ranks vacancies through the API and the page,
// the choice first; refusals are 4xx with a Chinese message and keep the
// selection; the board offers 加入调剂志愿.
func TestRankVacancies(t *testing.T) {
	f := newFixture(t, true)
	f.setPhase(t, recruit.PhaseAdjustment)
	m := f.newMember(t, 1)
	f.fillProfile(t, m)
	resp, body := f.choose(t, m, f.progA1, 0)
	wantSaved(t, "choice", resp, body)
	app, err := f.store.GetApplication(context.Background(), testYear, m.id)
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name string
		body any
		code int
	}{
		{"the choice not first", map[string]any{"program_ids": []int64{f.progA2, f.progA1}}, http.StatusBadRequest},
		{"four", map[string]any{"program_ids": []int64{f.progA1, f.progA2, f.progB1, 99}}, http.StatusBadRequest},
		{"an unknown field", map[string]any{"program_ids": []int64{f.progA1}, "rank": 1}, http.StatusBadRequest},
		{"not a list", map[string]any{"program_ids": "1,2"}, http.StatusBadRequest},
	} {
		resp, body := f.api(t, m, http.MethodPut, "/api/v1/me/vacancies", c.body)
		if resp.StatusCode != c.code || !strings.Contains(body, `"message"`) {
			t.Errorf("%s: %d %s, want %d", c.name, resp.StatusCode, body, c.code)
		}
	}
	resp, body = f.api(t, m, http.MethodPut, "/api/v1/me/vacancies", map[string]any{"program_ids": []int64{f.progA1, f.progA2}})
	var p recruit.VacancyPrefs
	if err := json.Unmarshal([]byte(body), &p); resp.StatusCode != http.StatusOK || err != nil || !reflect.DeepEqual(p.ProgramIDs, []int64{f.progA1, f.progA2}) || p.AppID != app.ID {
		t.Fatalf("rankVacancies: %d %s", resp.StatusCode, body)
	}
	noCSRF := m
	noCSRF.token = "wrong"
	if resp, _ := f.api(t, noCSRF, http.MethodPut, "/api/v1/me/vacancies", map[string]any{"program_ids": []int64{f.progA1}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d, want 403", resp.StatusCode)
	}

	page := f.page(t, m, "/adjustment", http.StatusOK)
	wantContains(t, "/adjustment", page, `<p id="pref1">甲医院 · 内科</p>`, fmt.Sprintf(`<option value="%d" selected>甲医院 · 儿科（缺额 3）</option>`, f.progA2))
	page = f.page(t, m, fmt.Sprintf("/adjustment?add=%d", f.progB1), http.StatusOK)
	wantContains(t, "/adjustment?add=", page, fmt.Sprintf(`<option value="%d" selected>乙医院 · 内科（缺额 5）</option>`, f.progB1))

	resp, _ = f.request(t, m, http.MethodPost, "/adjustment", url.Values{"pref2": {fmt.Sprint(f.progB1)}, "pref3": {""}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /adjustment: %d", resp.StatusCode)
	}
	stored, err := f.store.GetVacancyPrefs(context.Background(), app.ID)
	if err != nil || !reflect.DeepEqual(stored.ProgramIDs, []int64{f.progA1, f.progB1}) {
		t.Errorf("stored %+v, %v", stored, err)
	}
	resp, page = f.request(t, m, http.MethodPost, "/adjustment", url.Values{"pref2": {fmt.Sprint(f.progB1)}, "pref3": {fmt.Sprint(f.progB1)}}, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "调剂志愿不能重复选择同一培训专业") ||
		!strings.Contains(page, fmt.Sprintf(`<option value="%d" selected>`, f.progB1)) {
		t.Errorf("a repeated program: %d, want 400 keeping the selection: %.300s", resp.StatusCode, page)
	}
	wantContains(t, "/vacancies in adjustment", f.get(t, "/vacancies", http.StatusOK), fmt.Sprintf(`href="/adjustment?add=%d">加入调剂志愿`, f.progB1))
}

// Before the province sets a year up, the vacancy board says so and its
// JSON is a 404.
func TestVacanciesWithoutYear(t *testing.T) {
	f := newFixture(t, false)
	wantContains(t, "/vacancies", f.get(t, "/vacancies", http.StatusOK), "招录年度尚未设置")
	f.get(t, "/api/v1/vacancies", http.StatusNotFound)
}
