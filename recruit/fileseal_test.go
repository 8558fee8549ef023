package recruit

import (
	"bytes"
	"testing"
)

func newFileSealer(t *testing.T, current string, retired ...string) *AESSealer {
	t.Helper()
	s, err := NewSealer("0123456789abcdef-test")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WithFileKeys(current, retired...); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealFileRoundTripAndBinding(t *testing.T) {
	s := newFileSealer(t, "")
	plain := []byte("%PDF-1.4 370102199001011234")
	a, err := s.SealFile("form-1", plain)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.SealFile("form-1", plain)
	if bytes.Equal(a, b) || bytes.Contains(a, plain[9:]) {
		t.Error("sealing must use a fresh nonce and hide the data")
	}
	if got, err := s.OpenFile("form-1", a); err != nil || !bytes.Equal(got, plain) {
		t.Errorf("OpenFile = %q, %v", got, err)
	}
	if _, err := s.OpenFile("form-2", a); err == nil {
		t.Error("data sealed for one file must not open as another")
	}
	tampered := bytes.Clone(a)
	tampered[len(tampered)-1] ^= 1
	if _, err := s.OpenFile("form-1", tampered); err == nil {
		t.Error("tampered data must not open")
	}
	if _, err := s.OpenFile("form-1", a[:10]); err == nil {
		t.Error("truncated data must not open")
	}
}

func TestFileKeyChange(t *testing.T) {
	old := newFileSealer(t, "the first file key!")
	sealed, err := old.SealFile("photo-1", []byte("jpeg"))
	if err != nil {
		t.Fatal(err)
	}
	next := newFileSealer(t, "the second file key", "the first file key!")
	resealed, changed, err := next.ResealFile("photo-1", sealed)
	if err != nil || !changed {
		t.Fatalf("ResealFile = %v, %v; want a change", changed, err)
	}
	if _, changed, err := next.ResealFile("photo-1", resealed); err != nil || changed {
		t.Errorf("ResealFile of current data = %v, %v; want no change", changed, err)
	}
	if got, err := next.OpenFile("photo-1", resealed); err != nil || string(got) != "jpeg" {
		t.Errorf("OpenFile after reseal = %q, %v", got, err)
	}
	if _, err := old.OpenFile("photo-1", resealed); err == nil {
		t.Error("the old keyring opens data of a key it does not have")
	}
	// Without the retired key the old data cannot be opened; the ID-number
	// secret's key (the default file key) stays in every keyring.
	if _, err := newFileSealer(t, "the second file key").OpenFile("photo-1", sealed); err == nil {
		t.Error("data of a key that is not configured opened")
	}
	dflt, _ := newFileSealer(t, "").SealFile("photo-2", []byte("x"))
	if got, err := next.OpenFile("photo-2", dflt); err != nil || string(got) != "x" {
		t.Errorf("data of the default key: %q, %v", got, err)
	}
	if err := next.WithFileKeys("short"); err == nil {
		t.Error("a short file key was accepted")
	}
	if err := next.WithFileKeys("the third file key", "short"); err == nil {
		t.Error("a short retired key was accepted")
	}
}

// Files stored before encryption are read as they are and sealed by a
// reseal.
func TestLegacyClearFile(t *testing.T) {
	s := newFileSealer(t, "")
	clear := []byte("\xff\xd8\xff\xe0 old photo")
	if got, err := s.OpenFile("photo-1", clear); err != nil || !bytes.Equal(got, clear) {
		t.Errorf("OpenFile of clear data = %q, %v", got, err)
	}
	sealed, changed, err := s.ResealFile("photo-1", clear)
	if err != nil || !changed || bytes.Contains(sealed, clear) {
		t.Errorf("ResealFile of clear data = changed %v, %v", changed, err)
	}
}
