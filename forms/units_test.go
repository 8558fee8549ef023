package forms

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"zhupei/recruit"
)

// codeShape is what a printed verification code looks like: no 0/O, 1/I.
var codeShape = regexp.MustCompile(`^[2-9A-HJ-NP-Z]{10}$`)

func TestCacheBounded(t *testing.T) {
	fc := cache{entries: map[int64]Form{}}
	for id := int64(1); id <= cacheSize+10; id++ {
		fc.put(Form{Record: recruit.FormRecord{ApplicationID: id, Version: 2}})
	}
	if len(fc.entries) != cacheSize {
		t.Errorf("%d entries, want at most %d", len(fc.entries), cacheSize)
	}
	newest := recruit.Application{ID: cacheSize + 10, Version: 2}
	if _, ok := fc.get(newest); !ok {
		t.Error("the newest entry was evicted")
	}
	newest.Version = 3
	if _, ok := fc.get(newest); ok {
		t.Error("an entry of an older version served for version 3")
	}
}

func TestRandomCode(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		c := randomCode()
		if !validCode(c) || !codeShape.MatchString(c) {
			t.Fatalf("bad code %q", c)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice", c)
		}
		seen[c] = true
	}
}

// attrChars matches an RFC 5987 value: attr-char or %XX.
var attrChars = regexp.MustCompile("^([A-Za-z0-9!#$&+.^_`|~-]|%[0-9A-F]{2})*$")

func TestDisposition(t *testing.T) {
	for _, name := range []string{"张三", "欧阳 明远", `a"b;c%d`} {
		got := Form{Record: recruit.FormRecord{Version: 3}, Name: name}.Disposition("attachment")
		prefix := `attachment; filename="form-v3.pdf"; filename*=UTF-8''`
		if !strings.HasPrefix(got, prefix) {
			t.Fatalf("%q: %s", name, got)
		}
		enc := strings.TrimPrefix(got, prefix)
		if !attrChars.MatchString(enc) {
			t.Errorf("%q: value %q has characters outside RFC 5987 attr-char", name, enc)
		}
		if dec, err := url.PathUnescape(enc); err != nil || dec != "报名表-"+name+"-v3.pdf" {
			t.Errorf("%q: filename* decodes to %q (%v)", name, dec, err)
		}
	}
}
