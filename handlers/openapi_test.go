package handlers

import (
	"net/http"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The OpenAPI file declares the schemes its operations use; every /me
// operation names its security and documents 401 (no session) and, where
// it reads a body or a parameter, 400; a nullable schema has a type.
func TestAPISpecSecurityAndNullable(t *testing.T) {
	f := newFixture(t, false)
	resp, body := f.do(t, http.MethodGet, "/api/v1/openapi.yaml")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("spec: %d", resp.StatusCode)
	}
	var spec struct {
		Paths      map[string]map[string]map[string]any `yaml:"paths"`
		Components struct {
			SecuritySchemes map[string]any `yaml:"securitySchemes"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal([]byte(body), &spec); err != nil {
		t.Fatal(err)
	}
	for path, ops := range spec.Paths {
		for method, op := range ops {
			sec, _ := op["security"].([]any)
			for _, req := range sec {
				for name := range req.(map[string]any) {
					if _, ok := spec.Components.SecuritySchemes[name]; !ok {
						t.Errorf("%s %s uses the undeclared security scheme %q", method, path, name)
					}
				}
			}
			if !strings.HasPrefix(path, "/me/") {
				continue
			}
			if len(sec) == 0 {
				t.Errorf("%s %s declares no security", method, path)
			}
			responses, _ := op["responses"].(map[string]any)
			want := []string{"401"}
			if method != "get" {
				want = append(want, "400")
			}
			for _, code := range want {
				if _, ok := responses[code]; !ok {
					t.Errorf("%s %s does not document %s", method, path, code)
				}
			}
		}
	}
	var doc any
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["nullable"] == true && v["type"] == nil {
				t.Errorf("%s is nullable without a type", at)
			}
			for k, c := range v {
				walk(at+"."+k, c)
			}
		case []any:
			for _, c := range v {
				walk(at+"[]", c)
			}
		}
	}
	walk("", doc)
}
