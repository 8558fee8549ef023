package sqlite

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// checkpointEvery is how often the checkpointer copies the write-ahead log
// back into the database file.
const checkpointEvery = time.Second

// walLimit is the size, in bytes, the writer cuts the write-ahead log back
// to when it rewinds it after a complete checkpoint, and the size beyond
// which the checkpointer empties the log.
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
// rewinds the log once a round has copied all of it, as before. Under a
// steady stream of writes that never happens (a commit lands after every
// round), so once the log holds more than limit bytes a round also runs a
// TRUNCATE checkpoint, which waits for the readers and holds new writes
// (within busy_timeout) while it copies the little PASSIVE left and empties
// the log. Durability does not change: a committed transaction is in the
// log either way.
type checkpointer struct {
	db    *sql.DB
	frame int64        // bytes of a log frame: the page size and its header
	limit atomic.Int64 // bytes of log that make a round truncate it
	stop  context.CancelFunc
	done  chan struct{}
}

// startCheckpointer opens its connection with dsn and starts the rounds.
func startCheckpointer(dsn string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	var pageSize int64
	if err := db.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		db.Close()
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	c := &checkpointer{db: db, frame: pageSize + walFrameHeader, stop: stop, done: make(chan struct{})}
	c.limit.Store(walLimit)
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
			// A round that fails (an I/O error, which the writes meet and
			// report too) leaves the log to the next one.
			_ = c.round(ctx)
		}
	}
}

// walFrameHeader is the bytes a WAL frame adds to its page.
const walFrameHeader = 24

// round is one PASSIVE checkpoint, and a TRUNCATE one when the log is
// longer than the limit.
func (c *checkpointer) round(ctx context.Context) error {
	var busy, frames, copied int64
	if err := c.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
		return err
	}
	if frames*c.frame <= c.limit.Load() {
		return nil
	}
	_, err := c.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// Close stops the rounds and closes the connection; the last connection to
// close the database checkpoints what is left, as SQLite always does.
func (c *checkpointer) Close() error {
	c.stop()
	<-c.done
	return c.db.Close()
}
