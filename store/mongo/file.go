package mongo

import (
	"bytes"
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/gridfs"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

// blobBucket names the GridFS bucket (collections blobs.files, blobs.chunks)
// holding the data of files.
const blobBucket = "blobs"

// fileDoc describes a file and points at its data: a GridFS file with a
// fresh id (Blob) per version. Replacing a file uploads the new data first,
// swaps the pointer with one atomic FindOneAndReplace, then deletes the blob
// the swap replaced, so readers see the old or the new file, never a mix,
// and no stored blob is left unreferenced (unless the process dies between
// the steps).
type fileDoc struct {
	ID          string             `bson:"_id"`
	Blob        primitive.ObjectID `bson:"blob"`
	OwnerID     int64              `bson:"owner_id"`
	Kind        string             `bson:"kind"`
	ContentType string             `bson:"content_type"`
	Size        int64              `bson:"size"`
	CreatedAt   time.Time          `bson:"created_at"`
}

// bucket returns a GridFS bucket for one operation (a Bucket keeps buffers
// and is not safe for concurrent use). The v1 GridFS API takes deadlines,
// not contexts: ctx's deadline is applied.
func (d *DB) bucket(ctx context.Context) (*gridfs.Bucket, error) {
	b, err := gridfs.NewBucket(d.db, options.GridFSBucket().SetName(blobBucket))
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = b.SetReadDeadline(dl)  // never fails
		_ = b.SetWriteDeadline(dl) // never fails
	}
	return b, nil
}

// PutFile stores a file under f.ID, replacing any file with that id; the
// data is sealed before it is uploaded.
func (d *DB) PutFile(ctx context.Context, f recruit.File) error {
	if err := recruit.CheckFile(f); err != nil {
		return err
	}
	b, err := d.bucket(ctx)
	if err != nil {
		return internal(err)
	}
	doc := fileDoc{
		ID: f.ID, Blob: primitive.NewObjectID(), OwnerID: f.OwnerID, Kind: f.Kind,
		ContentType: f.ContentType, Size: int64(len(f.Data)), CreatedAt: norm(f.CreatedAt),
	}
	sealed, err := d.sealer.SealFile(f.ID, f.Data)
	if err != nil {
		return internal(err)
	}
	if err := b.UploadFromStreamWithID(doc.Blob, f.ID, bytes.NewReader(sealed)); err != nil {
		return internal(err)
	}
	old, err := d.swapFile(ctx, doc)
	if err != nil {
		return errors.Join(err, d.deleteBlob(ctx, doc.Blob))
	}
	if old.Blob.IsZero() {
		return nil
	}
	return d.deleteBlob(ctx, old.Blob)
}

// swapFile writes doc and returns the document it replaced (zero when the
// file is new). A concurrent first write can make the upsert collide on
// _id; the retry then replaces the winner's document.
func (d *DB) swapFile(ctx context.Context, doc fileDoc) (fileDoc, error) {
	opts := options.FindOneAndReplace().SetUpsert(true).SetReturnDocument(options.Before)
	var err error
	for range retries {
		var old fileDoc
		err = d.col(colFiles).FindOneAndReplace(ctx, bson.M{"_id": doc.ID}, doc, opts).Decode(&old)
		switch {
		case err == nil:
			return old, nil
		case errors.Is(err, mongo.ErrNoDocuments):
			return fileDoc{}, nil
		case !mongo.IsDuplicateKeyError(err):
			return fileDoc{}, internal(err)
		}
	}
	return fileDoc{}, internal(err)
}

// deleteBlob removes a GridFS file; an absent one is not an error.
func (d *DB) deleteBlob(ctx context.Context, blob primitive.ObjectID) error {
	b, err := d.bucket(ctx)
	if err != nil {
		return internal(err)
	}
	if err := b.DeleteContext(ctx, blob); err != nil && !errors.Is(err, gridfs.ErrFileNotFound) {
		return internal(err)
	}
	return nil
}

// GetFile returns a file with its data. A replace may delete the blob just
// after the pointer was read; the pointer is then read again.
func (d *DB) GetFile(ctx context.Context, id string) (recruit.File, error) {
	b, err := d.bucket(ctx)
	if err != nil {
		return recruit.File{}, internal(err)
	}
	doc, stored, err := d.readFile(ctx, b, id)
	if err != nil {
		return recruit.File{}, err
	}
	data, err := d.sealer.OpenFile(id, stored)
	if err != nil {
		return recruit.File{}, internal(err)
	}
	return recruit.File{
		ID: doc.ID, OwnerID: doc.OwnerID, Kind: doc.Kind, ContentType: doc.ContentType,
		Size: doc.Size, Data: data, CreatedAt: norm(doc.CreatedAt),
	}, nil
}

// readFile reads a file's document and its stored (sealed) data.
func (d *DB) readFile(ctx context.Context, b *gridfs.Bucket, id string) (fileDoc, []byte, error) {
	for range retries {
		var doc fileDoc
		if err := d.col(colFiles).FindOne(ctx, bson.M{"_id": id}).Decode(&doc); err != nil {
			return fileDoc{}, nil, storeErr(err, recruit.MsgNoFile, "")
		}
		var data bytes.Buffer
		data.Grow(int(doc.Size))
		_, err := b.DownloadToStream(doc.Blob, &data)
		if errors.Is(err, gridfs.ErrFileNotFound) {
			continue
		}
		if err != nil {
			return fileDoc{}, nil, internal(err)
		}
		return doc, data.Bytes(), nil
	}
	return fileDoc{}, nil, errReplacing
}

// errReplacing is what a reader gets of a file replaced on every read.
var errReplacing = recruit.Errorf(recruit.ECONFLICT, "文件正在被替换，请稍后重试")

// FileIDs returns up to limit file ids after after, in order.
func (d *DB) FileIDs(ctx context.Context, after string, limit int) ([]string, error) {
	var docs []struct {
		ID string `bson:"_id"`
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)).SetProjection(bson.M{"_id": 1})
	if err := d.findAll(ctx, colFiles, bson.M{"_id": bson.M{"$gt": after}}, &docs, opts); err != nil {
		return nil, err
	}
	ids := make([]string, len(docs))
	for i, doc := range docs {
		ids[i] = doc.ID
	}
	return ids, nil
}

// ResealFile uploads the resealed data as a new blob and points the file
// at it only if the file still points at the blob read (an upload in
// between wins, and the file is read again); the old blob is deleted.
func (d *DB) ResealFile(ctx context.Context, id string) (bool, error) {
	b, err := d.bucket(ctx)
	if err != nil {
		return false, internal(err)
	}
	for range retries {
		doc, stored, err := d.readFile(ctx, b, id)
		if err != nil {
			return false, err
		}
		sealed, ok, err := d.sealer.ResealFile(id, stored)
		if err != nil {
			return false, internal(err)
		}
		if !ok {
			return false, nil
		}
		blob := primitive.NewObjectID()
		if err := b.UploadFromStreamWithID(blob, id, bytes.NewReader(sealed)); err != nil {
			return false, internal(err)
		}
		res, err := d.col(colFiles).UpdateOne(ctx, bson.M{"_id": id, "blob": doc.Blob}, bson.M{"$set": bson.M{"blob": blob}})
		if err != nil || res.MatchedCount == 0 {
			if derr := d.deleteBlob(ctx, blob); derr != nil || err != nil {
				return false, errors.Join(internal(err), derr)
			}
			continue
		}
		return true, d.deleteBlob(ctx, doc.Blob)
	}
	return false, errReplacing
}

// DeleteFile removes a file and its data; an absent file is not an error.
func (d *DB) DeleteFile(ctx context.Context, id string) error {
	var doc fileDoc
	err := d.col(colFiles).FindOneAndDelete(ctx, bson.M{"_id": id}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil
	}
	if err != nil {
		return internal(err)
	}
	return d.deleteBlob(ctx, doc.Blob)
}
