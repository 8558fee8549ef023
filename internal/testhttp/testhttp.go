// Package testhttp sends the JSON requests of the tests that talk to a
// served API over a real connection, and reads the OpenAPI file those tests
// check the routes against.
package testhttp

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"zhupei/web"
)

// Call sends method url with an optional bearer token and JSON body (a
// string is sent as it is, nil sends none) and returns the answer's status,
// header and body.
func Call(t testing.TB, method, url, token string, body any) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, Body(t, body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return Send(t, req, token)
}

// Send sends req with an optional bearer token and returns the answer's
// status, header and body.
func Send(t testing.TB, req *http.Request, token string) (int, http.Header, []byte) {
	t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, raw
}

// Body is a request body of Call's body: a string as it is, nil none,
// anything else as JSON.
func Body(t testing.TB, body any) io.Reader {
	t.Helper()
	switch b := body.(type) {
	case nil:
		return http.NoBody
	case string:
		return strings.NewReader(b)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(raw)
}

// Operation is what the tests check of one operation of the OpenAPI file:
// its id, security, parameters and the examples of its request body by
// content type.
type Operation struct {
	OperationID string                `yaml:"operationId"`
	Security    []map[string][]string `yaml:"security"`
	Parameters  []struct {
		Name     string `yaml:"name"`
		In       string `yaml:"in"`
		Required bool   `yaml:"required"`
		Example  any    `yaml:"example"`
	} `yaml:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Example any `yaml:"example"`
		} `yaml:"content"`
	} `yaml:"requestBody"`
}

// Bearer reports whether the operation is secured by the bearer token only.
func (o Operation) Bearer() bool { return len(o.Security) == 1 && o.Security[0]["bearer"] != nil }

// Staff reports whether the operation is secured as the admin API is: the
// mini-program's bearer token, or the console's session with its CSRF
// token.
func (o Operation) Staff() bool {
	return len(o.Security) == 2 && len(o.Security[0]) == 1 && o.Security[0]["bearer"] != nil &&
		len(o.Security[1]) == 2 && o.Security[1]["console"] != nil && o.Security[1]["csrf"] != nil
}

// Spec returns the operations of the served OpenAPI file (web/static/
// openapi.yaml) by path (relative to /api/v1) and lower-case method.
func Spec(t testing.TB) map[string]map[string]Operation {
	t.Helper()
	raw, err := fs.ReadFile(web.Static(), "openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]Operation `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	return spec.Paths
}
