package storetest

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"zhupei/internal/testimg"
	"zhupei/recruit"
)

// SealerWithFileKey returns the suite's Sealer with current as its file key
// and retired as older ones.
func SealerWithFileKey(t testing.TB, current string, retired ...string) recruit.Sealer {
	t.Helper()
	s, err := recruit.NewSealer(sealerKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WithFileKeys(current, retired...); err != nil {
		t.Fatal(err)
	}
	return s
}

// testSealedFiles stores a photo and a form printing an ID number and finds
// neither in what the backend keeps; reseals every file with a new key
// through a store opened with it, once (a second pass changes nothing);
// after that only the new keyring opens the files.
func testSealedFiles(t *testing.T, s recruit.Store, b Backend) {
	const number = "370102199001011234"
	ctx := context.Background()
	photo := testimg.Photo(t)
	form := []byte("%PDF-1.4\n1 0 obj << >> stream\nBT (证件编号 " + number + ") Tj ET\nendstream\n%%EOF\n")
	files := map[string][]byte{"photo-9": photo, "form-9": form}
	for id, data := range files {
		must(t, "PutFile", s.PutFile(ctx, recruit.File{ID: id, OwnerID: 9, Kind: "photo", ContentType: "application/octet-stream", Data: data, CreatedAt: t0}))
	}
	wantNoPlain := func(when string, raw []byte) {
		t.Helper()
		if len(raw) == 0 {
			t.Fatalf("%s: the backend keeps no bytes", when)
		}
		if bytes.Contains(raw, []byte(number)) {
			t.Errorf("%s: the ID number printed in the form is stored in clear", when)
		}
		if bytes.Contains(raw, photo[len(photo)/2:len(photo)/2+64]) {
			t.Errorf("%s: the photo's JPEG bytes are stored in clear", when)
		}
	}
	wantFiles := func(when string, st recruit.Store) {
		t.Helper()
		for id, data := range files {
			f, err := st.GetFile(ctx, id)
			if err != nil || !bytes.Equal(f.Data, data) || f.Size != int64(len(data)) {
				t.Errorf("%s: GetFile(%s) = %d bytes (size %d), %v; want the %d bytes stored", when, id, len(f.Data), f.Size, err, len(data))
			}
		}
	}
	wantNoPlain("after PutFile", b.Raw(t, s))
	wantFiles("after PutFile", s)

	// More files than one page of a walk.
	for i := range 5 {
		must(t, "PutFile", s.PutFile(ctx, recruit.File{ID: fmt.Sprintf("scan-%d", i), OwnerID: 9, Kind: "qual_scan", ContentType: "image/png", Data: []byte{byte(i)}, CreatedAt: t0}))
	}
	ids, err := s.FileIDs(ctx, "", 3)
	must(t, "FileIDs", err)
	more, err := s.FileIDs(ctx, ids[len(ids)-1], 100)
	must(t, "FileIDs after", err)
	if got := fmt.Sprint(append(ids, more...)); got != "[form-9 photo-9 scan-0 scan-1 scan-2 scan-3 scan-4]" {
		t.Errorf("FileIDs walk = %s", got)
	}

	const newKey = "storetest file key, the second"
	rekeyed := b.Reopen(t, s, SealerWithFileKey(t, newKey))
	t.Cleanup(func() { must(t, "Close", rekeyed.Close()) })
	wantFiles("opened with a new current key", rekeyed)
	for _, pass := range []bool{true, false} {
		for _, id := range append(ids, more...) {
			changed, err := rekeyed.ResealFile(ctx, id)
			must(t, "ResealFile", err)
			if changed != pass {
				t.Errorf("ResealFile(%s) = %v in the pass where it should be %v", id, changed, pass)
			}
		}
	}
	_, err = rekeyed.ResealFile(ctx, "absent")
	wantErr(t, "ResealFile of a missing file", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoFile))
	wantFiles("after resealing", rekeyed)
	wantNoPlain("after resealing", b.Raw(t, s))
	// The files now need the new key: a keyring of another key fails.
	other := b.Reopen(t, s, SealerWithFileKey(t, "storetest file key, unrelated"))
	t.Cleanup(func() { must(t, "Close", other.Close()) })
	_, err = other.GetFile(ctx, "photo-9")
	wantCode(t, "GetFile without the key that sealed it", err, recruit.EINTERNAL)
}
