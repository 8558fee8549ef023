// Package sim drives the service over HTTP as applicants' browsers and the
// sandbox WeChat do: OAuth login with a new sandbox user, real-name binding,
// the four profile sections with a photo, and the choice. The load tools in
// bench/ and the process-level tests in e2e use it; it makes generated,
// valid personal data (ID numbers, names, sections) for any number of
// applicants.
package sim

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

// Applicant is one simulated person: a browser of their own (cookie jar)
// logged in through WeChat OAuth and bound to a real name. Set Index and
// Client (NewBrowser) before Register.
type Applicant struct {
	Index int
	// Base is the scheme://host the requests after Login go to: the one
	// Login landed on, or another instance of the service.
	Base   string
	Client *http.Client
	csrf   string
	// AppVersion and Program are the application as last acknowledged by
	// the server (0, 0 before the first choice), AppID its id.
	AppVersion int
	Program    int64
	AppID      int64
	// ProfileVersion is the profile version the last section write
	// acknowledged.
	ProfileVersion int
}

// NewBrowser is an HTTP client with its own cookies on the shared
// transport. It does not follow the redirect to the sandbox authorization
// page: that page lists every test user (it grows with the run), so the
// Applicant posts the form it shows instead of loading it.
func NewBrowser(tr http.RoundTripper) *http.Client {
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

// StatusError is a response other than the one a step expects.
type StatusError struct {
	Step   string
	Status int
	Body   string // a JSON error body; empty for a page
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: HTTP %d: %.300s", e.Step, e.Status, e.Body)
}

// Expect reads resp and fails unless its status is want.
func Expect(step string, resp *http.Response, err error, want int) ([]byte, error) {
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
		return nil, &StatusError{Step: step, Status: resp.StatusCode, Body: msg}
	}
	return body, nil
}

// csrfRe finds the CSRF token in a page's forms.
var csrfRe = regexp.MustCompile(`name="_csrf" value="([0-9a-f]+)"`)

// Register takes a through everything before the choice, as a
// phone in WeChat does: OAuth login with a new sandbox user, real-name
// binding, the four profile sections and the photo.
func (a *Applicant) Register(server string, seed int64, photo []byte) error {
	if err := a.Login(server); err != nil {
		return err
	}
	id := IDNumber(seed, a.Index)
	if err := a.Bind(id); err != nil {
		return err
	}
	basic, err := BasicSection(a.Index, id)
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
		{"/api/v1/me/profile/work", WorkSection},
		{"/api/v1/me/education/new", EducationSection},
		{"/api/v1/me/profile/certificates", CertificatesSection},
	} {
		if version, err = a.putSection(s.path, version, s.data); err != nil {
			return err
		}
	}
	a.ProfileVersion = version
	return nil
}

// Login opens the WeChat H5 entry of the binding page, creates a test user
// on the sandbox authorization page and lands on /bind with a session.
func (a *Applicant) Login(server string) error {
	resp, err := a.Client.Get(server + "/wechat/oauth/start?next=/bind")
	if _, err := Expect("oauth start", resp, err, http.StatusFound); err != nil {
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
	form.Set("nickname", fmt.Sprintf("压测用户%d", a.Index))
	form.Set("follow", "1")
	target := *auth
	target.RawQuery, target.Fragment = "", ""
	resp, err = a.Client.PostForm(target.String(), form)
	page, err := Expect("oauth authorize", resp, err, http.StatusOK)
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
	a.Base = resp.Request.URL.Scheme + "://" + resp.Request.URL.Host
	a.csrf = string(m[1])
	return nil
}

// Bind submits the real-name binding form.
func (a *Applicant) Bind(id string) error {
	form := url.Values{"_csrf": {a.csrf}, "next": {""}, "name": {PersonName(a.Index)},
		"id_type": {recruit.IDTypeResident}, "id_number": {id}}
	resp, err := a.Client.PostForm(a.Base+"/bind", form)
	page, err := Expect("bind", resp, err, http.StatusOK)
	if err != nil {
		return err
	}
	if !bytes.Contains(page, []byte(`id="bound-name"`)) {
		return errors.New("bind: the page does not show the binding")
	}
	return nil
}

// profileVersion is the part of a profile response Register reads.
type profileVersion struct {
	Version int `json:"version"`
}

// send makes an API request with the CSRF header and decodes a 200 answer.
func (a *Applicant) send(step, method, path, contentType string, body []byte, out any) error {
	req, err := http.NewRequest(method, a.Base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-CSRF-Token", a.csrf)
	req.Header.Set("Accept", "application/json")
	resp, err := a.Client.Do(req)
	raw, err := Expect(step, resp, err, http.StatusOK)
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
func (a *Applicant) putBasic(b recruit.Basic, photo []byte) (int, error) {
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
func (a *Applicant) putSection(path string, version int, data any) (int, error) {
	body, err := json.Marshal(map[string]any{"version": version, "data": data})
	if err != nil {
		return 0, err
	}
	var out profileVersion
	err = a.send(path, http.MethodPut, path, "application/json", body, &out)
	return out.Version, err
}

// Choose submits (or changes) the choice and reports the HTTP status (0
// for a transport error) and, for an error answer, its code.
func (a *Applicant) Choose(program int64, adjust bool) (status int, code string) {
	body, _ := json.Marshal(map[string]any{"program_id": program, "accepts_adjustment": adjust, "app_version": a.AppVersion})
	req, err := http.NewRequest(http.MethodPost, a.Base+"/api/v1/me/choice", bytes.NewReader(body))
	if err != nil {
		return 0, "request"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", a.csrf)
	resp, err := a.Client.Do(req)
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
		a.AppVersion, a.Program, a.AppID = out.Application.Version, out.Application.ProgramID, out.Application.ID
		return resp.StatusCode, ""
	case out.Error != nil:
		return resp.StatusCode, out.Error.Code
	case resp.StatusCode == http.StatusOK:
		return resp.StatusCode, "bad answer"
	}
	return resp.StatusCode, strconv.Itoa(resp.StatusCode)
}

// Mine is the applicant's own view: GET /api/v1/me/profile.
type Mine struct {
	Version     int                  `json:"version"` // the profile's
	Application *recruit.Application `json:"application"`
}

// Fetch reads the applicant's profile and application as the server has them.
func (a *Applicant) Fetch() (Mine, error) {
	var m Mine
	resp, err := a.Client.Get(a.Base + "/api/v1/me/profile")
	raw, err := Expect("profile", resp, err, http.StatusOK)
	if err == nil {
		err = json.Unmarshal(raw, &m)
	}
	return m, err
}

// Resync reloads the application after a failed choice, as a person
// reloads the page, so that the next choice carries the current version.
func (a *Applicant) Resync() error {
	m, err := a.Fetch()
	if err != nil {
		return err
	}
	a.AppVersion, a.Program = 0, 0
	if m.Application != nil {
		a.AppVersion = m.Application.Version
		if m.Application.State.Active() {
			a.Program = m.Application.ProgramID
		}
	}
	return nil
}
