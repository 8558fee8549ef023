package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"zhupei/recruit"
)

// testSealer returns the service's sealer with a fixed test key.
func testSealer(t *testing.T) recruit.Sealer {
	t.Helper()
	s, err := recruit.NewSealer("store-package-test-key")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// openTemp opens a SQLite store in a fresh directory through Open.
func openTemp(t *testing.T) recruit.Store {
	t.Helper()
	st, err := Open(context.Background(), Config{DataDir: filepath.Join(t.TempDir(), "data")}, testSealer(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestOpenSQLiteCreatesDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	st, err := Open(context.Background(), Config{DataDir: dir, MongoDatabase: "zhupei"}, testSealer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, DBFile)); err != nil {
		t.Errorf("database file not created: %v", err)
	}
}

func TestOpenUnwritableDataDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Open(context.Background(), Config{DataDir: filepath.Join(file, "data")}, testSealer(t))
	if err == nil {
		st.Close()
		t.Fatal("Open under a regular file succeeded")
	}
	if st != nil {
		t.Errorf("store = %v, want nil on error", st)
	}
}
