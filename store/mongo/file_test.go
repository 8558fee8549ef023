package mongo

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"zhupei/recruit"
)

// blobCounts returns the number of GridFS files and chunks stored.
func blobCounts(t *testing.T, db *DB) (files, chunks int64) {
	t.Helper()
	ctx := context.Background()
	files, err := db.col(blobBucket+".files").CountDocuments(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	chunks, err = db.col(blobBucket+".chunks").CountDocuments(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	return files, chunks
}

func wantFile(t *testing.T, db *DB, want recruit.File) {
	t.Helper()
	got, err := db.GetFile(context.Background(), want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.OwnerID != want.OwnerID || got.Kind != want.Kind || got.ContentType != want.ContentType ||
		got.Size != int64(len(want.Data)) || !got.CreatedAt.Equal(want.CreatedAt) || !bytes.Equal(got.Data, want.Data) {
		t.Errorf("GetFile(%s) = %s %d %s %s size %d at %v (%d bytes), want owner %d %s %s size %d at %v",
			want.ID, got.ID, got.OwnerID, got.Kind, got.ContentType, got.Size, got.CreatedAt, len(got.Data),
			want.OwnerID, want.Kind, want.ContentType, len(want.Data), want.CreatedAt)
	}
}

func TestFileReplaceAndDelete(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		first := recruit.File{ID: "photo-7", OwnerID: 7, Kind: "photo", ContentType: "image/jpeg", Data: bytes.Repeat([]byte{0xff, 0xd8}, 300<<10), CreatedAt: t0}
		if err := db.PutFile(ctx, first); err != nil {
			t.Fatal(err)
		}
		wantFile(t, db, first)
		files, chunks := blobCounts(t, db)
		if files != 1 || chunks < 2 {
			t.Errorf("after one 600 KB upload: %d GridFS files, %d chunks", files, chunks)
		}

		second := recruit.File{ID: "photo-7", OwnerID: 7, Kind: "photo", ContentType: "image/png", Data: []byte("\x89PNG small"), CreatedAt: t0.AddDate(0, 0, 1)}
		if err := db.PutFile(ctx, second); err != nil {
			t.Fatal(err)
		}
		wantFile(t, db, second)
		if files, chunks := blobCounts(t, db); files != 1 || chunks != 1 {
			t.Errorf("after replacing with a one-chunk file: %d GridFS files, %d chunks; the old data is orphaned", files, chunks)
		}

		other := recruit.File{ID: "scan-7", OwnerID: 7, Kind: "qual_scan", ContentType: "application/pdf", Data: []byte("%PDF-1.4"), CreatedAt: t0}
		if err := db.PutFile(ctx, other); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteFile(ctx, "photo-7"); err != nil {
			t.Fatal(err)
		}
		_, err := db.GetFile(ctx, "photo-7")
		wantErrCode(t, "GetFile after DeleteFile", err, recruit.ENOTFOUND)
		if files, chunks := blobCounts(t, db); files != 1 || chunks != 1 {
			t.Errorf("after deleting one of two files: %d GridFS files, %d chunks", files, chunks)
		}
		wantFile(t, db, other)
		if err := db.DeleteFile(ctx, "photo-7"); err != nil {
			t.Errorf("deleting an absent file: %v", err)
		}
		wantErrCode(t, "PutFile without id", db.PutFile(ctx, recruit.File{Data: []byte("x")}), recruit.EINVALID)
	})
}

func TestConcurrentFileReplaces(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		const n = 4
		errs := concurrently(n, func(i int) error {
			return db.PutFile(ctx, recruit.File{ID: "form-1", OwnerID: 1, Kind: "form", Data: bytes.Repeat([]byte{byte('a' + i)}, 1000), CreatedAt: t0})
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("concurrent PutFile %d: %v", i, err)
			}
		}
		got, err := db.GetFile(ctx, "form-1")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Data) != 1000 || !bytes.Equal(got.Data, bytes.Repeat(got.Data[:1], 1000)) {
			t.Errorf("file mixes several writers' data")
		}
		if files, _ := blobCounts(t, db); files != 1 {
			t.Errorf("%d GridFS files after %d concurrent replaces of one file, want 1", files, n)
		}
	})
}

func TestBigFileRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		data := make([]byte, 9<<20+12345)
		_, _ = rand.Read(data)
		f := recruit.File{ID: "photo-big", OwnerID: 3, Kind: "photo", ContentType: "image/jpeg", Data: data, CreatedAt: t0}
		if err := db.PutFile(context.Background(), f); err != nil {
			t.Fatal(err)
		}
		wantFile(t, db, f)
	})
}
