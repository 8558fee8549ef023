package handlers

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A generated form and a photo reach the database file (and its WAL) only
// sealed: neither the ID number printed in the PDF, nor the PDF's bytes as
// served, nor the JPEG's bytes are in it.
func TestFilesSealedInDatabaseFile(t *testing.T) {
	const number = "11010519491231002X"
	f, _ := newFormFixture(t, true)
	a := f.newFormApplicant(t, "openid-sealed", "欧阳明远", number, f.progA1)
	resp, body := f.post(t, "/form/generate", url.Values{csrfField: {a.csrf}}, a.cookie)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /form/generate: %d %.200s", resp.StatusCode, body)
	}
	resp, pdf := f.formGet(t, "/form", a)
	wantFormPDF(t, resp, pdf, "inline")
	photo := formTestJPEG(t)

	// newFixture's database lives in one of this test's temporary directories.
	var raw []byte
	root := filepath.Dir(t.TempDir())
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".db") || strings.HasSuffix(path, ".db-wal")) {
			return err
		}
		b, err := os.ReadFile(path)
		raw = append(raw, b...)
		return err
	})
	if err != nil || len(raw) == 0 {
		t.Fatalf("reading the database files under %s: %d bytes, %v", root, len(raw), err)
	}
	for what, needle := range map[string][]byte{
		"the ID number": []byte(number),
		"the PDF":       []byte(pdf[len(pdf)/2 : len(pdf)/2+64]),
		"the JPEG":      photo[len(photo)/2 : len(photo)/2+64],
	} {
		if bytes.Contains(raw, needle) {
			t.Errorf("%s is stored in clear in the database file", what)
		}
	}
}
