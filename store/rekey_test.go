package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"zhupei/recruit"
)

// A rekey interrupted after its first page and run again reseals every
// file exactly once; a third run changes nothing.
func TestRekeyResumes(t *testing.T) {
	const n = 2*rekeyPage + 17
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	open := func(fileKey string) recruit.Store {
		s, err := recruit.NewSealer("store-package-test-key")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.WithFileKeys(fileKey); err != nil {
			t.Fatal(err)
		}
		st, err := Open(ctx, Config{DataDir: dir}, s)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	old := open("")
	for i := range n {
		f := recruit.File{ID: fmt.Sprintf("f%04d", i), OwnerID: 1, Kind: "qual_scan", ContentType: "image/png", Data: []byte{byte(i)}}
		if err := old.PutFile(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	st := open("store-package-new-file-key")

	interrupted, cancel := context.WithCancel(ctx)
	_, first, err := Rekey(interrupted, st, func(checked, changed int) { cancel() })
	if err == nil || first != rekeyPage {
		t.Fatalf("interrupted Rekey changed %d, %v; want %d and an error", first, err, rekeyPage)
	}
	checked, rest, err := Rekey(ctx, st, nil)
	if err != nil || checked != n || rest != n-first {
		t.Errorf("resumed Rekey = %d checked, %d changed, %v; want %d, %d", checked, rest, err, n, n-first)
	}
	if checked, changed, err := Rekey(ctx, st, nil); err != nil || checked != n || changed != 0 {
		t.Errorf("Rekey again = %d checked, %d changed, %v; want %d, 0", checked, changed, err, n)
	}
	for i := range n {
		f, err := st.GetFile(ctx, fmt.Sprintf("f%04d", i))
		if err != nil || len(f.Data) != 1 || f.Data[0] != byte(i) {
			t.Fatalf("file %d after Rekey: %v %v", i, f.Data, err)
		}
	}
}
