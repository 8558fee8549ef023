package mongo

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"zhupei/recruit"
)

const testYear = 2025

var t0 = time.Date(2025, time.July, 2, 9, 30, 0, 0, recruit.Shanghai)

// importPlan imports one base with the given specialty code → plan and
// returns the program ids by code.
func importPlan(t *testing.T, db *DB, plans map[string]int) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	var rows []recruit.PlanRow
	for code, plan := range plans {
		rows = append(rows, recruit.PlanRow{BaseName: "山东大学齐鲁医院", City: "济南", SpecialtyCode: code, SpecialtyName: "专业" + code, Plan: plan})
	}
	if err := db.ImportPlan(ctx, testYear, rows); err != nil {
		t.Fatal(err)
	}
	ps, err := db.ListPrograms(ctx, recruit.ProgramFilter{Year: testYear})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, p := range ps {
		ids[p.SpecialtyCode] = p.ID
	}
	return ids
}

// approved submits applicant identity's choice of program and approves it.
func approved(t *testing.T, db *DB, identity, program int64) recruit.Application {
	t.Helper()
	ctx := context.Background()
	a, err := db.SubmitChoice(ctx, identity, testYear, recruit.Choice{ProgramID: program}, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = db.Review(ctx, a.ID, recruit.StateApproved, "", t0); err != nil {
		t.Fatal(err)
	}
	return a
}

// wantCounts checks a program's stored counters and what Recount finds.
func wantCounts(t *testing.T, db *DB, program int64, want recruit.Counts) {
	t.Helper()
	p, err := db.GetProgram(context.Background(), program)
	if err != nil {
		t.Fatal(err)
	}
	if got := (recruit.Counts{Registered: p.Registered, Admitted: p.Admitted}); got != want {
		t.Errorf("program %d stored counts %+v, want %+v", program, got, want)
	}
	counted, err := db.Recount(context.Background(), testYear)
	if err != nil {
		t.Fatal(err)
	}
	if counted[program] != want {
		t.Errorf("program %d recounted %+v, want %+v", program, counted[program], want)
	}
}

// admitConcurrently runs ProvisionallyAdmit on every id at once and returns
// how many succeeded; every failure must be ECONFLICT.
func admitConcurrently(t *testing.T, db *DB, ids []int64) int {
	t.Helper()
	var (
		wg sync.WaitGroup
		mu sync.Mutex
		ok int
	)
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.ProvisionallyAdmit(context.Background(), id, t0)
			mu.Lock()
			defer mu.Unlock()
			switch code := recruit.ErrorCode(err); code {
			case "":
				ok++
			case recruit.ECONFLICT:
			default:
				t.Errorf("admit %d: %v", id, err)
			}
		}()
	}
	wg.Wait()
	return ok
}

func TestAdmissionNeverExceedsPlan(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		program := importPlan(t, db, map[string]int{"0100": 5})["0100"]
		var ids []int64
		for i := range 50 {
			ids = append(ids, approved(t, db, int64(1000+i), program).ID)
		}
		if got := admitConcurrently(t, db, ids); got != 5 {
			t.Errorf("%d admissions succeeded, want 5", got)
		}
		wantCounts(t, db, program, recruit.Counts{Registered: 50, Admitted: 5})
		apps, err := db.ListApplications(context.Background(), program)
		if err != nil {
			t.Fatal(err)
		}
		provisional := 0
		for _, a := range apps {
			if a.State == recruit.StateProvisional {
				provisional++
			}
		}
		if provisional != 5 {
			t.Errorf("%d provisional applications, want 5", provisional)
		}
	})
}

func TestAdmitOneApplicationConcurrently(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		program := importPlan(t, db, map[string]int{"0100": 10})["0100"]
		a := approved(t, db, 7, program)
		same := make([]int64, 20)
		for i := range same {
			same[i] = a.ID
		}
		if got := admitConcurrently(t, db, same); got != 1 {
			t.Errorf("%d admissions of one application succeeded, want 1", got)
		}
		// The losers gave their seats back.
		wantCounts(t, db, program, recruit.Counts{Registered: 1, Admitted: 1})
	})
}

func TestCountersFollowChoice(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		ids := importPlan(t, db, map[string]int{"0100": 3, "0200": 1})
		a, b := ids["0100"], ids["0200"]

		first := approved(t, db, 1, a)
		wantCounts(t, db, a, recruit.Counts{Registered: 1})

		moved, err := db.SubmitChoice(ctx, 1, testYear, recruit.Choice{ProgramID: b, AcceptsAdjustment: true}, t0.Add(time.Hour), nil)
		if err != nil {
			t.Fatal(err)
		}
		if moved.ID != first.ID || moved.Version != first.Version+1 || moved.State != recruit.StatePending || !moved.AcceptsAdjustment {
			t.Errorf("changed application %+v after %+v", moved, first)
		}
		wantCounts(t, db, a, recruit.Counts{})
		wantCounts(t, db, b, recruit.Counts{Registered: 1})

		if _, err := db.Review(ctx, moved.ID, recruit.StateApproved, "", t0); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ProvisionallyAdmit(ctx, moved.ID, t0); err != nil {
			t.Fatal(err)
		}
		wantCounts(t, db, b, recruit.Counts{Registered: 1, Admitted: 1})

		// A provisional admission is never undone by a change of choice.
		if _, err := db.SubmitChoice(ctx, 1, testYear, recruit.Choice{ProgramID: a}, t0, nil); recruit.ErrorCode(err) != recruit.ECONFLICT {
			t.Fatalf("changing a provisionally admitted choice: %v, want ECONFLICT", err)
		}
		wantCounts(t, db, a, recruit.Counts{})
		wantCounts(t, db, b, recruit.Counts{Registered: 1, Admitted: 1})
	})
}

func TestConcurrentFirstSubmissions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		program := importPlan(t, db, map[string]int{"0100": 3})["0100"]
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := db.SubmitChoice(context.Background(), 42, testYear, recruit.Choice{ProgramID: program}, t0, nil); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		a, err := db.GetApplication(context.Background(), testYear, 42)
		if err != nil {
			t.Fatal(err)
		}
		if a.Version != 10 {
			t.Errorf("version %d after 10 submissions, want 10", a.Version)
		}
		wantCounts(t, db, program, recruit.Counts{Registered: 1})
	})
}

func TestRecountRepairsPersistentDifference(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		program := importPlan(t, db, map[string]int{"0100": 2})["0100"]
		a := approved(t, db, 1, program)
		// As if a crash had left a seat taken with no application moved.
		if _, err := db.col(colPrograms).UpdateOne(ctx, bson.M{"_id": program},
			bson.M{"$inc": bson.M{"admitted": 1, "free": -1, "registered": 1}}); err != nil {
			t.Fatal(err)
		}
		stored := func() recruit.Counts {
			p, err := db.GetProgram(ctx, program)
			if err != nil {
				t.Fatal(err)
			}
			return recruit.Counts{Registered: p.Registered, Admitted: p.Admitted}
		}
		for run, want := range []recruit.Counts{{Registered: 2, Admitted: 1}, {Registered: 1}} {
			counted, err := db.Recount(ctx, testYear)
			if err != nil {
				t.Fatal(err)
			}
			if counted[program] != (recruit.Counts{Registered: 1}) {
				t.Errorf("run %d: recounted %+v", run, counted[program])
			}
			if got := stored(); got != want {
				t.Errorf("after run %d stored %+v, want %+v", run, got, want)
			}
		}
		// Both seats are usable again.
		b := approved(t, db, 2, program)
		if got := admitConcurrently(t, db, []int64{a.ID, b.ID}); got != 2 {
			t.Errorf("%d of 2 admissions succeeded after repair", got)
		}
	})
}

func TestImportPlanKeepsCounters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		program := importPlan(t, db, map[string]int{"0100": 3})["0100"]
		if _, err := db.ProvisionallyAdmit(ctx, approved(t, db, 1, program).ID, t0); err != nil {
			t.Fatal(err)
		}
		if again := importPlan(t, db, map[string]int{"0100": 2})["0100"]; again != program {
			t.Fatalf("re-import made program %d, want %d", again, program)
		}
		p, err := db.GetProgram(ctx, program)
		if err != nil {
			t.Fatal(err)
		}
		if p.Plan != 2 || p.Registered != 1 || p.Admitted != 1 || p.BaseName != "山东大学齐鲁医院" || p.SpecialtyName != "专业0100" {
			t.Errorf("after re-import: %+v", p)
		}
		ids := []int64{approved(t, db, 2, program).ID, approved(t, db, 3, program).ID}
		if got := admitConcurrently(t, db, ids); got != 1 {
			t.Errorf("%d admissions succeeded with one seat left", got)
		}
		bases, err := db.ListBases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(bases) != 1 || bases[0].City != "济南" {
			t.Errorf("bases after two imports: %+v", bases)
		}
	})
}
