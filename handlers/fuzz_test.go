package handlers

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// fuzzTargets are the routes whose decoders FuzzSectionForms feeds: the
// four sections and the choice, as pages (urlencoded or multipart forms)
// and as the JSON API.
var fuzzTargets = []struct{ method, path string }{
	{http.MethodPost, "/apply/basic"},
	{http.MethodPost, "/apply/work"},
	{http.MethodPost, "/apply/education/new"},
	{http.MethodPost, "/apply/certificates"},
	{http.MethodPost, "/apply/choice"},
	{http.MethodPut, "/api/v1/me/profile/basic"},
	{http.MethodPut, "/api/v1/me/profile/work"},
	{http.MethodPut, "/api/v1/me/education/new"},
	{http.MethodPut, "/api/v1/me/profile/certificates"},
	{http.MethodPost, "/api/v1/me/choice"},
}

// fuzzBoundary is the multipart boundary of the fuzzed multipart bodies.
const fuzzBoundary = "zhupeifuzzboundary"

// FuzzSectionForms posts arbitrary bodies (urlencoded, multipart or JSON)
// to the section and choice decoders of a signed-in applicant: the answer
// is never a server error.
func FuzzSectionForms(f *testing.F) {
	fx := newFixture(f, true)
	m := fx.newMember(f, 51)
	multipartOf := func(v url.Values) []byte {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		_ = w.SetBoundary(fuzzBoundary)
		for k, vs := range v {
			for _, s := range vs {
				_ = w.WriteField(k, s)
			}
		}
		fw, _ := w.CreateFormFile("photo", "p.jpg")
		_, _ = fw.Write([]byte("\xff\xd8\xff\xe0 not really a jpeg"))
		_ = w.Close()
		return b.Bytes()
	}
	forms := []url.Values{basicForm(), workForm(0), educationForm(0), certificatesForm(0),
		{"program_id": {fmt.Sprint(fx.progA1)}, "accepts_adjustment": {"是"}, "app_version": {"0"}}}
	for i, v := range forms {
		f.Add(uint8(i), uint8(0), []byte(v.Encode()))
		f.Add(uint8(i), uint8(1), multipartOf(v))
	}
	f.Add(uint8(9), uint8(2), []byte(`{"program_id": 1, "accepts_adjustment": true, "app_version": 0}`))
	f.Add(uint8(5), uint8(2), []byte(`{"name": "张三", "birth_date": "1990-13-45", "version": -1}`))
	f.Add(uint8(2), uint8(1), []byte("--"+fuzzBoundary+"\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n"))
	f.Fuzz(func(t *testing.T, target, encoding uint8, body []byte) {
		tg := fuzzTargets[int(target)%len(fuzzTargets)]
		req := httptest.NewRequest(tg.method, tg.path, bytes.NewReader(body))
		switch encoding % 3 {
		case 0:
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		case 1:
			req.Header.Set("Content-Type", "multipart/form-data; boundary="+fuzzBoundary)
		default:
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set(csrfHeader, m.token)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: m.cookie})
		resp, err := fx.app.Test(req, -1)
		if err != nil {
			// fasthttp refused to read the request (a malformed multipart
			// body, which it parses before routing); a real connection gets
			// its 400, app.Test only the error.
			return
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s with %q → %d", tg.method, tg.path, body, resp.StatusCode)
		}
	})
}
