package mongo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
	"zhupei/store/mongo/ferret"
)

// mongoURIEnv names a real MongoDB to test against in addition to FerretDB.
const mongoURIEnv = "ZHUPEI_TEST_MONGO_URI"

// backend is one server under test. fresh opens a store on a new database
// with the given sealer and drops that database when the test ends (through
// a separate client, so the store itself may already be closed).
type backend struct {
	uri   string
	opts  []*options.ClientOptions
	admin *mongo.Client
	// largeBatch is the suite's LargeBatch (0: all 500).
	largeBatch int
}

func (b backend) fresh(t *testing.T, sealer recruit.Sealer) *DB {
	t.Helper()
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "zhupei_test_" + hex.EncodeToString(suffix)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := Open(ctx, b.uri, name, sealer, b.opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.admin.Database(name).Drop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return db
}

// open is fresh with the package tests' sealer, closing the store at the end.
func (b backend) open(t *testing.T) *DB {
	t.Helper()
	db := b.fresh(t, testSealer(t))
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// forEachBackend runs test against an in-process FerretDB (SQLite handler,
// pool of one connection: FerretDB loses concurrent read-modify-writes on one
// document otherwise), always, and against the real MongoDB named by
// ZHUPEI_TEST_MONGO_URI; without it that leg says so and is skipped, the
// one skip of these tests.
func forEachBackend(t *testing.T, test func(t *testing.T, b backend)) {
	t.Run("ferretdb", func(t *testing.T) {
		b := newBackend(t, ferret.Start(t), options.Client().SetMaxPoolSize(1))
		b.largeBatch = 40
		test(t, b)
	})
	t.Run("mongodb", func(t *testing.T) {
		uri := os.Getenv(mongoURIEnv)
		if uri == "" {
			t.Logf("%s is not set: there is no real MongoDB to run against (the FerretDB leg ran)", mongoURIEnv)
			t.Skipf("real-MongoDB leg skipped: set %s to run it", mongoURIEnv)
		}
		test(t, newBackend(t, uri))
	})
}

func newBackend(t *testing.T, uri string, opts ...*options.ClientOptions) backend {
	t.Helper()
	admin, err := mongo.Connect(context.Background(), options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := admin.Disconnect(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return backend{uri: uri, opts: opts, admin: admin}
}

func testSealer(t *testing.T) recruit.Sealer {
	t.Helper()
	s, err := recruit.NewSealer("mongo-store-test-secret")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// t0 is the tests' fixed "now", in the service's time zone.
var t0 = time.Date(2025, time.July, 2, 9, 30, 0, 0, recruit.Shanghai)

// concurrently runs f(0) … f(n-1) at once and returns their errors by index.
func concurrently(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = f(i) })
	}
	wg.Wait()
	return errs
}

func wantErrCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := recruit.ErrorCode(err); got != code {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}
