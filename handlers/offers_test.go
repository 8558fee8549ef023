package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"zhupei/recruit"
)

// offeredApplicant gives seeded applicant n (2 or 3, pending at 甲医院 内科)
// an open offer and a session; it returns the application, the session
// cookie and its CSRF token.
func (f *fixture) offeredApplicant(t *testing.T, n int64) (recruit.Application, string, string) {
	t.Helper()
	ctx := context.Background()
	app, err := f.store.GetApplication(ctx, testYear, n)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Review(ctx, app.ID, recruit.StateApproved, "", testNow, nil); err != nil {
		t.Fatal(err)
	}
	if app, err = f.store.MakeOffer(ctx, app.ID, testNow.Add(72*time.Hour), testNow, nil); err != nil {
		t.Fatal(err)
	}
	id, err := f.store.GetIdentity(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	cookie, token := f.login(t, id.OpenID, n)
	return app, cookie, token
}

// getAs GETs target with the session cookie.
func (f *fixture) getAs(t *testing.T, target, cookie string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	return f.send(t, req)
}

// The result page shows the open offer with its deadline, a confirmation
// dialog per answer, takes the answer (CSRF-checked) and then shows it;
// answering again is refused on the page itself.
func TestResultPageAnswersOffer(t *testing.T) {
	f := newFixture(t, true)
	app, cookie, token := f.offeredApplicant(t, 2)

	_, body := f.getAs(t, "/result", cookie)
	wantContains(t, "result with an open offer", body, `data-offer-state="open"`, "2025年07月08日 10:00", `id="offer-accept"`, `id="offer-decline"`)
	wantMissing(t, "result without answer", body, `id="offer-dialog"`)
	_, body = f.getAs(t, "/result?answer=accept", cookie)
	wantContains(t, "accept dialog", body, `id="offer-dialog"`, "确认接受甲医院 内科的拟录取？", "志愿即锁定", `value="accept"`)
	_, body = f.getAs(t, "/result?answer=decline", cookie)
	wantContains(t, "decline dialog", body, "确认放弃甲医院 内科的拟录取？", "名额立即释放", `value="decline"`)

	if resp, _ := f.post(t, "/result/offer", url.Values{"answer": {"accept"}}, cookie); resp.StatusCode != http.StatusForbidden {
		t.Errorf("answer without the CSRF token: %d, want 403", resp.StatusCode)
	}
	if resp, body := f.post(t, "/result/offer", url.Values{"answer": {"maybe"}, csrfField: {token}}, cookie); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, "请选择确认接受或放弃") {
		t.Errorf("a bad answer: %d %.300s", resp.StatusCode, body)
	}
	resp, _ := f.post(t, "/result/offer", url.Values{"answer": {"accept"}, csrfField: {token}}, cookie)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/result?answered=accept" {
		t.Fatalf("accept: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = f.getAs(t, "/result?answered=accept", cookie)
	wantContains(t, "result after accepting", body, `data-offer-state="accepted"`, "已接受", "您已确认接受拟录取，志愿已锁定")
	wantMissing(t, "result after accepting", body, `id="offer-accept"`, `id="resubmit-choice"`, `id="edit-profile"`)
	_, body = f.getAs(t, "/result?answer=decline", cookie)
	wantMissing(t, "decline dialog after accepting", body, `id="offer-dialog"`)

	resp, body = f.post(t, "/result/offer", url.Values{"answer": {"decline"}, csrfField: {token}}, cookie)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "确认接受拟录取，不能再更改") || !strings.Contains(body, `id="offer-problem"`) {
		t.Errorf("declining after accepting: %d %.500s", resp.StatusCode, body)
	}
	if got, err := f.store.GetApplicationByID(context.Background(), app.ID); err != nil || got.OfferState != recruit.OfferAccepted || got.State != recruit.StateProvisional {
		t.Errorf("stored %+v, %v", got, err)
	}
}

// answerOffer: a JSON answer with the CSRF header; declining gives the seat
// back and the application JSON carries the offer's fields.
func TestAPIAnswerOffer(t *testing.T) {
	f := newFixture(t, true)
	app, cookie, token := f.offeredApplicant(t, 3)
	call := func(body, csrf string) (*http.Response, string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/me/offer", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(csrfHeader, csrf)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		return f.send(t, req)
	}
	if resp, _ := call(`{"accept":false}`, "wrong"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("wrong CSRF token: %d", resp.StatusCode)
	}
	for _, bad := range []string{`{}`, `{"accept":"yes"}`, `not json`} {
		if resp, body := call(bad, token); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "确认接受") {
			t.Errorf("body %s: %d %s", bad, resp.StatusCode, body)
		}
	}
	before, err := f.store.GetProgram(context.Background(), app.ProgramID)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := call(`{"accept":false}`, token)
	var out struct {
		Application map[string]any `json:"application"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil ||
		out.Application["offer_state"] != "declined" || out.Application["state"] != "approved" || out.Application["offer_deadline"] == nil {
		t.Fatalf("decline: %d %s", resp.StatusCode, body)
	}
	after, err := f.store.GetProgram(context.Background(), app.ProgramID)
	if err != nil || after.Admitted != before.Admitted-1 {
		t.Errorf("admitted %d → %d (%v), want one seat back", before.Admitted, after.Admitted, err)
	}
	if resp, body := call(`{"accept":true}`, token); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "当前没有待确认的拟录取") {
		t.Errorf("accepting a declined offer: %d %s", resp.StatusCode, body)
	}
}

// With acceptance off (the seeded year), a provisional admission has no
// offer: the result page shows none and the API refuses an answer.
func TestNoOfferWithAcceptanceOff(t *testing.T) {
	f := newFixture(t, true)
	cookie, token := f.login(t, "openid-1", 1)
	_, body := f.getAs(t, "/result", cookie)
	wantContains(t, "result of the seed's provisional admission", body, "拟录取")
	wantMissing(t, "result of the seed's provisional admission", body, `id="offer"`)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/me/offer", strings.NewReader(`{"accept":true}`))
	req.Header.Set(csrfHeader, token)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	if resp, body := f.send(t, req); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "当前没有待确认的拟录取") {
		t.Errorf("answer without an offer: %d %s", resp.StatusCode, body)
	}
}

// voidOffer: the province voids an accepted offer with a reason; a base
// admin may not, a missing reason is a 400.
func TestAdminVoidOffer(t *testing.T) {
	f := newAdminFixture(t)
	ctx := context.Background()
	app, _, _ := f.offeredApplicant(t, 2)
	if _, err := f.store.MoveOffer(ctx, app.ID, recruit.OfferAccepted, "", testNow, nil); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/admin/applications/" + strconv.FormatInt(app.ID, 10) + "/offer/void"
	admin, _ := f.token(t, recruit.RoleBaseAdmin, f.baseA)
	st, body := f.call(t, http.MethodPost, path, admin, map[string]string{"reason": "争议"})
	wantError(t, "a base admin", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	prov, _ := f.token(t, recruit.RoleProvince, 0)
	st, body = f.call(t, http.MethodPost, path, prov, map[string]string{"reason": ""})
	wantError(t, "no reason", st, body, http.StatusBadRequest, recruit.EINVALID)
	st, body = f.call(t, http.MethodPost, path, prov, map[string]any{"reason": "争议", "extra": 1})
	wantError(t, "an unknown field", st, body, http.StatusBadRequest, recruit.EINVALID)
	st, body = f.call(t, http.MethodPost, path, prov, map[string]string{"reason": "经核实存在争议"})
	var out struct {
		Application recruit.Application `json:"application"`
	}
	if st != http.StatusOK || json.Unmarshal(body, &out) != nil || out.Application.OfferState != recruit.OfferVoided || out.Application.OfferReason != "经核实存在争议" {
		t.Fatalf("void: %d %s", st, body)
	}
	st, body = f.call(t, http.MethodPost, path, prov, map[string]string{"reason": "再次"})
	wantError(t, "voiding twice", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
}
