package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"zhupei/recruit"
	"zhupei/store"
)

// `zhupei rekey` reseals the files sealed with the default file key after
// security.file_key is set, once; the files then open with the new keyring
// only; a short key is a configuration error.
func TestRekeyCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	dataDir := filepath.Join(t.TempDir(), "data")
	const newKey = "a brand-new file key for rekey"
	ctx := context.Background()
	openWith := func(fileKey string) recruit.Store {
		t.Helper()
		s, err := recruit.NewSealer(devIDKey)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.WithFileKeys(fileKey); err != nil {
			t.Fatal(err)
		}
		st, err := store.Open(ctx, store.Config{DataDir: dataDir}, s)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := openWith("")
	for _, id := range []string{"photo-1", "form-1"} {
		if err := st.PutFile(ctx, recruit.File{ID: id, OwnerID: 1, Kind: "photo", ContentType: "image/jpeg", Data: []byte(id)}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	environ := map[string]string{"ZHUPEI_DATA_DIR": dataDir, "ZHUPEI_LOG_LEVEL": "error", "ZHUPEI_SECURITY_FILE_KEY": newKey}
	for _, want := range []string{"已检查 2 个文件，用当前文件密钥重新加密了 2 个", "已检查 2 个文件，用当前文件密钥重新加密了 0 个"} {
		code, stdout, stderr := cli(t, environ, "rekey")
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("rekey: exit %d, stdout %q, stderr %q; want %q", code, stdout, stderr, want)
		}
	}
	code, _, stderr := cli(t, map[string]string{"ZHUPEI_DATA_DIR": dataDir, "ZHUPEI_SECURITY_FILE_KEY": "short"}, "rekey")
	if code != 1 || !strings.Contains(stderr, "security.file_key") {
		t.Errorf("rekey with a short key: exit %d, stderr %q", code, stderr)
	}

	st = openWith(newKey)
	defer st.Close()
	if f, err := st.GetFile(ctx, "photo-1"); err != nil || string(f.Data) != "photo-1" {
		t.Errorf("photo after rekey: %q, %v", f.Data, err)
	}
	// Resealed: a keyring with neither key cannot open it any more, though
	// it holds the ID-number secret's default key.
	other := openWith("an unrelated key, not the new one")
	defer other.Close()
	if _, err := other.GetFile(ctx, "photo-1"); recruit.ErrorCode(err) != recruit.EINTERNAL {
		t.Errorf("photo opened without the key that sealed it: %v", err)
	}
}
