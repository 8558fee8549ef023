package mongo

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"zhupei/recruit"
	"zhupei/store/storetest"
)

// TestStore runs the contract suite shared with every backend.
func TestStore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		storetest.Run(t, storetest.Backend{
			Open: func(t *testing.T) recruit.Store { return srv.fresh(t, storetest.Sealer()) },
			SkewCounts: func(t *testing.T, s recruit.Store, programID int64, d recruit.Counts) {
				if _, err := s.(*DB).col(colPrograms).UpdateOne(context.Background(), bson.M{"_id": programID},
					bson.M{"$inc": bson.M{"registered": d.Registered, "admitted": d.Admitted, "free": -d.Admitted, "final": d.Final}}); err != nil {
					t.Fatal(err)
				}
			},
			Raw: func(t *testing.T, s recruit.Store) []byte {
				var chunks []struct {
					Data []byte `bson:"data"`
				}
				if err := s.(*DB).findAll(context.Background(), blobBucket+".chunks", bson.M{}, &chunks); err != nil {
					t.Fatal(err)
				}
				var raw []byte
				for _, c := range chunks {
					raw = append(raw, c.Data...)
				}
				return raw
			},
			Reopen: func(t *testing.T, s recruit.Store, sealer recruit.Sealer) recruit.Store {
				// Through the same client: a second client's Open failed on
				// FerretDB with "socket was unexpectedly closed".
				d := *s.(*DB)
				d.sealer = sealer
				return sharedClient{&d}
			},
			// FerretDB scans a collection for every point read, so 500
			// applicants take minutes to set up; a real MongoDB runs all.
			LargeBatch: srv.largeBatch,
		})
	})
}

// TestSecondOpen opens a database a store has set up already, as a second
// instance or a restart does: the existing indexes are accepted.
func TestSecondOpen(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		first := srv.open(t)
		second, err := Open(context.Background(), srv.uri, first.db.Name(), storetest.Sealer(), srv.opts...)
		if err != nil {
			t.Fatalf("second Open: %v", err)
		}
		defer second.Close()
		if err := second.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

// sharedClient is a second DB on the client of another: closing it leaves
// the client connected.
type sharedClient struct{ *DB }

func (sharedClient) Close() error { return nil }

// TestTimeoutIsUnavailable: a store call that runs out of time (here a
// deadline already past, as when every pooled connection is busy under
// overload) is EUNAVAILABLE, answered 503 with Retry-After, not a 500.
func TestTimeoutIsUnavailable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		d := srv.open(t)
		ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		defer cancel()
		_, err := d.GetIdentity(ctx, 1)
		if got := recruit.ErrorCode(err); got != recruit.EUNAVAILABLE {
			t.Fatalf("GetIdentity past its deadline: code %q (%v), want %q", got, err, recruit.EUNAVAILABLE)
		}
	})
}
