package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"zhupei/internal/testhttp"
	"zhupei/recruit"
	"zhupei/review"
)

// list calls listApplications with the query as tok and returns the ids
// and ID numbers of the page and the total.
func (f *adminFixture) list(t *testing.T, tok, query string) (ids []int64, numbers []string, total int) {
	t.Helper()
	what := "listApplications?" + query
	status, body := f.call(t, http.MethodGet, "/api/v1/admin/applications?"+query, tok, nil)
	var p review.Page
	if status != http.StatusOK || json.Unmarshal(body, &p) != nil {
		t.Fatalf("%s: %d %s", what, status, body)
	}
	for _, r := range p.Rows {
		ids = append(ids, r.ID)
		numbers = append(numbers, r.IDNumber)
	}
	return ids, numbers, p.Total
}

// profileFor saves a basic section for the seeded applicant of app.
func (f *adminFixture) profileFor(t *testing.T, app recruit.Application, name, phone string) {
	t.Helper()
	_, err := f.store.SaveProfile(context.Background(), recruit.Profile{IdentityID: app.IdentityID,
		Basic: &recruit.Basic{Name: name, Phone: phone, PersonnelType: recruit.PersonnelSocial}},
		recruit.Revision{Kind: "basic", Summary: "保存基本信息", By: "本人", At: testNow}, app.ID)
	if err != nil {
		t.Fatal(err)
	}
}

func TestAdminQueue(t *testing.T) {
	f := newAdminFixture(t)
	f.clock.Add(time.Date(testYear, time.July, 12, 9, 0, 0, 0, recruit.Shanghai).Sub(testNow)) // round1
	ctx := context.Background()
	reviewerA, reviewer := f.token(t, recruit.RoleReviewer, f.baseA)
	adminA, _ := f.token(t, recruit.RoleBaseAdmin, f.baseA)
	adminB, _ := f.token(t, recruit.RoleBaseAdmin, f.baseB)
	prov, _ := f.token(t, recruit.RoleProvince, 0)
	appsA, err := f.store.ListApplications(ctx, f.progA1)
	if err != nil || len(appsA) != 3 {
		t.Fatalf("seeded applications of A: %+v, %v", appsA, err)
	}
	appsB, err := f.store.ListApplications(ctx, f.progB1)
	if err != nil || len(appsB) != 1 {
		t.Fatalf("seeded applications of B: %+v, %v", appsB, err)
	}
	idsA := []int64{appsA[0].ID, appsA[1].ID, appsA[2].ID}
	f.profileFor(t, appsA[1], "李四", "13800001234")
	f.profileFor(t, appsB[0], "王五", "13800001234")

	// The caller's base only; the province any, or the base it names.
	ids, numbers, total := f.list(t, reviewerA, "")
	if !slices.Equal(ids, idsA) || total != 3 || numbers[0] != "E00***001" {
		t.Errorf("reviewer of A sees %v %v (total %d), want %v with masked numbers", ids, numbers, total, idsA)
	}
	_, numbers, _ = f.list(t, adminA, "")
	if numbers[0] != "E00000001" {
		t.Errorf("a base admin sees ID number %q, want it in full", numbers[0])
	}
	st, body := f.call(t, http.MethodGet, fmt.Sprintf("/api/v1/admin/applications?base=%d", f.baseA), adminB, nil)
	wantError(t, "another base's list", st, body, http.StatusNotFound, recruit.ENOTFOUND)
	ids, _, _ = f.list(t, prov, fmt.Sprintf("base=%d", f.baseA))
	if !slices.Equal(ids, idsA) {
		t.Errorf("province with base A: %v", ids)
	}
	_, _, total = f.list(t, prov, "size=2&sort=submitted_desc")
	if total != 4 {
		t.Errorf("province total %d, want 4", total)
	}

	// Filters and flags: 李四 (A) and 王五 (B) share a phone; base staff
	// see the flag without seeing the other application.
	st, body = f.call(t, http.MethodGet, "/api/v1/admin/applications?flagged=true&keyword="+url.QueryEscape("李"), adminA, nil)
	var p review.Page
	if st != http.StatusOK || json.Unmarshal(body, &p) != nil || len(p.Rows) != 1 || p.Rows[0].ID != appsA[1].ID ||
		len(p.Rows[0].Flags) != 1 || p.Rows[0].Flags[0].Kind != recruit.DupPhone || p.Rows[0].Name != "李四" {
		t.Errorf("keyword 李 and flagged: %d %s", st, body)
	}
	ids, _, _ = f.list(t, adminA, "state=pending&round=round1&accepts_adjustment=false")
	if !slices.Equal(ids, idsA[1:]) {
		t.Errorf("pending of A: %v, want %v", ids, idsA[1:])
	}
	for _, bad := range []string{"size=999", "state=draft", "accepts_adjustment=maybe", "round=round9", "sort=name", "page=x", "personnel_type=学生"} {
		st, body := f.call(t, http.MethodGet, "/api/v1/admin/applications?"+bad, adminA, nil)
		wantError(t, bad, st, body, http.StatusBadRequest, recruit.EINVALID)
	}

	// The detail: the own base's, not another's.
	st, body = f.call(t, http.MethodGet, fmt.Sprintf("/api/v1/admin/applications/%d", appsA[1].ID), reviewerA, nil)
	var d struct {
		Application review.Row
		Profile     recruit.Profile
		FormURL     string `json:"form_url"`
		Flags       []recruit.Flag
	}
	if st != http.StatusOK || json.Unmarshal(body, &d) != nil || d.Application.ID != appsA[1].ID || d.Profile.Basic == nil ||
		d.Profile.Basic.Phone != "13800001234" || len(d.Flags) != 1 || !strings.HasSuffix(d.FormURL, "/form") {
		t.Errorf("getApplication: %d %s", st, body)
	}
	st, body = f.call(t, http.MethodGet, fmt.Sprintf("/api/v1/admin/applications/%d", appsA[1].ID), adminB, nil)
	wantError(t, "another base's application", st, body, http.StatusNotFound, recruit.ENOTFOUND)
	st, body = f.call(t, http.MethodGet, "/api/v1/admin/applications/99999", adminA, nil)
	wantError(t, "a missing application", st, body, http.StatusNotFound, recruit.ENOTFOUND)

	// Bulk review: one bad row (another base's) and nothing is written.
	bulk := func(tok string, ids []int64, decision, remark string) (int, []byte) {
		return f.call(t, http.MethodPost, "/api/v1/admin/applications/review", tok, map[string]any{"ids": ids, "decision": decision, "remark": remark})
	}
	st, body = bulk(reviewerA, []int64{idsA[1], appsB[0].ID, idsA[2]}, review.DecisionApprove, "")
	wantError(t, "a batch with another base's row", st, body, http.StatusConflict, recruit.ECONFLICT)
	if !strings.Contains(string(body), fmt.Sprintf("报名 %d：%s", appsB[0].ID, recruit.MsgNoApplication)) {
		t.Errorf("the refusal does not name the failing row: %s", body)
	}
	st, body = bulk(reviewerA, []int64{idsA[0], idsA[1]}, review.DecisionApprove, "")
	wantError(t, "a batch with a provisionally admitted row", st, body, http.StatusConflict, recruit.ECONFLICT)
	for _, id := range idsA[1:] {
		if got, _ := f.store.GetApplicationByID(ctx, id); got.State != recruit.StatePending {
			t.Errorf("refused batches changed %d: %s", id, got.State)
		}
	}
	st, body = bulk(reviewerA, idsA[1:], review.DecisionReject, "")
	wantError(t, "a rejection without remark", st, body, http.StatusBadRequest, recruit.EINVALID)
	st, body = bulk(reviewerA, make([]int64, recruit.MaxBulkReview+1), review.DecisionApprove, "")
	wantError(t, "too many rows", st, body, http.StatusBadRequest, recruit.EINVALID)
	st, body = f.call(t, http.MethodPost, "/api/v1/admin/applications/review", reviewerA, `{"ids": [1], "decision": "approve", "x": 1}`)
	wantError(t, "an unknown field", st, body, http.StatusBadRequest, recruit.EINVALID)

	st, body = bulk(reviewerA, idsA[1:], review.DecisionReject, "学历证书扫描件不清晰")
	var out struct{ Reviewed int }
	if st != http.StatusOK || json.Unmarshal(body, &out) != nil || out.Reviewed != 2 {
		t.Fatalf("bulk review: %d %s", st, body)
	}
	for _, app := range appsA[1:] {
		ns, err := f.store.ListNotifications(ctx, app.IdentityID)
		if err != nil || len(ns) != 1 || ns[0].Kind != recruit.KindReviewFailed || !strings.Contains(ns[0].Body, "学历证书扫描件不清晰") {
			t.Errorf("notifications of %d: %+v, %v", app.ID, ns, err)
		}
	}
	entries, err := f.store.ListAudit(ctx, recruit.AuditFilter{StaffID: reviewer.ID, Action: review.ActionReview})
	if err != nil || len(entries) != 2 || entries[0].RequestID == "" || entries[0].BaseID != f.baseA {
		t.Errorf("audit of the batch: %+v, %v", entries, err)
	}

	// The export holds exactly the rows of the list with the same filter.
	filter := "state=rejected&sort=submitted_desc"
	listed, _, _ := f.list(t, adminA, filter)
	for _, c := range []struct {
		tok       string
		full      bool
		wantRows  []int64
		wantFirst string
	}{{adminA, true, listed, "E00000003"}, {reviewerA, false, listed, "E00***003"}} {
		status, header, raw := testhttp.Call(t, http.MethodGet, f.url+"/api/v1/admin/applications/export?"+filter, c.tok, nil)
		if status != http.StatusOK || header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
			!strings.Contains(header.Get("Content-Disposition"), `filename*=UTF-8''%E6%8A%A5%E5%90%8D`) ||
			!strings.Contains(header.Get("Content-Disposition"), `filename="applications-2025-`) {
			t.Fatalf("export: %d %v %.200s", status, header, raw)
		}
		x, err := excelize.OpenReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("the export does not open: %v", err)
		}
		rows, err := x.GetRows("报名名单")
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, r := range rows[1:] {
			id, _ := strconv.ParseInt(r[0], 10, 64)
			got = append(got, id)
		}
		if rows[0][0] != "报名编号" || rows[0][3] != recruit.FieldLabel("id_number") || !slices.Equal(got, c.wantRows) || rows[1][3] != c.wantFirst {
			t.Errorf("export (full IDs %v): header %v, ids %v, want %v; first ID %q", c.full, rows[0], got, c.wantRows, rows[1][3])
		}
		x.Close()
	}
	st, body = f.call(t, http.MethodGet, fmt.Sprintf("/api/v1/admin/applications/export?base=%d", f.baseA), adminB, nil)
	wantError(t, "another base's export", st, body, http.StatusNotFound, recruit.ENOTFOUND)
	if entries, err := f.store.ListAudit(ctx, recruit.AuditFilter{Action: review.ActionExport}); err != nil || len(entries) != 2 {
		t.Errorf("audit of the exports: %+v, %v", entries, err)
	}

	// An applicant's session reaches none of them.
	m := f.newMember(t, 9)
	for _, path := range []string{"/api/v1/admin/applications", "/api/v1/admin/applications/export", fmt.Sprintf("/api/v1/admin/applications/%d", idsA[1])} {
		resp, raw := f.api(t, m, http.MethodGet, path, nil)
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
			t.Errorf("an applicant on %s: %d %s", path, resp.StatusCode, raw)
		}
	}
}
