package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"zhupei/internal/testhttp"
	"zhupei/recruit"
)

// The admin authorization sweep walks every operation the OpenAPI file
// documents under /admin (so an operation added there is swept without
// touching this file) and every console route the router has under /admin:
// an anonymous client and an applicant's session are refused (401/403, or
// for a console page the way to the console's login), and for an operation
// on one base's object (a path parameter) a base admin of another base, by
// token and by console session, gets 404 as for a nonexistent object. An
// operation the sweep cannot build a request for fails the test with its
// name: give it a JSON (or multipart) example body, an example for each
// required query parameter, and its path parameters a meaning in
// sweepParams.

// sweepObjects are base A's objects the sweep names in paths.
type sweepObjects struct {
	base        int64
	application int64 // a pending application
	staff       int64 // a reviewer
	program     int64
}

// nowhere names objects that do not exist: another base's admin must get
// for base A's objects what it gets for these (404, or 403 for an
// operation its role may not call at all), so nothing tells them apart.
var nowhere = sweepObjects{base: 990001, application: 990001, staff: 990001, program: 990001}

// sweepParams gives a path parameter its value: by name, or for {id} by
// the path segment before it (the kind of object).
func sweepParams(o sweepObjects, path, name string) (string, bool) {
	switch name {
	case "baseID":
		return fmt.Sprint(o.base), true
	case "round":
		return string(recruit.PhaseRound1), true
	case "act": // the console's admission actions
		return "provisional", true
	case "form": // the console's dates forms
		return "notice", true
	case "id":
		before, _, _ := strings.Cut(path, "{id}")
		segs := strings.Split(strings.Trim(before, "/"), "/")
		switch segs[len(segs)-1] {
		case "applications", "queue", "admission":
			return fmt.Sprint(o.application), true
		case "staff":
			return fmt.Sprint(o.staff), true
		case "programs", "plans":
			return fmt.Sprint(o.program), true
		}
	}
	return "", false
}

var specParamRe = regexp.MustCompile(`\{(\w+)\}`)

// sweepRequest is one built request of an operation.
type sweepRequest struct {
	path        string // with the query
	body        []byte
	contentType string
	scoped      bool // names an object of base A
}

// buildRequest returns the request of op at path, or why it cannot.
func buildRequest(op testhttp.Operation, o sweepObjects, path string) (sweepRequest, string) {
	r := sweepRequest{contentType: "application/json"}
	var missing []string
	r.path = specParamRe.ReplaceAllStringFunc(path, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := sweepParams(o, path, name)
		if !ok {
			missing = append(missing, "path parameter "+name)
		}
		r.scoped = r.scoped || (name != "act" && name != "form") // those two name a form, not an object
		return v
	})
	var query []string
	for _, p := range op.Parameters {
		if p.In == "query" && p.Required {
			if p.Example == nil {
				missing = append(missing, "an example of the required query parameter "+p.Name)
				continue
			}
			query = append(query, fmt.Sprintf("%s=%v", p.Name, p.Example))
		}
	}
	if len(query) > 0 {
		r.path += "?" + strings.Join(query, "&")
	}
	if op.RequestBody != nil {
		if c, ok := op.RequestBody.Content["application/json"]; ok && c.Example != nil {
			r.body, _ = json.Marshal(c.Example)
		} else if c, ok := op.RequestBody.Content["multipart/form-data"]; ok && c.Example != nil {
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			fields, _ := c.Example.(map[string]any)
			for k, v := range fields {
				_ = w.WriteField(k, fmt.Sprint(v))
			}
			_ = w.Close()
			r.body, r.contentType = buf.Bytes(), w.FormDataContentType()
		} else {
			missing = append(missing, "an example request body (application/json or multipart/form-data)")
		}
	}
	return r, strings.Join(missing, ", ")
}

// sameAsAbsent sends r and absent (the same call on objects that do not
// exist) as c and reports whether r was refused as absent was: 404, or 403
// for both.
func (f *adminFixture) sameAsAbsent(t *testing.T, c caller, method string, r, absent sweepRequest) (int, []byte, bool) {
	t.Helper()
	st, _, body := f.send(t, c, method, r)
	if st == http.StatusNotFound {
		return st, body, true
	}
	stAbsent, _, _ := f.send(t, c, method, absent)
	return st, body, st == http.StatusForbidden && stAbsent == st
}

// send sends r as c with method.
func (f *adminFixture) send(t *testing.T, c caller, method string, r sweepRequest) (int, http.Header, []byte) {
	t.Helper()
	return f.requestAs(t, c, method, r.path, r.contentType, bytes.NewReader(r.body))
}

func TestAdminAuthorizationSweep(t *testing.T) {
	f := newAdminFixture(t)
	ctx := context.Background()
	_, reviewerA := f.token(t, recruit.RoleReviewer, f.baseA)
	adminBToken, adminB := f.token(t, recruit.RoleBaseAdmin, f.baseB)
	f.bindOA(t, adminB, "oa-admin-b")
	app := f.pendingApp(t, f.progA1)
	objects := sweepObjects{base: f.baseA, application: app.ID, staff: reviewerA.ID, program: f.progA1}
	anonymous := caller{}
	applicant := f.applicantCaller(t, 11)
	otherBase := map[string]caller{"token": {token: adminBToken}, "console": f.consoleCaller(t, "oa-admin-b")}

	var cannot, names []string
	swept := 0
	for path, ops := range testhttp.Spec(t) {
		if !strings.HasPrefix(path, "/admin/") {
			continue
		}
		for m, op := range ops {
			method := strings.ToUpper(m)
			names = append(names, op.OperationID)
			r, why := buildRequest(op, objects, path)
			if why != "" {
				cannot = append(cannot, fmt.Sprintf("%s (%s %s): needs %s", op.OperationID, method, path, why))
				continue
			}
			r.path = "/api/v1" + r.path
			swept++
			if st, _, body := f.send(t, anonymous, method, r); st != http.StatusUnauthorized {
				t.Errorf("%s anonymous: %d %.200s, want 401", op.OperationID, st, body)
			}
			if st, _, body := f.send(t, applicant, method, r); st != http.StatusUnauthorized && st != http.StatusForbidden {
				t.Errorf("%s as an applicant: %d %.200s, want 401 or 403", op.OperationID, st, body)
			}
			if !r.scoped {
				continue
			}
			absent, _ := buildRequest(op, nowhere, path)
			absent.path = "/api/v1" + absent.path
			for how, c := range otherBase {
				if st, body, ok := f.sameAsAbsent(t, c, method, r, absent); !ok {
					t.Errorf("%s by another base's admin (%s): %d %.200s, want 404 (or 403 as for a nonexistent object)", op.OperationID, how, st, body)
				}
			}
		}
	}
	sort.Strings(cannot)
	if len(cannot) > 0 {
		t.Errorf("the sweep cannot build a request for %d admin operations:\n%s", len(cannot), strings.Join(cannot, "\n"))
	}
	for _, must := range []string{"reviewApplication", "setBaseDates", "createInvitation", "listStaff", "disableStaff", "releaseBinding"} {
		if !strings.Contains(" "+strings.Join(names, " ")+" ", " "+must+" ") {
			t.Errorf("the OpenAPI file has no operation %s under /admin", must)
		}
	}
	if swept == 0 {
		t.Fatal("no admin operation swept")
	}

	// The console's routes, from the router: an applicant's session and an
	// anonymous client are sent to the console's login (pages) or refused
	// (forms); another base's admin gets 404 for base A's objects.
	consoleRoutes := 0
	for _, rt := range f.app.GetRoutes(true) {
		if rt.Method == http.MethodHead || !strings.HasPrefix(rt.Path, "/admin") || rt.Path == "/admin/login" || rt.Path == "/admin/logout" {
			continue
		}
		consoleRoutes++
		path := regexp.MustCompile(`:(\w+)`).ReplaceAllString(rt.Path, "{$1}")
		r, why := buildRequest(testhttp.Operation{}, objects, path)
		if why != "" {
			t.Errorf("console route %s %s: the sweep needs %s", rt.Method, rt.Path, why)
			continue
		}
		r.contentType = "application/x-www-form-urlencoded"
		for how, c := range map[string]caller{"anonymous": anonymous, "an applicant": applicant} {
			st, h, body := f.send(t, c, rt.Method, r)
			login := st == http.StatusSeeOther && strings.HasPrefix(h.Get("Location"), consoleLoginURL)
			if !login && st != http.StatusUnauthorized {
				t.Errorf("console %s %s as %s: %d (location %q) %.200s, want the console login or 401", rt.Method, r.path, how, st, h.Get("Location"), body)
			}
		}
		if r.scoped {
			absent, _ := buildRequest(testhttp.Operation{}, nowhere, path)
			absent.contentType = r.contentType
			if st, body, ok := f.sameAsAbsent(t, otherBase["console"], rt.Method, r, absent); !ok {
				t.Errorf("console %s %s by another base's admin: %d %.200s, want 404 (or 403 as for a nonexistent object)", rt.Method, r.path, st, body)
			}
		}
	}
	if consoleRoutes == 0 {
		t.Fatal("no console route swept: is the console registered?")
	}

	// Nothing was done: no audit entry, the application still pending,
	// the reviewer still enabled.
	if es, err := f.store.ListAudit(ctx, recruit.AuditFilter{}); err != nil || len(es) != 0 {
		t.Errorf("refused calls wrote %d audit entries (%v): %+v", len(es), err, es)
	}
	if got, _ := f.store.GetApplicationByID(ctx, app.ID); got.State != recruit.StatePending {
		t.Errorf("refused calls changed the application: %+v", got)
	}
	if st, _ := f.store.GetStaff(ctx, reviewerA.ID); st.Disabled {
		t.Error("refused calls disabled the reviewer")
	}
}
