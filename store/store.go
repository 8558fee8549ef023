// Package store picks the storage backend of zhupei and holds the data
// operations that work on any backend: opening the configured database,
// reading and importing a plan file (CSV or XLSX; rows are checked with
// recruit's one plan validation) and filling a demo year. Every backend
// passes the contract suite in store/storetest.
//
// The embedded SQLite backend (store/sqlite) is the default; a MongoDB URI
// selects store/mongo instead.
package store

import (
	"context"
	"os"
	"path/filepath"

	"zhupei/recruit"
	"zhupei/store/mongo"
	"zhupei/store/sqlite"
)

// DBFile is the name of the SQLite database file inside the data directory.
const DBFile = "zhupei.db"

// Config selects and locates the database.
type Config struct {
	// DataDir holds the SQLite database; it is created when missing.
	DataDir string
	// MongoURI, when set, selects MongoDB instead of SQLite.
	MongoURI string
	// MongoDatabase is the MongoDB database name.
	MongoDatabase string
}

// Open opens the database chosen by cfg: MongoDB when cfg.MongoURI is set,
// otherwise SQLite at DataDir/zhupei.db.
func Open(ctx context.Context, cfg Config, sealer recruit.Sealer) (recruit.Store, error) {
	if cfg.MongoURI != "" {
		db, err := mongo.Open(ctx, cfg.MongoURI, cfg.MongoDatabase, sealer)
		if err != nil {
			return nil, err
		}
		return db, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, recruit.Internal(err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, DBFile), sealer)
	if err != nil {
		return nil, err
	}
	return db, nil
}
