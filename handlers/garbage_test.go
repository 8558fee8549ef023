package handlers

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"zhupei/wechat"
)

// rawClient sends requests over the fixture's real listener (garbage such
// as a broken multipart body must reach the server as it is) and does not
// follow redirects.
var rawClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// garbage are path parameter and query values no client should send.
var garbage = []string{
	"abc", "-1", "0", "1.5", "99999999999999999999999", "%00", "<script>alert(1)</script>",
	strings.Repeat("9", 300), "../../etc/passwd", "null", "' OR 1=1 --", "\u202e", "%E4%B8",
}

// Every GET route, with garbage in each path parameter and in the usual
// query parameters, anonymous and logged in: a clear 4xx (or a page), never
// a 500.
func TestGarbageNeverAnswers500(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	m := f.newMember(t, 1)
	seen := map[string]bool{}
	for _, r := range f.app.GetRoutes(true) {
		if r.Method != http.MethodGet || seen[r.Path] || strings.HasPrefix(r.Path, "/sandbox") {
			continue
		}
		seen[r.Path] = true
		for _, g := range garbage {
			path := r.Path
			for _, p := range r.Params {
				path = strings.Replace(path, ":"+p, url.PathEscape(g), 1)
			}
			path = strings.ReplaceAll(path, "*", url.PathEscape(g))
			q := url.Values{}
			for _, k := range []string{"base", "specialty", "next", "t", "ticket", "code", "state", "by", "program", "v"} {
				q.Set(k, g)
			}
			target := f.base + path + "?" + q.Encode()
			for _, cookie := range []string{"", m.cookie} {
				req, err := http.NewRequest(http.MethodGet, target, nil)
				if err != nil {
					t.Fatal(err)
				}
				if cookie != "" {
					req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
				}
				resp, err := rawClient.Do(req)
				if err != nil {
					t.Fatalf("GET %s: %v", target, err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode >= 500 && resp.StatusCode != http.StatusBadGateway {
					t.Errorf("GET %s (logged in: %v): %d %.200s", r.Path, cookie != "", resp.StatusCode, body)
				}
			}
		}
	}
	if len(seen) < 20 {
		t.Fatalf("only %d GET routes were tried", len(seen))
	}
}

// Every POST, PUT and DELETE route, logged in with a valid CSRF token and
// garbage in every usual field: refused with a 4xx, never a 500.
func TestGarbageFormsNeverAnswer500(t *testing.T) {
	f := newWeChatFixture(t, wechat.ModeSandbox, nil)
	m := f.newMember(t, 2)
	fields := []string{"version", "app_version", "program_id", "base_id", "accepts_adjustment", "name", "id_type", "id_number",
		"gender", "birth_date", "phone", "email", "qq", "personnel_type", "has_employer", "work_start", "work_years",
		"employer_code", "level", "start_date", "graduation_date", "passed_exam", "exam_date", "invite", "code", "t", "next"}
	seen := 0
	for _, r := range f.app.GetRoutes(true) {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodDelete:
		default:
			continue
		}
		if strings.HasPrefix(r.Path, "/sandbox") || r.Path == "/logout" {
			continue
		}
		seen++
		for _, g := range garbage {
			path := r.Path
			for _, p := range r.Params {
				path = strings.Replace(path, ":"+p, url.PathEscape(g), 1)
			}
			form := url.Values{csrfField: {m.token}}
			for _, k := range fields {
				form.Set(k, g)
			}
			jsonGarbage, _ := json.Marshal(map[string]any{"version": g, "data": map[string]any{"name": g, "level": []string{g}}, "program_id": g})
			for _, b := range []struct{ contentType, body string }{
				{"application/x-www-form-urlencoded", form.Encode()},
				{"application/json", string(jsonGarbage)},
				{"application/json", "{{" + g},
				{"multipart/form-data; boundary=x", "--x\r\n" + g},
			} {
				req, err := http.NewRequest(r.Method, f.base+path, strings.NewReader(b.body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", b.contentType)
				req.Header.Set(csrfHeader, m.token)
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: m.cookie})
				resp, err := rawClient.Do(req)
				if err != nil {
					t.Fatalf("%s %s: %v", r.Method, path, err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode >= 500 && resp.StatusCode != http.StatusBadGateway {
					t.Errorf("%s %s (%s) with %q: %d %.200s", r.Method, r.Path, b.contentType, g, resp.StatusCode, body)
				}
			}
		}
	}
	if seen < 10 {
		t.Fatalf("only %d write routes were tried", seen)
	}
}
