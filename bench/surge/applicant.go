package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"zhupei/recruit"
)

// authorizePath is the sandbox's OAuth authorization page.
const authorizePath = "/connect/oauth2/authorize"

// applicant is one simulated person: a browser of their own (cookie jar)
// logged in through WeChat OAuth and bound to a real name.
type applicant struct {
	index  int
	base   string // scheme://host the session cookie belongs to
	client *http.Client
	csrf   string
	// appVersion and program are the application as last acknowledged by
	// the server (0, 0 before the first choice).
	appVersion int
	program    int64
}

// newBrowser is an HTTP client with its own cookies on the shared
// transport. It does not follow the redirect to the sandbox authorization
// page: that page lists every test user (it grows with the run), so the
// applicant posts the form it shows instead of loading it.
func newBrowser(tr http.RoundTripper) *http.Client {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &http.Client{
		Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if strings.HasSuffix(req.URL.Path, authorizePath) || len(via) >= 10 {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
}

// statusError is a response other than the one a step expects.
type statusError struct {
	step   string
	status int
	body   string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s: HTTP %d: %.300s", e.step, e.status, e.body)
}

// expect reads resp and fails unless its status is want.
func expect(step string, resp *http.Response, err error, want int) ([]byte, error) {
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step, err)
	}
	if resp.StatusCode != want {
		// Only JSON error bodies are shown: a page may echo the form,
		// personal data included.
		msg := ""
		if bytes.HasPrefix(body, []byte("{")) {
			msg = string(body)
		}
		return nil, &statusError{step: step, status: resp.StatusCode, body: msg}
	}
	return body, nil
}

// csrfRe finds the CSRF token in a page's forms.
var csrfRe = regexp.MustCompile(`name="_csrf" value="([0-9a-f]+)"`)

// register takes applicant a through everything before the choice, as a
// phone in WeChat does: OAuth login with a new sandbox user, real-name
// binding, the four profile sections and the photo.
func (a *applicant) register(server string, seed int64, photo []byte) error {
	if err := a.login(server); err != nil {
		return err
	}
	id := idNumber(seed, a.index)
	if err := a.bind(id); err != nil {
		return err
	}
	basic, err := basicSection(a.index, id)
	if err != nil {
		return err
	}
	version, err := a.putBasic(basic, photo)
	if err != nil {
		return err
	}
	for _, s := range []struct {
		path string
		data any
	}{
		{"/api/v1/me/profile/work", workSection},
		{"/api/v1/me/education/new", educationSection},
		{"/api/v1/me/profile/certificates", certificatesSection},
	} {
		if version, err = a.putSection(s.path, version, s.data); err != nil {
			return err
		}
	}
	return nil
}

// login opens the WeChat H5 entry of the binding page, creates a test user
// on the sandbox authorization page and lands on /bind with a session.
func (a *applicant) login(server string) error {
	resp, err := a.client.Get(server + "/wechat/oauth/start?next=/bind")
	if _, err := expect("oauth start", resp, err, http.StatusFound); err != nil {
		return err
	}
	auth, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasSuffix(auth.Path, authorizePath) {
		return fmt.Errorf("oauth start: redirected to %q, not the sandbox authorization page", resp.Header.Get("Location"))
	}
	// The authorization page's "new test user" form: its hidden fields
	// are the query of the request, plus the nickname.
	form := url.Values{}
	for _, k := range []string{"appid", "redirect_uri", "response_type", "scope", "state"} {
		form.Set(k, auth.Query().Get(k))
	}
	form.Set("nickname", fmt.Sprintf("压测用户%d", a.index))
	form.Set("follow", "1")
	target := *auth
	target.RawQuery, target.Fragment = "", ""
	resp, err = a.client.PostForm(target.String(), form)
	page, err := expect("oauth authorize", resp, err, http.StatusOK)
	if err != nil {
		return err
	}
	if resp.Request.URL.Path != "/bind" {
		return fmt.Errorf("oauth authorize: landed on %s, want /bind", resp.Request.URL.Path)
	}
	m := csrfRe.FindSubmatch(page)
	if m == nil {
		return errors.New("oauth authorize: no CSRF token on the binding page")
	}
	a.base = resp.Request.URL.Scheme + "://" + resp.Request.URL.Host
	a.csrf = string(m[1])
	return nil
}

// bind submits the real-name binding form.
func (a *applicant) bind(id string) error {
	form := url.Values{"_csrf": {a.csrf}, "next": {""}, "name": {personName(a.index)},
		"id_type": {recruit.IDTypeResident}, "id_number": {id}}
	resp, err := a.client.PostForm(a.base+"/bind", form)
	page, err := expect("bind", resp, err, http.StatusOK)
	if err != nil {
		return err
	}
	if !bytes.Contains(page, []byte(`id="bound-name"`)) {
		return errors.New("bind: the page does not show the binding")
	}
	return nil
}

// profileVersion is the part of a profile response the tool reads.
type profileVersion struct {
	Version int `json:"version"`
}

// send makes an API request with the CSRF header and decodes a 200 answer.
func (a *applicant) send(step, method, path, contentType string, body []byte, out any) error {
	req, err := http.NewRequest(method, a.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-CSRF-Token", a.csrf)
	req.Header.Set("Accept", "application/json")
	resp, err := a.client.Do(req)
	raw, err := expect(step, resp, err, http.StatusOK)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	return nil
}

// putBasic saves 基本信息 with the photo (multipart) and returns the new
// profile version.
func (a *applicant) putBasic(b recruit.Basic, photo []byte) (int, error) {
	data, err := json.Marshal(b)
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("version", "0") // writes to a bytes.Buffer cannot fail
	_ = w.WriteField("data", string(data))
	fw, _ := w.CreateFormFile("photo_id", "photo.jpg")
	_, _ = fw.Write(photo)
	_ = w.Close()
	var out profileVersion
	err = a.send("basic", http.MethodPut, "/api/v1/me/profile/basic", w.FormDataContentType(), buf.Bytes(), &out)
	return out.Version, err
}

// putSection saves a section in JSON and returns the new profile version.
func (a *applicant) putSection(path string, version int, data any) (int, error) {
	body, err := json.Marshal(map[string]any{"version": version, "data": data})
	if err != nil {
		return 0, err
	}
	var out profileVersion
	err = a.send(path, http.MethodPut, path, "application/json", body, &out)
	return out.Version, err
}

// choose submits (or changes) the choice and reports the HTTP status (0
// for a transport error) and, for an error answer, its code.
func (a *applicant) choose(program int64, adjust bool) (status int, code string) {
	body, _ := json.Marshal(map[string]any{"program_id": program, "accepts_adjustment": adjust, "app_version": a.appVersion})
	req, err := http.NewRequest(http.MethodPost, a.base+"/api/v1/me/choice", bytes.NewReader(body))
	if err != nil {
		return 0, "request"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", a.csrf)
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, "transport"
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "transport"
	}
	var out struct {
		Application *recruit.Application `json:"application"`
		Error       *struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	decodeErr := json.Unmarshal(raw, &out)
	switch {
	case resp.StatusCode == http.StatusOK && decodeErr == nil && out.Application != nil:
		a.appVersion, a.program = out.Application.Version, out.Application.ProgramID
		return resp.StatusCode, ""
	case out.Error != nil:
		return resp.StatusCode, out.Error.Code
	case resp.StatusCode == http.StatusOK:
		return resp.StatusCode, "bad answer"
	}
	return resp.StatusCode, strconv.Itoa(resp.StatusCode)
}

// mine is the applicant's own view: GET /api/v1/me/profile.
type mine struct {
	Application *recruit.Application `json:"application"`
}

// fetch reads the applicant's profile and application as the server has them.
func (a *applicant) fetch() (mine, error) {
	var m mine
	resp, err := a.client.Get(a.base + "/api/v1/me/profile")
	raw, err := expect("profile", resp, err, http.StatusOK)
	if err == nil {
		err = json.Unmarshal(raw, &m)
	}
	return m, err
}

// resync reloads the application after a failed choice, as a person
// reloads the page, so that the next choice carries the current version.
func (a *applicant) resync() error {
	m, err := a.fetch()
	if err != nil {
		return err
	}
	a.appVersion, a.program = 0, 0
	if m.Application != nil {
		a.appVersion = m.Application.Version
		if m.Application.State.Active() {
			a.program = m.Application.ProgramID
		}
	}
	return nil
}
