package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// ferretURI is the -mongo-uri that starts the in-process FerretDB stand-in.
const ferretURI = "ferret"

// startFerret runs FerretDB on SQLite in dir on a free loopback port, as
// store/mongo/ferret does for the tests, and returns its stop function and
// the URI for zhupei: a pool of one connection, since the stand-in loses
// concurrent read-modify-writes on one document otherwise.
func startFerret(dir string) (stop func(), uri string, err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, "", err
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		return nil, "", fmt.Errorf("start the FerretDB stand-in: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	uri = f.MongoDBURI() + "?maxPoolSize=1" // MongoDBURI waits for the listener
	return func() { cancel(); <-done }, uri, nil
}
