package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"zhupei/recruit"
)

// The province's shortage specialties are replaced as a whole per year,
// listed in code order, and refused (nothing changed) for a missing year or
// an unknown specialty.
func testShortageSpecialties(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	importRows(t, s, 2025, planRows)
	must(t, "PutYear 2025", s.PutYear(ctx, recruit.Year{Year: 2025, Calendar: recruit.DefaultCalendar(2025)}))
	must(t, "PutYear 2024", s.PutYear(ctx, recruit.Year{Year: 2024, Calendar: recruit.DefaultCalendar(2024)}))
	want := func(what string, year int, codes ...string) {
		t.Helper()
		got, err := s.ShortageSpecialties(ctx, year)
		must(t, what, err)
		if codes == nil {
			codes = []string{}
		}
		if !reflect.DeepEqual(got, codes) {
			t.Errorf("%s: shortage specialties of %d = %#v, want %#v", what, year, got, codes)
		}
	}
	want("none set", 2025)
	must(t, "SetShortageSpecialties", s.SetShortageSpecialties(ctx, 2025, []string{"0700", " 0200", "0700"}))
	want("after setting", 2025, "0200", "0700")
	want("another year", 2024)

	wantErr(t, "an unknown specialty", s.SetShortageSpecialties(ctx, 2025, []string{"0100", "9999"}), recruit.ErrUnknownSpecialty("9999"))
	want("after an unknown specialty", 2025, "0200", "0700")
	wantErr(t, "a missing year", s.SetShortageSpecialties(ctx, 2030, []string{"0100"}), recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoYear))
	want("the missing year", 2030)

	must(t, "SetShortageSpecialties 2024", s.SetShortageSpecialties(ctx, 2024, []string{"0100"}))
	must(t, "replace", s.SetShortageSpecialties(ctx, 2025, []string{"0100"}))
	want("after replacing", 2025, "0100")
	must(t, "clear", s.SetShortageSpecialties(ctx, 2025, nil))
	want("after clearing", 2025)
	want("the other year kept", 2024, "0100")
}

// An application's ranked vacancies are stored under its year in order,
// replaced as a whole, and refused for a missing application, a program of
// another year or a bad list.
func testVacancyPrefs(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ps := importRows(t, s, 2025, planRows)
	other := importRows(t, s, 2024, planRows)["齐鲁医院/0100"].ID
	ids := newIdentities(t, s, "vacprefs", 3)
	var apps []recruit.Application
	for i, id := range ids {
		year, prog := 2025, ps["齐鲁医院/0100"].ID
		if i == 2 {
			year, prog = 2024, other
		}
		app, err := s.SubmitChoice(ctx, id, year, 0, recruit.Choice{ProgramID: prog, AcceptsAdjustment: true}, t0, nil)
		must(t, "SubmitChoice", err)
		apps = append(apps, app)
	}
	a, b := apps[0].ID, apps[1].ID
	p1, p2, p3 := ps["齐鲁医院/0100"].ID, ps["烟台毓璜顶医院/0700"].ID, ps["山东省立医院/0200"].ID

	_, err := s.GetVacancyPrefs(ctx, a)
	wantErr(t, "GetVacancyPrefs before any", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoVacancyPrefs))
	t1 := t0.Add(time.Hour)
	must(t, "PutVacancyPrefs", s.PutVacancyPrefs(ctx, recruit.VacancyPrefs{AppID: a, Year: 1999, ProgramIDs: []int64{p1, p3, p2}, UpdatedAt: t1}))
	must(t, "PutVacancyPrefs b", s.PutVacancyPrefs(ctx, recruit.VacancyPrefs{AppID: b, ProgramIDs: []int64{p2}, UpdatedAt: t1}))
	must(t, "PutVacancyPrefs 2024", s.PutVacancyPrefs(ctx, recruit.VacancyPrefs{AppID: apps[2].ID, ProgramIDs: []int64{other}, UpdatedAt: t1}))
	wantPrefs := func(what string, got recruit.VacancyPrefs, app int64, progs ...int64) {
		t.Helper()
		if got.AppID != app || got.Year != 2025 || !reflect.DeepEqual(got.ProgramIDs, progs) {
			t.Errorf("%s = %+v, want application %d of 2025 ranking %v", what, got, app, progs)
		}
		sameTime(t, what+" updated", got.UpdatedAt, t1)
	}
	got, err := s.GetVacancyPrefs(ctx, a)
	must(t, "GetVacancyPrefs", err)
	wantPrefs("GetVacancyPrefs (the year is the application's)", got, a, p1, p3, p2)
	list, err := s.ListVacancyPrefs(ctx, 2025)
	must(t, "ListVacancyPrefs", err)
	if len(list) != 2 {
		t.Fatalf("ListVacancyPrefs(2025) = %+v, want 2", list)
	}
	wantPrefs("first listed", list[0], a, p1, p3, p2)
	wantPrefs("second listed", list[1], b, p2)

	must(t, "replace", s.PutVacancyPrefs(ctx, recruit.VacancyPrefs{AppID: a, ProgramIDs: []int64{p2, p1}, UpdatedAt: t1}))
	got, err = s.GetVacancyPrefs(ctx, a)
	must(t, "GetVacancyPrefs after replacing", err)
	wantPrefs("after replacing", got, a, p2, p1)

	for _, c := range []struct {
		name string
		p    recruit.VacancyPrefs
		want error
	}{
		{"a missing application", recruit.VacancyPrefs{AppID: 99999, ProgramIDs: []int64{p1}}, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoApplication)},
		{"a program of another year", recruit.VacancyPrefs{AppID: a, ProgramIDs: []int64{p1, other}}, recruit.ErrNoPlanInYear(2025)},
		{"a missing program", recruit.VacancyPrefs{AppID: a, ProgramIDs: []int64{99999}}, recruit.ErrNoPlanInYear(2025)},
		{"four programs", recruit.VacancyPrefs{AppID: a, ProgramIDs: []int64{p1, p2, p3, other}}, recruit.CheckVacancyPrefs(recruit.VacancyPrefs{ProgramIDs: make([]int64, 4)})},
		{"a repeated program", recruit.VacancyPrefs{AppID: a, ProgramIDs: []int64{p1, p1}}, recruit.CheckVacancyPrefs(recruit.VacancyPrefs{ProgramIDs: []int64{p1, p1}})},
	} {
		wantErr(t, c.name, s.PutVacancyPrefs(ctx, c.p), c.want)
	}
	got, err = s.GetVacancyPrefs(ctx, a)
	must(t, "GetVacancyPrefs after refusals", err)
	wantPrefs("after refusals", got, a, p2, p1)
}

// A base's ranking is stored per year and base in order, replaced or
// cleared as a whole, and refused for a missing base or a bad list.
func testBaseRankings(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	base1, base2 := twoBases(t, s)
	t1 := t0.Add(time.Hour)
	list := func(what string, year int) []recruit.BaseRanking {
		t.Helper()
		rs, err := s.ListBaseRankings(ctx, year)
		must(t, what, err)
		return rs
	}
	if rs := list("none", 2025); len(rs) != 0 {
		t.Errorf("rankings before any = %+v", rs)
	}
	must(t, "PutBaseRanking 2", s.PutBaseRanking(ctx, recruit.BaseRanking{Year: 2025, BaseID: base2, AppIDs: []int64{7, 3, 9}, UpdatedAt: t1}))
	must(t, "PutBaseRanking 1", s.PutBaseRanking(ctx, recruit.BaseRanking{Year: 2025, BaseID: base1, AppIDs: []int64{4}, UpdatedAt: t1}))
	must(t, "PutBaseRanking 2024", s.PutBaseRanking(ctx, recruit.BaseRanking{Year: 2024, BaseID: base1, AppIDs: []int64{5}, UpdatedAt: t1}))
	rs := list("after putting", 2025)
	if len(rs) != 2 || rs[0].BaseID != min(base1, base2) || rs[1].BaseID != max(base1, base2) {
		t.Fatalf("rankings = %+v, want bases %d and %d in order", rs, base1, base2)
	}
	for _, r := range rs {
		want := map[int64][]int64{base1: {4}, base2: {7, 3, 9}}[r.BaseID]
		if r.Year != 2025 || !reflect.DeepEqual(r.AppIDs, want) {
			t.Errorf("ranking of base %d = %+v, want %v", r.BaseID, r, want)
		}
		sameTime(t, "ranking updated", r.UpdatedAt, t1)
	}
	must(t, "clear", s.PutBaseRanking(ctx, recruit.BaseRanking{Year: 2025, BaseID: base2, UpdatedAt: t1}))
	for _, r := range list("after clearing", 2025) {
		if r.BaseID == base2 && (r.AppIDs == nil || len(r.AppIDs) != 0) {
			t.Errorf("cleared ranking = %#v, want an empty list", r.AppIDs)
		}
	}
	wantErr(t, "a missing base", s.PutBaseRanking(ctx, recruit.BaseRanking{Year: 2025, BaseID: 99999, AppIDs: []int64{1}}), recruit.BaseNotFound(99999))
	bad := recruit.BaseRanking{Year: 2025, BaseID: base1, AppIDs: []int64{2, 2}}
	wantErr(t, "a repeated id", s.PutBaseRanking(ctx, bad), recruit.CheckBaseRanking(bad))
	if rs := list("the other year", 2024); len(rs) != 1 || !reflect.DeepEqual(rs[0].AppIDs, []int64{5}) {
		t.Errorf("rankings of 2024 = %+v", rs)
	}
}
