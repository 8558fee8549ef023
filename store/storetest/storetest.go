// Package storetest is the contract suite every recruit.Store backend must
// pass, and the only definition of their behaviour. A backend's tests call
// Run with a Backend that opens a fresh, empty store; the suite exercises
// every method through the interface only, with a fixed clock, and checks
// errors by their one recruit code and, where a user sees it, their one
// message. A test local to one backend checks only what is specific to it.
package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"zhupei/recruit"
)

// sealerKey is the fixed key of the suite's Sealer.
const sealerKey = "storetest fixed key: not a secret"

// Sealer returns the Sealer every store under test must be opened with.
func Sealer() recruit.Sealer {
	s, err := recruit.NewSealer(sealerKey)
	if err != nil {
		// sealerKey is a constant longer than the minimum, so this cannot happen.
		panic(err)
	}
	return s
}

// t0 is the suite's fixed "now". It has no sub-millisecond part so that
// backends storing milliseconds (BSON dates) round-trip it exactly.
var t0 = time.Date(2025, time.July, 5, 2, 30, 0, 0, time.UTC)

// Backend is a store implementation under test.
type Backend struct {
	// Open returns a fresh, empty store on every call; Run closes each
	// store with t.Cleanup, so Open must not close it.
	Open func(t *testing.T) recruit.Store
	// SkewCounts adds d to the stored counters of a program behind the
	// store's back, as a crash between two writes could leave them. s is a
	// store returned by Open.
	SkewCounts func(t *testing.T, s recruit.Store, programID int64, d recruit.Counts)
	// Raw returns every byte the backend keeps of file data for s, as it
	// is on disk or on the wire (a database file, GridFS chunks).
	Raw func(t *testing.T, s recruit.Store) []byte
	// Reopen returns a second store on the database of s opened with
	// sealer; the suite closes it.
	Reopen func(t *testing.T, s recruit.Store, sealer recruit.Sealer) recruit.Store
	// LargeBatch is the size of ReviewManyLarge's batch, 0 for
	// recruit.MaxBulkReview: a stand-in too slow for 500 applicants
	// (FerretDB) runs fewer.
	LargeBatch int
}

// Run runs the contract suite against b.
func Run(t *testing.T, b Backend) {
	fresh := func(t *testing.T) recruit.Store {
		t.Helper()
		s := b.Open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s recruit.Store)
	}{
		{"Ping", testPing},
		{"Years", testYears},
		{"ImportPlan", testImportPlan},
		{"SpecialtyGroup", testSpecialtyGroup},
		{"ImportPlanInvalid", testImportPlanInvalid},
		{"ImportPlanTrims", testImportPlanTrims},
		{"ImportPlanDuplicateRows", testImportPlanDuplicateRows},
		{"ImportPlanBelowAdmitted", testImportPlanBelowAdmitted},
		{"ReimportKeepsCounters", testReimport},
		{"Identities", testIdentities},
		{"Rebind", testRebind},
		{"UnappliedIdentities", testUnappliedIdentities},
		{"SubmitChoice", testSubmitChoice},
		{"SubmitChoiceUnbound", testSubmitChoiceUnbound},
		{"Review", testReview},
		{"ProvisionallyAdmit", testProvisionallyAdmit},
		{"AdmissionMoves", testAdmissionMoves},
		{"AdmissionNoteRefused", testAdmissionNoteRefused},
		{"ConcurrentAdmitThreeLeft", testConcurrentAdmitThreeLeft},
		{"RepairFinal", func(t *testing.T, s recruit.Store) { testRepairFinal(t, s, b.SkewCounts) }},
		{"Publications", testPublications},
		{"Offers", testOffers},
		{"ConcurrentExpiry", testConcurrentExpiry},
		{"OfferSettings", testOfferSettings},
		{"Recount", testRecount},
		{"RecountIsPure", func(t *testing.T, s recruit.Store) { testRecountIsPure(t, s, b.SkewCounts) }},
		{"ReopenApplications", testReopen},
		{"ReviewNote", testReviewNote},
		{"Audit", testAudit},
		{"BaseDates", testBaseDates},
		{"CountApplications", testCountApplications},
		{"CountPeople", testCountPeople},
		{"SetPlan", testSetPlan},
		{"ChoiceLog", testChoiceLog},
		{"ChoiceLogRefused", testChoiceLogRefused},
		{"ConcurrentAdmit", testConcurrentAdmit},
		{"ConcurrentAdmitOne", testConcurrentAdmitOne},
		{"ConcurrentFirstSubmissions", testConcurrentFirstSubmissions},
		{"ConcurrentMix", testConcurrentMix},
		{"ConcurrentSameVersion", testConcurrentSameVersion},
		{"Profile", testProfile},
		{"ProfileTouchesApplication", testProfileTouch},
		{"ProfileTouchOfAnotherApplication", testProfileTouchOther},
		{"Files", testFiles},
		{"SealedFiles", func(t *testing.T, s recruit.Store) { testSealedFiles(t, s, b) }},
		{"Notifications", testNotifications},
		{"StaffNotifications", testStaffNotifications},
		{"NotificationRead", testNotificationRead},
		{"NotificationOpenID", testNotificationOpenID},
		{"NotificationClaim", testNotificationClaim},
		{"NotificationFinishBatch", testNotificationFinishBatch},
		{"NotificationReport", testNotificationReport},
		{"OutboxStats", testOutboxStats},
		{"ConcurrentClaims", testConcurrentClaims},
		{"Forms", testForms},
		{"BadInput", testBadInput},
		{"KV", testKV},
		{"KVAdd", testKVAdd},
		{"KVIncr", testKVIncr},
		{"ScanKV", testScanKV},
		{"Staff", testStaff},
		{"Invitations", testInvitations},
		{"ConcurrentRedeem", testConcurrentRedeem},
		{"KVPurge", testKVPurge},
		{"Leases", testLeases},
		{"ConcurrentLeases", testConcurrentLeases},
		{"Queue", testQueue},
		{"ReviewMany", testReviewMany},
		{"ReviewManyLarge", func(t *testing.T, s recruit.Store) { testReviewManyLarge(t, s, b.LargeBatch) }},
		{"ShortageSpecialties", testShortageSpecialties},
		{"VacancyPrefs", testVacancyPrefs},
		{"BaseRankings", testBaseRankings},
		{"PlaceOffer", testPlaceOffer},
		{"ConcurrentPlaceOne", testConcurrentPlaceOne},
		{"QueueOffers", testQueueOffers},
		{"CountOffers", testCountOffers},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, fresh(t)) })
	}
}

func testPing(t *testing.T, s recruit.Store) {
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// wantCode fails the test unless err carries code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := recruit.ErrorCode(err); got != code {
		t.Fatalf("%s: error code %q (%v), want %q", what, got, err, code)
	}
}

// race runs f(0) … f(n-1) in goroutines released together and waits for
// them all.
func race(n int, f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

// must fails the test on a non-nil error.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// sameTime fails the test unless got and want are the same instant.
func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// importRows imports rows for year and returns the year's programs keyed by
// "base/specialty code".
func importRows(t *testing.T, s recruit.Store, year int, rows []recruit.PlanRow) map[string]recruit.Program {
	t.Helper()
	ctx := context.Background()
	must(t, "ImportPlan", s.ImportPlan(ctx, year, rows))
	ps, err := s.ListPrograms(ctx, recruit.ProgramFilter{Year: year})
	must(t, "ListPrograms", err)
	m := make(map[string]recruit.Program, len(ps))
	for _, p := range ps {
		m[p.BaseName+"/"+p.SpecialtyCode] = p
	}
	return m
}

// plan builds plan rows for every base × specialty with the same plan number.
func plan(bases, codes []string, n int) []recruit.PlanRow {
	var rows []recruit.PlanRow
	for _, b := range bases {
		for _, c := range codes {
			rows = append(rows, recruit.PlanRow{
				Line: len(rows) + 1, BaseName: b, City: "济南",
				SpecialtyCode: c, SpecialtyName: "专业" + c, Plan: n,
			})
		}
	}
	return rows
}

// newIdentities binds n test identities and returns their ids.
func newIdentities(t *testing.T, s recruit.Store, prefix string, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		id, err := s.CreateIdentity(context.Background(), recruit.Identity{
			OpenID:   fmt.Sprintf("%s-openid-%d", prefix, i),
			Name:     "测试",
			IDType:   recruit.IDTypePassport,
			IDNumber: fmt.Sprintf("%s%06d", prefix, i),
			BoundAt:  t0,
		})
		must(t, "CreateIdentity", err)
		ids[i] = id.ID
	}
	return ids
}

// program re-reads one program.
func program(t *testing.T, s recruit.Store, id int64) recruit.Program {
	t.Helper()
	p, err := s.GetProgram(context.Background(), id)
	must(t, "GetProgram", err)
	return p
}

// wantCounts fails the test unless program id has the given counters.
func wantCounts(t *testing.T, s recruit.Store, id int64, registered, admitted int) {
	t.Helper()
	p := program(t, s, id)
	if p.Registered != registered || p.Admitted != admitted {
		t.Errorf("program %d counts = %d/%d, want registered %d, admitted %d",
			id, p.Registered, p.Admitted, registered, admitted)
	}
}

// wantCountersMatchRecount fails the test unless every program of year has
// counters equal to Recount and never more admitted than planned.
func wantCountersMatchRecount(t *testing.T, s recruit.Store, year int) {
	t.Helper()
	ctx := context.Background()
	rc, err := s.Recount(ctx, year)
	must(t, "Recount", err)
	ps, err := s.ListPrograms(ctx, recruit.ProgramFilter{Year: year})
	must(t, "ListPrograms", err)
	for _, d := range recruit.CountDiffs(ps, rc) {
		t.Errorf("program %d counters %+v, recount %+v", d.ProgramID, d.Stored, d.Counted)
	}
	for _, p := range ps {
		if p.Admitted > p.Plan {
			t.Errorf("program %d admitted %d > plan %d", p.ID, p.Admitted, p.Plan)
		}
	}
}
