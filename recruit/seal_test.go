package recruit

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestNewSealerRejectsShortSecret(t *testing.T) {
	if _, err := NewSealer("short"); err == nil {
		t.Fatal("a secret under 16 bytes must be refused")
	}
}

func TestSealRoundTrip(t *testing.T) {
	s, err := NewSealer("0123456789abcdef-test")
	if err != nil {
		t.Fatal(err)
	}
	const plain = "11010519491231002X"
	a, err := s.Seal(plain)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Seal(plain)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("two seals of one value must differ (random nonce)")
	}
	if strings.Contains(a, plain) {
		t.Fatal("the sealed value must not contain the plain text")
	}
	for _, sealed := range []string{a, b} {
		got, err := s.Open(sealed)
		if err != nil || got != plain {
			t.Fatalf("Open = %q, %v; want %q", got, err, plain)
		}
	}
	other, err := NewSealer("another-secret-of-16+")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open(a); err == nil {
		t.Fatal("a value sealed with another key must not open")
	}
}

func TestOpenDetectsTampering(t *testing.T) {
	s, err := NewSealer("0123456789abcdef-test")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal("370102199506151234")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		bad := append([]byte(nil), raw...)
		bad[i] ^= 0x01
		if _, err := s.Open(base64.RawStdEncoding.EncodeToString(bad)); err == nil {
			t.Fatalf("flipping a bit of byte %d must be detected", i)
		}
	}
	for _, bad := range []string{"", "not base64!", base64.RawStdEncoding.EncodeToString([]byte("short"))} {
		if _, err := s.Open(bad); err == nil {
			t.Errorf("Open(%q) must fail", bad)
		}
	}
}

func TestIndex(t *testing.T) {
	s, err := NewSealer("0123456789abcdef-test")
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewSealer("another-secret-of-16+")
	if err != nil {
		t.Fatal(err)
	}
	a := s.Index("11010519491231002X")
	if a != s.Index(" 11010519491231002x ") {
		t.Fatal("Index must ignore case and surrounding spaces")
	}
	if a == s.Index("110105194912310021") {
		t.Fatal("different numbers must index differently")
	}
	if a == other.Index("11010519491231002X") {
		t.Fatal("different keys must index differently")
	}
	if _, err := hex.DecodeString(a); err != nil || len(a) != 64 {
		t.Fatalf("index %q: want 64 hex characters", a)
	}
}
