// Package storetest is the contract suite every recruit.Store backend must
// pass. A backend's tests call Run with a function that opens a fresh, empty
// store; the suite exercises every method through the interface only, with a
// fixed clock, and checks errors by their recruit code.
package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"zhupei/recruit"
)

// sealerKey is the fixed key of the suite's IDSealer.
const sealerKey = "storetest fixed key: not a secret"

// Sealer returns the IDSealer every store under test must be opened with.
func Sealer() recruit.IDSealer {
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

// Run runs the contract suite. open must return a fresh, empty store on every
// call; Run closes each store with t.Cleanup, so open must not close it.
func Run(t *testing.T, open func(t *testing.T) recruit.Store) {
	fresh := func(t *testing.T) recruit.Store {
		t.Helper()
		s := open(t)
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
		{"ReimportKeepsCounters", testReimport},
		{"Identities", testIdentities},
		{"SubmitChoice", testSubmitChoice},
		{"Review", testReview},
		{"ProvisionallyAdmit", testProvisionallyAdmit},
		{"Recount", testRecount},
		{"ReopenApplications", testReopen},
		{"ChoiceLog", testChoiceLog},
		{"ConcurrentAdmit", testConcurrentAdmit},
		{"ConcurrentMix", testConcurrentMix},
		{"KV", testKV},
		{"KVAdd", testKVAdd},
		{"KVIncr", testKVIncr},
		{"ScanKV", testScanKV},
		{"Staff", testStaff},
		{"Invitations", testInvitations},
		{"ConcurrentRedeem", testConcurrentRedeem},
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

// wantCode fails the test unless err carries one of codes.
func wantCode(t *testing.T, what string, err error, codes ...string) {
	t.Helper()
	got := recruit.ErrorCode(err)
	if !slices.Contains(codes, got) {
		t.Fatalf("%s: error code %q (%v), want one of %q", what, got, err, codes)
	}
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
	for _, p := range ps {
		if got := (recruit.Counts{Registered: p.Registered, Admitted: p.Admitted}); got != rc[p.ID] {
			t.Errorf("program %d counters %+v, recount %+v", p.ID, got, rc[p.ID])
		}
		if p.Admitted > p.Plan {
			t.Errorf("program %d admitted %d > plan %d", p.ID, p.Admitted, p.Plan)
		}
	}
}
