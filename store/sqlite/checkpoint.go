package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// checkpointEvery is how often the checkpointer copies the write-ahead log
// back into the database file.
const checkpointEvery = time.Second

// walLimit is the size, in bytes, the writer cuts the write-ahead log back
// to when it rewinds it after a complete checkpoint.
const walLimit = 64 << 20

// checkpointer moves WAL checkpoints off the writer. With SQLite's
// automatic checkpoint (every 1,000 pages) the commit that crosses the
// threshold copies the log into the database file and syncs it before it
// returns, holding the one writer connection while every other write
// queues; under registration that was about a fifth of SQLite's time. The
// writer runs with wal_autocheckpoint off and this goroutine runs a
// PASSIVE checkpoint every checkpointEvery on a connection of its own:
// PASSIVE takes no lock a writer or reader waits for, copies what no reader
// still needs and leaves the rest for the next round, and the writer
// rewinds the log once a round has copied all of it, as before. Durability
// does not change: a committed transaction is in the log either way.
type checkpointer struct {
	db   *sql.DB
	stop context.CancelFunc
	done chan struct{}
}

// startCheckpointer opens its connection with dsn and starts the rounds.
func startCheckpointer(dsn string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	ctx, stop := context.WithCancel(context.Background())
	c := &checkpointer{db: db, stop: stop, done: make(chan struct{})}
	go c.run(ctx)
	return c, nil
}

func (c *checkpointer) run(ctx context.Context) {
	defer close(c.done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			// A round that fails (an I/O error, which the writes would meet
			// too) leaves the log to the next one.
			_, _ = c.db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

// Close stops the rounds and closes the connection; the last connection to
// close the database checkpoints what is left, as SQLite always does.
func (c *checkpointer) Close() error {
	c.stop()
	<-c.done
	return c.db.Close()
}
