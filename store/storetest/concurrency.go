package storetest

import (
	"context"
	"fmt"
	"maps"
	"math/rand"
	"testing"

	"zhupei/recruit"
)

// testConcurrentAdmit races 50 admissions for 5 seats.
func testConcurrentAdmit(t *testing.T, s recruit.Store) {
	const seats, applicants = 5, 50
	ctx := context.Background()
	p := importRows(t, s, 2025, plan([]string{"齐鲁医院"}, []string{"0100"}, seats))["齐鲁医院/0100"].ID
	apps := submitApproved(t, s, newIdentities(t, s, "race", applicants), p)

	errs := make([]error, applicants)
	race(applicants, func(i int) { _, errs[i] = s.ProvisionallyAdmit(ctx, apps[i].ID, t0, nil) })

	won := 0
	for _, err := range errs {
		switch recruit.ErrorCode(err) {
		case "":
			won++
		case recruit.ECONFLICT:
		default:
			t.Errorf("ProvisionallyAdmit: %v, want success or ECONFLICT", err)
		}
	}
	if won != seats {
		t.Errorf("%d admissions succeeded, want %d", won, seats)
	}
	wantCounts(t, s, p, applicants, seats)
	listed, err := s.ListApplications(ctx, p)
	must(t, "ListApplications", err)
	provisional := 0
	for _, a := range listed {
		if a.State == recruit.StateProvisional {
			provisional++
		}
	}
	if provisional != seats {
		t.Errorf("%d applications are provisionally admitted, want %d", provisional, seats)
	}
	wantCountersMatchRecount(t, s, 2025)
}

// testConcurrentMix runs a seeded random mix of submissions, choice changes,
// reviews and admissions from many goroutines and checks that every counter
// equals a count of the applications themselves.
func testConcurrentMix(t *testing.T, s recruit.Store) {
	const (
		workers    = 20
		perWorker  = 3 // identities owned by each worker
		opsPerWork = 25
		seed       = 20250705
	)
	ctx := context.Background()
	ps := importRows(t, s, 2025, plan([]string{"山东省立医院", "齐鲁医院"}, []string{"0100", "0200", "0300", "0400", "0500"}, 2))
	var programs []int64
	for _, p := range ps {
		programs = append(programs, p.ID)
	}
	owners := make([][]int64, workers)
	for w := range owners {
		owners[w] = newIdentities(t, s, fmt.Sprintf("mix%02d", w), perWorker)
	}

	race(workers, func(w int) {
		rng := rand.New(rand.NewSource(seed + int64(w)))
		apps := map[int64]recruit.Application{} // by identity, this worker's view
		for range opsPerWork {
			if err := mixStep(ctx, s, rng, programs, owners[w], apps); err != nil {
				t.Error(err)
				return
			}
		}
	})

	want := map[int64]recruit.Counts{}
	for _, ids := range owners {
		for _, id := range ids {
			a, err := s.GetApplication(ctx, 2025, id)
			if recruit.ErrorCode(err) == recruit.ENOTFOUND {
				continue
			}
			must(t, "GetApplication", err)
			c := want[a.ProgramID]
			if a.State.Active() {
				c.Registered++
			}
			if a.State.HoldsSeat() {
				c.Admitted++
			}
			want[a.ProgramID] = c
		}
	}
	got, err := s.Recount(ctx, 2025)
	must(t, "Recount", err)
	if !maps.Equal(got, want) {
		t.Errorf("Recount = %v, counted from applications %v", got, want)
	}
	wantCountersMatchRecount(t, s, 2025)
}

// mixStep performs one random operation for one of ids; apps holds the
// latest application of each identity as this worker last saw it.
func mixStep(ctx context.Context, s recruit.Store, rng *rand.Rand, programs, ids []int64, apps map[int64]recruit.Application) error {
	id := ids[rng.Intn(len(ids))]
	a, ok := apps[id]
	var (
		next recruit.Application
		err  error
		op   string
	)
	switch r := rng.Intn(10); {
	case !ok || r < 5:
		op = "SubmitChoice"
		next, err = s.SubmitChoice(ctx, id, 2025, a.Version, recruit.Choice{ProgramID: programs[rng.Intn(len(programs))], AcceptsAdjustment: r%2 == 0}, t0, nil)
	case a.State == recruit.StatePending:
		op = "Review"
		to := recruit.StateApproved
		if r == 9 {
			to = recruit.StateRejected
		}
		next, err = s.Review(ctx, a.ID, to, "", t0, nil)
	case a.State == recruit.StateApproved:
		op = "ProvisionallyAdmit"
		next, err = s.ProvisionallyAdmit(ctx, a.ID, t0, nil)
		if recruit.ErrorCode(err) == recruit.ECONFLICT {
			return nil // the program is full
		}
	default:
		return nil
	}
	if ok && op == "SubmitChoice" && a.State.HoldsSeat() {
		if recruit.ErrorCode(err) != recruit.EFORBIDDEN {
			return fmt.Errorf("SubmitChoice of a %s application: %v, want EFORBIDDEN", a.State, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if ok && op == "SubmitChoice" && next.Version != a.Version+1 {
		return fmt.Errorf("SubmitChoice: version %d after %d", next.Version, a.Version)
	}
	apps[id] = next
	return nil
}

// testConcurrentSameVersion races 8 submissions read on one version, of a
// first choice (version 0) and of a change (version 1): exactly one of each
// race wins, the others get ECONFLICT and change nothing.
func testConcurrentSameVersion(t *testing.T, s recruit.Store) {
	const racers = 8
	ctx := context.Background()
	ps := importRows(t, s, 2025, planRows)
	a, b := ps["山东省立医院/0100"].ID, ps["齐鲁医院/0100"].ID
	id := newIdentities(t, s, "samever", 1)[0]
	for _, version := range []int{0, 1} {
		errs := make([]error, racers)
		race(racers, func(i int) {
			_, errs[i] = s.SubmitChoice(ctx, id, 2025, version, recruit.Choice{ProgramID: []int64{a, b}[i%2]}, t0, nil)
		})
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			wantErr(t, fmt.Sprintf("a losing submission on version %d", version), err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgStaleChoice))
		}
		if won != 1 {
			t.Errorf("%d submissions on version %d succeeded, want 1", won, version)
		}
		got, err := s.GetApplication(ctx, 2025, id)
		must(t, "GetApplication", err)
		if got.Version != version+1 {
			t.Errorf("version after the race on %d = %d, want %d", version, got.Version, version+1)
		}
		wantCountersMatchRecount(t, s, 2025)
	}
	_, err := s.SubmitChoice(ctx, id, 2025, 1, recruit.Choice{ProgramID: a}, t0, nil)
	wantErr(t, "a submission on an old version", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgStaleChoice))
	_, err = s.SubmitChoice(ctx, id, 2025, 9, recruit.Choice{ProgramID: a}, t0, nil)
	wantErr(t, "a submission on a future version", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgStaleChoice))
}
