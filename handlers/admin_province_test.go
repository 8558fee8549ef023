package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"zhupei/internal/testhttp"
	"zhupei/recruit"
)

// upload posts a plan file as the multipart field file with a bearer token.
func (f *adminFixture) upload(t *testing.T, path, token, name string, data []byte) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(data)
	w.Close()
	req, err := http.NewRequest(http.MethodPost, f.url+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	status, _, raw := testhttp.Send(t, req, token)
	return status, raw
}

// Every province operation is refused to applicants, reviewers and base
// admins; the statistics and the audit log to reviewers, and another
// base's to a base admin, as if it did not exist. Nothing refused changes
// anything or is audited.
func TestAdminProvinceRefusals(t *testing.T) {
	f := newAdminFixture(t)
	prov, _ := f.token(t, recruit.RoleProvince, 0)
	adminA, _ := f.token(t, recruit.RoleBaseAdmin, f.baseA)
	reviewer, _ := f.token(t, recruit.RoleReviewer, f.baseA)
	unbound, _ := f.token(t, "", 0)
	plan := fmt.Sprintf("/api/v1/admin/programs/%d/plan", f.progA1)
	csv := []byte("基地名称,城市,专业代码,专业名称,计划数\n甲医院,济南,0100,内科,20\n")
	type call struct {
		name   string
		do     func(token string) (int, []byte)
		admins bool // base admins may, for their own base
	}
	calls := []call{
		{"getStatistics", func(tok string) (int, []byte) { return f.call(t, http.MethodGet, "/api/v1/admin/statistics", tok, nil) }, true},
		{"listAudit", func(tok string) (int, []byte) { return f.call(t, http.MethodGet, "/api/v1/admin/audit", tok, nil) }, true},
		{"updatePlan", func(tok string) (int, []byte) {
			return f.call(t, http.MethodPut, plan, tok, map[string]int{"plan": 20})
		}, false},
		{"importPlan", func(tok string) (int, []byte) { return f.upload(t, "/api/v1/admin/plan", tok, "plan.csv", csv) }, false},
		{"updateNotice", func(tok string) (int, []byte) {
			return f.call(t, http.MethodPut, "/api/v1/admin/notice", tok, map[string]string{"notice": "新的提示"})
		}, false},
	}
	for _, c := range calls {
		st, body := c.do("")
		wantError(t, c.name+" without a token", st, body, http.StatusUnauthorized, recruit.EUNAUTHORIZED)
		st, body = c.do(unbound)
		wantError(t, c.name+" by an account without staff binding", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
		st, body = c.do(reviewer)
		wantError(t, c.name+" by a reviewer", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
		if !c.admins {
			st, body = c.do(adminA)
			wantError(t, c.name+" by a base admin", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
		}
	}
	for _, path := range []string{"/api/v1/admin/statistics", "/api/v1/admin/audit"} {
		st, body := f.call(t, http.MethodGet, fmt.Sprintf("%s?base=%d", path, f.baseB), adminA, nil)
		wantError(t, path+" of another base by a base admin", st, body, http.StatusNotFound, recruit.ENOTFOUND)
		st, body = f.call(t, http.MethodGet, path+"?base=99999", prov, nil)
		wantError(t, path+" of a missing base", st, body, http.StatusNotFound, recruit.ENOTFOUND)
		st, body = f.call(t, http.MethodGet, path+"?base=x", prov, nil)
		wantError(t, path+" with a bad base", st, body, http.StatusBadRequest, recruit.EINVALID)
	}
	get := func(path string) func() (int, []byte) {
		return func() (int, []byte) { return f.call(t, http.MethodGet, path, prov, nil) }
	}
	put := func(path string, body any) func() (int, []byte) {
		return func() (int, []byte) { return f.call(t, http.MethodPut, path, prov, body) }
	}
	for _, c := range []struct {
		name string
		do   func() (int, []byte)
		want int
		code string
	}{
		{"statistics of an unknown round", get("/api/v1/admin/statistics?round=round9"), http.StatusBadRequest, recruit.EINVALID},
		{"audit with a bad time", get("/api/v1/admin/audit?from=yesterday"), http.StatusBadRequest, recruit.EINVALID},
		{"a plan below the admitted", put(plan, map[string]int{"plan": 0}), http.StatusConflict, recruit.ECONFLICT},
		{"a plan without a number", put(plan, map[string]int{}), http.StatusBadRequest, recruit.EINVALID},
		{"a plan that is text", put(plan, `{"plan": "十"}`), http.StatusBadRequest, recruit.EINVALID},
		{"a missing program", put("/api/v1/admin/programs/99999/plan", map[string]int{"plan": 3}), http.StatusNotFound, recruit.ENOTFOUND},
		{"an upload without a file", func() (int, []byte) {
			return f.call(t, http.MethodPost, "/api/v1/admin/plan", prov, map[string]int{"plan": 3})
		}, http.StatusBadRequest, recruit.EINVALID},
		{"a broken XLSX", func() (int, []byte) {
			return f.upload(t, "/api/v1/admin/plan", prov, "plan.xlsx", []byte("PK not a workbook"))
		}, http.StatusBadRequest, recruit.EINVALID},
		{"an empty notice", put("/api/v1/admin/notice", map[string]string{"notice": "  "}), http.StatusBadRequest, recruit.EINVALID},
	} {
		st, body := c.do()
		wantError(t, c.name, st, body, c.want, c.code)
	}
	if p, _ := f.store.GetProgram(context.Background(), f.progA1); p.Plan != 10 {
		t.Errorf("refused calls changed the plan to %d", p.Plan)
	}
	if es, _ := f.store.ListAudit(context.Background(), recruit.AuditFilter{}); len(es) != 0 {
		t.Errorf("refused calls were audited: %+v", es)
	}
}

// The province changes a plan, imports a plan file and the notice, each
// audited; the audit log pages; the statistics count the fixture's
// applications as the store has them.
func TestAdminProvinceOperations(t *testing.T) {
	f := newAdminFixture(t)
	prov, provStaff := f.token(t, recruit.RoleProvince, 0)
	adminA, _ := f.token(t, recruit.RoleBaseAdmin, f.baseA)

	st, body := f.call(t, http.MethodPut, fmt.Sprintf("/api/v1/admin/programs/%d/plan", f.progA2), prov, map[string]int{"plan": 6})
	var planned struct{ Program recruit.Program }
	if st != http.StatusOK || json.Unmarshal(body, &planned) != nil || planned.Program.Plan != 6 || planned.Program.ID != f.progA2 {
		t.Fatalf("updatePlan: %d %s", st, body)
	}
	st, body = f.upload(t, "/api/v1/admin/plan", prov, "plan.csv", []byte("基地名称,城市,专业代码,专业名称,计划数\n乙医院,青岛,0100,内科,9\n"))
	if st != http.StatusOK || !strings.Contains(string(body), `"imported":1`) {
		t.Fatalf("importPlan: %d %s", st, body)
	}
	if p, _ := f.store.GetProgram(context.Background(), f.progB1); p.Plan != 9 {
		t.Errorf("plan of B after the import = %d, want 9", p.Plan)
	}
	notice := "一、报名时间为7月1日至10日。\n二、新的温馨提示内容。"
	st, body = f.call(t, http.MethodPut, "/api/v1/admin/notice", prov, map[string]string{"notice": notice})
	if st != http.StatusOK || !strings.Contains(string(body), "新的温馨提示内容") {
		t.Fatalf("updateNotice: %d %s", st, body)
	}
	resp, err := http.Get(f.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	home, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(home), "新的温馨提示内容") {
		t.Error("the home page does not show the new notice")
	}

	var page struct {
		Entries    []recruit.AuditEntry
		NextBefore int64 `json:"next_before"`
	}
	st, body = f.call(t, http.MethodGet, "/api/v1/admin/audit?limit=2", prov, nil)
	if st != http.StatusOK || json.Unmarshal(body, &page) != nil || len(page.Entries) != 2 || page.NextBefore != page.Entries[1].ID ||
		page.Entries[0].Action != "update_notice" || page.Entries[1].Action != "import_plan" || page.Entries[0].StaffID != provStaff.ID ||
		page.Entries[0].RequestID == "" {
		t.Fatalf("listAudit first page: %d %s", st, body)
	}
	st, body = f.call(t, http.MethodGet, fmt.Sprintf("/api/v1/admin/audit?limit=2&before=%d", page.NextBefore), prov, nil)
	if st != http.StatusOK || json.Unmarshal(body, &page) != nil || len(page.Entries) != 1 || page.Entries[0].Action != "update_plan" || page.NextBefore != 0 {
		t.Fatalf("listAudit second page: %d %s", st, body)
	}
	st, body = f.call(t, http.MethodGet, "/api/v1/admin/audit", adminA, nil)
	if st != http.StatusOK || json.Unmarshal(body, &page) != nil || len(page.Entries) != 1 || page.Entries[0].BaseID != f.baseA {
		t.Fatalf("listAudit of base A's admin: %d %s", st, body)
	}

	// The statistics against the applications in the store.
	for _, c := range []struct {
		token string
		query string
		progs []int64
	}{{prov, "", []int64{f.progA1, f.progA2, f.progB1}}, {adminA, "", []int64{f.progA1, f.progA2}}, {prov, fmt.Sprintf("?base=%d", f.baseB), []int64{f.progB1}}} {
		st, body = f.call(t, http.MethodGet, "/api/v1/admin/statistics"+c.query, c.token, nil)
		var stats recruit.Stats
		if st != http.StatusOK || json.Unmarshal(body, &stats) != nil || len(stats.Programs) != len(c.progs) {
			t.Fatalf("getStatistics%s: %d %s", c.query, st, body)
		}
		for i, ps := range stats.Programs {
			apps, err := f.store.ListApplications(context.Background(), c.progs[i])
			if err != nil {
				t.Fatal(err)
			}
			var registered, pending, seats int
			for _, a := range apps {
				if a.State.Active() {
					registered++
				}
				if a.State == recruit.StatePending {
					pending++
				}
				if a.State.HoldsSeat() {
					seats++
				}
			}
			p, _ := f.store.GetProgram(context.Background(), c.progs[i])
			if ps.ProgramID != c.progs[i] || ps.Registered != registered || ps.Pending != pending || ps.Provisional != seats ||
				ps.Plan != p.Plan || ps.Vacancies != p.Plan-seats {
				t.Errorf("getStatistics%s program %d = %+v; the store has %d registered, %d pending, %d seats of %d", c.query, c.progs[i], ps, registered, pending, seats, p.Plan)
			}
		}
	}
}
