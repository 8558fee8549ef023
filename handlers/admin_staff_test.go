package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"zhupei/internal/testhttp"
	"zhupei/miniprogram"
	"zhupei/province"
	"zhupei/recruit"
)

// caller is how a test request authenticates: a bearer token, or a
// session cookie (the console's or an applicant's) with its CSRF token.
type caller struct {
	token        string
	cookie, name string
	csrf         string
}

// consoleCaller starts a console session for the official-account openid
// (as loginStatus does after the QR login) and returns it as a caller.
func (f *adminFixture) consoleCaller(t *testing.T, openID string) caller {
	t.Helper()
	cs := consoleSession{ID: randomToken(32), OpenID: openID, CSRF: randomToken(16), CreatedAt: f.clock.Now()}
	raw, _ := json.Marshal(cs)
	if err := f.store.SetKV(context.Background(), consoleKey(cs.ID), string(raw), consoleTTL, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return caller{cookie: cs.ID, name: consoleCookie, csrf: cs.CSRF}
}

// applicantCaller is a logged-in, bound applicant's session.
func (f *adminFixture) applicantCaller(t *testing.T, n int) caller {
	t.Helper()
	m := f.newMember(t, n)
	return caller{cookie: m.cookie, name: sessionCookie, csrf: m.token}
}

// callAs sends a JSON request (body as testhttp.Call takes it) as c over
// the listener, without following redirects.
func (f *adminFixture) callAs(t *testing.T, c caller, method, path string, body any) (int, http.Header, []byte) {
	t.Helper()
	return f.requestAs(t, c, method, path, "application/json", testhttp.Body(t, body))
}

// requestAs sends a request with body of contentType as c over the
// listener, without following redirects.
func (f *adminFixture) requestAs(t *testing.T, c caller, method, path, contentType string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: c.name, Value: c.cookie})
	}
	if c.csrf != "" {
		req.Header.Set(csrfHeader, c.csrf)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, raw
}

// noRedirect is a client that reports redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// bindOA binds an official-account openid to st, as redeeming on the
// console would for a new account.
func (f *adminFixture) bindOA(t *testing.T, st recruit.Staff, openID string) {
	t.Helper()
	if _, _, err := f.store.BindStaffChannel(context.Background(), st.ID, recruit.ChannelOA, openID); err != nil {
		t.Fatal(err)
	}
}

func TestAdminStaffOperations(t *testing.T) {
	f := newAdminFixture(t)
	ctx := context.Background()
	prov, provStaff := f.token(t, recruit.RoleProvince, 0)
	adminA, adminAStaff := f.token(t, recruit.RoleBaseAdmin, f.baseA)
	revA, revAStaff := f.token(t, recruit.RoleReviewer, f.baseA)
	adminB, _ := f.token(t, recruit.RoleBaseAdmin, f.baseB)

	// createInvitation within reach.
	for _, tc := range []struct {
		name, token string
		body        any
		status      int
	}{
		{"province invites a base admin", prov, map[string]any{"role": "base_admin", "base_id": f.baseB, "name": "李主任"}, http.StatusCreated},
		{"province invites a reviewer", prov, map[string]any{"role": "reviewer", "base_id": f.baseA}, http.StatusForbidden},
		{"base admin invites its reviewer", adminA, map[string]any{"role": "reviewer", "base_id": f.baseA, "ttl_hours": 24}, http.StatusCreated},
		{"base admin invites another base's reviewer", adminA, map[string]any{"role": "reviewer", "base_id": f.baseB}, http.StatusNotFound},
		{"reviewer invites", revA, map[string]any{"role": "reviewer", "base_id": f.baseA}, http.StatusForbidden},
		{"an unknown role", prov, map[string]any{"role": "boss"}, http.StatusBadRequest},
		{"an unknown field", prov, `{"role": "province", "base": 1}`, http.StatusBadRequest},
		{"a negative lifetime", prov, map[string]any{"role": "province", "ttl_hours": -1}, http.StatusBadRequest},
	} {
		st, body := f.call(t, http.MethodPost, "/api/v1/admin/invitations", tc.token, tc.body)
		if st != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, st, body, tc.status)
			continue
		}
		var inv invitationView
		if st == http.StatusCreated && (json.Unmarshal(body, &inv) != nil || len(inv.Code) != recruit.InviteLen || inv.Base == nil || inv.RoleLabel == "") {
			t.Errorf("%s: invitation %s", tc.name, body)
		}
	}

	// listStaff: the province sees all, a base admin its base, a reviewer nothing.
	var list struct{ Staff []staffView }
	if st, body := f.call(t, http.MethodGet, "/api/v1/admin/staff", adminA, nil); st != http.StatusOK || json.Unmarshal(body, &list) != nil || len(list.Staff) != 2 {
		t.Fatalf("base admin A lists: %d %s", st, body)
	}
	for _, s := range list.Staff {
		if s.BaseID != f.baseA || !s.MPBound || s.OABound {
			t.Errorf("base admin A sees %+v", s)
		}
	}
	if st, body := f.call(t, http.MethodGet, "/api/v1/admin/staff", prov, nil); st != http.StatusOK || json.Unmarshal(body, &list) != nil || len(list.Staff) != 4 ||
		strings.Contains(string(body), "openid") {
		t.Fatalf("the province lists: %d %s", st, body)
	}
	st, body := f.call(t, http.MethodGet, "/api/v1/admin/staff", revA, nil)
	wantError(t, "a reviewer lists", st, body, http.StatusForbidden, recruit.EFORBIDDEN)

	// disableStaff ends the mini-program token and the console session of
	// the account at once.
	f.bindOA(t, revAStaff, "oa-reviewer-a")
	console := f.consoleCaller(t, "oa-reviewer-a")
	if st, _, body := f.callAs(t, console, http.MethodGet, "/api/v1/admin/staff", nil); st != http.StatusForbidden {
		t.Fatalf("the reviewer's console session before: %d %s", st, body) // a reviewer may not list, but is authenticated
	}
	path := fmt.Sprintf("/api/v1/admin/staff/%d/disable", revAStaff.ID)
	st, body = f.call(t, http.MethodPost, path, adminB, map[string]string{})
	wantError(t, "another base's admin disables", st, body, http.StatusNotFound, recruit.ENOTFOUND)
	st, body = f.call(t, http.MethodPost, fmt.Sprintf("/api/v1/admin/staff/%d/disable", adminAStaff.ID), adminA, map[string]string{})
	wantError(t, "disabling oneself", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	st, body = f.call(t, http.MethodPost, path, adminA, map[string]string{"reason": "调离"})
	var out struct{ Staff staffView }
	if st != http.StatusOK || json.Unmarshal(body, &out) != nil || !out.Staff.Disabled || out.Staff.ID != revAStaff.ID {
		t.Fatalf("disable: %d %s", st, body)
	}
	st, body = f.call(t, http.MethodGet, "/api/v1/admin/staff", revA, nil)
	wantError(t, "the disabled reviewer's token", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	st, _, body = f.callAs(t, console, http.MethodGet, "/api/v1/admin/staff", nil)
	wantError(t, "the disabled reviewer's console session", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	if _, err := f.store.GetKV(ctx, consoleKey(console.cookie), f.clock.Now()); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("the disabled account's console session is still stored: %v", err)
	}
	if st, _, _ := f.callAs(t, console, http.MethodGet, "/admin", nil); st != http.StatusSeeOther {
		t.Errorf("the disabled reviewer's console page: %d, want the login", st)
	}

	// releaseBinding: province only; the seeded applicant 2 is detached.
	rel := map[string]string{"id_type": recruit.IDTypePassport, "id_number": "E00000002", "reason": "本人申诉，核实无误"}
	st, body = f.call(t, http.MethodPost, "/api/v1/admin/bindings/release", adminA, rel)
	wantError(t, "a base admin releases", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	st, body = f.call(t, http.MethodPost, "/api/v1/admin/bindings/release", prov, map[string]string{"id_type": recruit.IDTypePassport, "id_number": "E00000002"})
	wantError(t, "a release without reason", st, body, http.StatusBadRequest, recruit.EINVALID)
	st, body = f.call(t, http.MethodPost, "/api/v1/admin/bindings/release", prov, rel)
	var released struct {
		IdentityID int64 `json:"identity_id"`
		Detached   bool
	}
	if st != http.StatusOK || json.Unmarshal(body, &released) != nil || !released.Detached || released.IdentityID == 0 {
		t.Fatalf("release: %d %s", st, body)
	}
	if _, err := f.store.IdentityByOpenID(ctx, "openid-2"); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("the account still holds the number: %v", err)
	}

	for action, by := range map[string]recruit.Staff{province.ActionCreateInvitation: provStaff, province.ActionDisableStaff: adminAStaff, province.ActionReleaseBinding: provStaff} {
		es, err := f.store.ListAudit(ctx, recruit.AuditFilter{StaffID: by.ID, Action: action})
		if err != nil || len(es) != 1 || es[0].RequestID == "" {
			t.Errorf("audit of %s: %+v, %v", action, es, err)
		}
	}
}

// TestAdminAuthRefusesEndedSessions: expired, revoked (logged out) and
// disabled mini-program tokens and console sessions are refused by the
// admin API; a console session's writes need its CSRF token.
func TestAdminAuthRefusesEndedSessions(t *testing.T) {
	f := newAdminFixture(t)
	tok, st := f.token(t, recruit.RoleProvince, 0)
	f.bindOA(t, st, "oa-province")
	console := f.consoleCaller(t, "oa-province")
	loggedOut := f.consoleCaller(t, "oa-province")
	unbound := f.consoleCaller(t, "oa-nobody")
	list := "/api/v1/admin/staff"
	invite := map[string]string{"role": "province"}

	if st, _, body := f.callAs(t, console, http.MethodGet, list, nil); st != http.StatusOK {
		t.Fatalf("a live console session: %d %s", st, body)
	}
	st2, _, body := f.callAs(t, caller{cookie: console.cookie, name: consoleCookie}, http.MethodPost, "/api/v1/admin/invitations", invite)
	wantError(t, "a console write without CSRF token", st2, body, http.StatusForbidden, recruit.EFORBIDDEN)
	if st, _, body := f.callAs(t, console, http.MethodPost, "/api/v1/admin/invitations", invite); st != http.StatusCreated {
		t.Fatalf("a console write with its token: %d %s", st, body)
	}
	st2, _, body = f.callAs(t, unbound, http.MethodGet, list, nil)
	wantError(t, "a console session bound to no account", st2, body, http.StatusForbidden, recruit.EFORBIDDEN)

	// Revoked: logged out on the console, on the mini-program.
	if st, _, _ := f.callAs(t, loggedOut, http.MethodPost, "/admin/logout", nil); st != http.StatusSeeOther {
		t.Fatalf("console logout: %d", st)
	}
	st2, _, body = f.callAs(t, loggedOut, http.MethodGet, list, nil)
	wantError(t, "a logged-out console session", st2, body, http.StatusUnauthorized, recruit.EUNAUTHORIZED)
	other := f.tokenOf(t, st)
	if st, _ := f.call(t, http.MethodPost, "/api/v1/mp/logout", other, nil); st != http.StatusNoContent {
		t.Fatalf("mini-program logout: %d", st)
	}
	st2, body2 := f.call(t, http.MethodGet, list, other, nil)
	wantError(t, "a logged-out token", st2, body2, http.StatusUnauthorized, recruit.EUNAUTHORIZED)

	// Expired: the token after miniprogram.SessionTTL, the console after consoleTTL.
	f.clock.Add(miniprogram.SessionTTL + time.Second)
	st2, body2 = f.call(t, http.MethodGet, list, tok, nil)
	wantError(t, "an expired token", st2, body2, http.StatusUnauthorized, recruit.EUNAUTHORIZED)
	if st, _, body := f.callAs(t, console, http.MethodGet, list, nil); st != http.StatusOK {
		t.Fatalf("the console session within its 8 hours: %d %s", st, body)
	}
	f.clock.Add(consoleTTL)
	st2, _, body = f.callAs(t, console, http.MethodGet, list, nil)
	wantError(t, "an expired console session", st2, body, http.StatusUnauthorized, recruit.EUNAUTHORIZED)

	// Disabled: refused at once on both channels.
	tok = f.tokenOf(t, st)
	console = f.consoleCaller(t, "oa-province")
	if _, err := f.store.SetStaffDisabled(context.Background(), st.ID, true); err != nil {
		t.Fatal(err)
	}
	st2, body2 = f.call(t, http.MethodGet, list, tok, nil)
	wantError(t, "a disabled account's token", st2, body2, http.StatusForbidden, recruit.EFORBIDDEN)
	st2, _, body = f.callAs(t, console, http.MethodGet, list, nil)
	wantError(t, "a disabled account's console session", st2, body, http.StatusForbidden, recruit.EFORBIDDEN)
}
