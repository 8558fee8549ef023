package mongo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"zhupei/recruit"
)

// relayFixture is a store whose writes leave their entries pending, as if
// the process crashed right after each write, with one program and one
// bound identity.
type relayFixture struct {
	db       *DB
	program  int64
	identity int64
}

func newRelayFixture(t *testing.T, srv backend) relayFixture {
	t.Helper()
	db := srv.open(t)
	db.relayAfterWrite = false
	ctx := context.Background()
	// A choice needs only the program's year and counters.
	program := programDoc{ID: 1, Year: 2025, BaseID: 1, SpecialtyCode: "0100", Plan: 5, Free: 5}
	if _, err := db.col(colPrograms).InsertOne(ctx, program); err != nil {
		t.Fatal(err)
	}
	id, err := db.CreateIdentity(ctx, recruit.Identity{OpenID: "o-relay", Name: "张三", IDType: recruit.IDTypePassport, IDNumber: "E1234567", BoundAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	return relayFixture{db: db, program: program.ID, identity: id.ID}
}

func (f relayFixture) log(app recruit.Application) (recruit.Revision, recruit.Notification, error) {
	return recruit.Revision{IdentityID: f.identity, Kind: "choice", Summary: fmt.Sprintf("v%d", app.Version), At: t0},
		recruit.Notification{IdentityID: f.identity, Kind: recruit.KindRegistered, Key: fmt.Sprintf("reg-%d-v%d", app.ID, app.Version), Title: "报名成功", CreatedAt: t0}, nil
}

// want checks the history, the notifications and the application version
// the applicant sees.
func (f relayFixture) want(t *testing.T, what string, history, notes, version int) {
	t.Helper()
	ctx := context.Background()
	h, err := f.db.History(ctx, f.identity)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := f.db.ListNotifications(ctx, f.identity)
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.db.GetApplication(ctx, 2025, f.identity)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != history || len(ns) != notes || a.Version != version {
		t.Errorf("%s: %d history entries, %d notifications, application version %d; want %d, %d, %d",
			what, len(h), len(ns), a.Version, history, notes, version)
	}
}

// relay runs Relay and checks how many entries it delivered.
func (f relayFixture) relay(t *testing.T, want int) {
	t.Helper()
	n, err := f.db.Relay(context.Background())
	if err != nil || n != want {
		t.Errorf("Relay = %d, %v; want %d", n, err, want)
	}
}

// choose submits a choice with the fixture's log and saves a profile
// touching its application at t.
func (f relayFixture) choose(t *testing.T, at time.Time) recruit.Application {
	t.Helper()
	ctx := context.Background()
	app, err := f.db.SubmitChoice(ctx, f.identity, 2025, 0, recruit.Choice{ProgramID: f.program}, t0, f.log)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.pending(t)); n != 2 {
		t.Fatalf("%d pending entries after the choice, want 2", n)
	}
	if _, err := f.db.SaveProfile(ctx, recruit.Profile{IdentityID: f.identity, Work: &recruit.Work{}}, recruit.Revision{Kind: "work", At: at}, app.ID); err != nil {
		t.Fatal(err)
	}
	return app
}

// pending returns the pending entries of the applicant's application.
func (f relayFixture) pending(t *testing.T) []pendingDoc {
	t.Helper()
	doc, err := f.db.application(context.Background(), bson.M{"year": 2025, "identity_id": f.identity}, recruit.MsgNotApplied)
	if err != nil {
		t.Fatal(err)
	}
	return doc.Pending
}

// A crash between a write and its relay loses nothing: the entries wait in
// the changed document, Relay delivers each exactly once, and running it
// again changes nothing.
func TestRelayAfterCrash(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		f := newRelayFixture(t, srv)
		t1 := t0.Add(time.Hour)
		app := f.choose(t, t1)
		f.want(t, "before the relay", 0, 0, 1)

		f.relay(t, 4) // the choice's entry and notification, the save's entry and touch
		f.want(t, "after the relay", 2, 1, 2)
		if n := len(f.pending(t)); n != 0 {
			t.Errorf("%d entries still pending", n)
		}
		f.relay(t, 0)
		f.want(t, "after a second relay", 2, 1, 2)
		if got, err := f.db.GetApplicationByID(context.Background(), app.ID); err != nil || !got.UpdatedAt.Equal(t1) {
			t.Errorf("application after the touch = %+v, %v; want updated at %v", got, err, t1)
		}
	})
}

// A crash in the middle of a relay, after delivering an entry and before
// pulling it, makes the next relay deliver it again, which changes nothing.
func TestRelayInterruptedDeliversOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		f := newRelayFixture(t, srv)
		ctx := context.Background()
		f.choose(t, t0)
		// Deliver every entry without pulling it, as a relay that crashed.
		for _, e := range f.pending(t) {
			col := colRevisions
			doc := any(e.Revision)
			if e.Notice != nil {
				col, doc = colNotices, e.Notice
			}
			if _, err := f.db.col(col).InsertOne(ctx, doc); err != nil {
				t.Fatal(err)
			}
		}
		var profile profileDoc
		if err := f.db.profiles().FindOne(ctx, bson.M{"_id": f.identity}).Decode(&profile); err != nil {
			t.Fatal(err)
		}
		for _, e := range profile.Pending {
			if e.TouchApp != 0 {
				if err := f.db.touch(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
		}
		f.want(t, "after the interrupted relay", 1, 1, 2)
		f.relay(t, 4)
		f.want(t, "after the relay", 2, 1, 2)
		f.relay(t, 0)
	})
}

// A save over a profile a crash left with pending entries delivers them
// first, so that replacing the document cannot drop them.
func TestSaveOverPendingProfile(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		f := newRelayFixture(t, srv)
		ctx := context.Background()
		app, err := f.db.SubmitChoice(ctx, f.identity, 2025, 0, recruit.Choice{ProgramID: f.program}, t0, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.db.SaveProfile(ctx, recruit.Profile{IdentityID: f.identity, Work: &recruit.Work{}}, recruit.Revision{Kind: "work", At: t0}, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.SaveProfile(ctx, p, recruit.Revision{Kind: "basic", At: t0}, app.ID); err != nil {
			t.Fatal(err)
		}
		f.want(t, "after the second save", 1, 0, 2) // the first save's entries were delivered
		f.relay(t, 2)
		f.want(t, "after the relay", 2, 0, 3)
	})
}
