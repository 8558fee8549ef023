package review_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"zhupei/internal/testyear"
	"zhupei/recruit"
	"zhupei/review"
)

func TestPoolAndRankCandidates(t *testing.T) {
	ctx := recruit.WithRequestID(context.Background(), "req-rank")
	f := newFixture(t)
	f.clock.Set(testyear.Day(time.August, 12, 9)) // adjustment
	a := f.Apply(t, f.ProgA, true, testyear.Day(time.July, 2, 9))
	b := f.Apply(t, f.ProgB, true, testyear.Day(time.July, 3, 9))
	c := f.Apply(t, f.ProgB, false, testyear.Day(time.July, 1, 9)) // not in the pool
	if err := f.Store.PutVacancyPrefs(ctx, recruit.VacancyPrefs{AppID: b.ID, ProgramIDs: []int64{f.ProgB, f.ProgA}}); err != nil {
		t.Fatal(err)
	}
	reviewerA := f.Staff(t, recruit.RoleReviewer, f.BaseA)
	adminA := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	adminB := f.Staff(t, recruit.RoleBaseAdmin, f.BaseB)
	prov := f.Staff(t, recruit.RoleProvince, 0)

	got, err := f.svc.Pool(ctx, reviewerA, f.BaseA)
	if err != nil {
		t.Fatal(err)
	}
	want := []recruit.PoolCandidate{
		{AppID: a.ID, ProgramID: f.ProgA, Preference: 1, Rank: 1},
		{AppID: b.ID, ProgramID: f.ProgA, Preference: 2, Rank: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pool of 甲医院 = %+v, want %+v", got, want)
	}
	_, err = f.svc.Pool(ctx, adminB, f.BaseA)
	wantCode(t, "another base's pool", err, recruit.ENOTFOUND)
	_, err = f.svc.Pool(ctx, prov, 9999)
	wantCode(t, "a missing base", err, recruit.ENOTFOUND)

	_, err = f.svc.RankCandidates(ctx, reviewerA, f.BaseA, []int64{b.ID})
	wantCode(t, "a reviewer", err, recruit.EFORBIDDEN)
	_, err = f.svc.RankCandidates(ctx, adminB, f.BaseA, []int64{b.ID})
	wantCode(t, "another base's admin", err, recruit.ENOTFOUND)
	_, err = f.svc.RankCandidates(ctx, adminA, f.BaseA, []int64{c.ID})
	if recruit.ErrorCode(err) != recruit.EINVALID || recruit.ErrorMessage(err) == "" {
		t.Errorf("someone outside the pool: %v, want EINVALID", err)
	}
	_, err = f.svc.RankCandidates(ctx, adminA, f.BaseA, []int64{b.ID, b.ID})
	wantCode(t, "a repeated id", err, recruit.EINVALID)

	r, err := f.svc.RankCandidates(ctx, adminA, f.BaseA, []int64{b.ID})
	if err != nil || r.BaseID != f.BaseA || !reflect.DeepEqual(r.AppIDs, []int64{b.ID}) {
		t.Fatalf("RankCandidates = %+v, %v", r, err)
	}
	got, err = f.svc.Pool(ctx, prov, f.BaseA)
	if err != nil {
		t.Fatal(err)
	}
	want = []recruit.PoolCandidate{
		{AppID: b.ID, ProgramID: f.ProgA, Preference: 2, Rank: 1, Ranked: true},
		{AppID: a.ID, ProgramID: f.ProgA, Preference: 1, Rank: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pool after ranking = %+v, want %+v", got, want)
	}
	if _, err := f.svc.RankCandidates(ctx, prov, f.BaseA, []int64{a.ID, b.ID}); err != nil {
		t.Fatal(err)
	}
	es, err := f.Store.ListAudit(ctx, recruit.AuditFilter{Action: review.ActionRankCandidates})
	if err != nil || len(es) != 2 {
		t.Fatalf("audit %+v, %v", es, err)
	}
	if e := es[0]; e.StaffID != prov.ID || e.BaseID != f.BaseA || e.Before != jsonIDs(b.ID) || e.After != jsonIDs(a.ID, b.ID) || e.RequestID != "req-rank" {
		t.Errorf("newest audit entry %+v", e)
	}

	f.clock.Set(testyear.Day(time.August, 20, 9)) // confirmation
	_, err = f.svc.RankCandidates(ctx, adminA, f.BaseA, []int64{a.ID})
	if recruit.ErrorCode(err) != recruit.EFORBIDDEN || recruit.ErrorMessage(err) != "调剂人员排序仅在调剂阶段进行，当前为录取确认阶段" {
		t.Errorf("in confirmation: %v", err)
	}
}

// jsonIDs is ids as the audit log records them.
func jsonIDs(ids ...int64) string {
	b, _ := json.Marshal(ids)
	return string(b)
}
