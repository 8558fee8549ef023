package storetest

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"zhupei/recruit"
)

func testYears(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	y24 := recruit.Year{Year: 2024, Title: "2024年招录", Notice: "旧提示", Calendar: recruit.DefaultCalendar(2024)}
	y25 := recruit.Year{Year: 2025, Title: "2025年招录", Notice: "请如实填写", Calendar: recruit.DefaultCalendar(2025)}
	must(t, "PutYear 2025", s.PutYear(ctx, y25))
	var err error
	must(t, "PutYear 2024", s.PutYear(ctx, y24))

	got, err := s.GetYear(ctx, 2024)
	must(t, "GetYear", err)
	wantYear(t, got, y24)
	latest, err := s.LatestYear(ctx)
	must(t, "LatestYear", err)
	wantYear(t, latest, y25)

	y25.Title = "2025年住培招录"
	y25.Notice = "新提示"
	y25.Calendar.Round1 = y25.Calendar.Round1.Add(48 * time.Hour)
	must(t, "PutYear replace", s.PutYear(ctx, y25))
	got, err = s.GetYear(ctx, 2025)
	must(t, "GetYear after replace", err)
	wantYear(t, got, y25)
}

func wantYear(t *testing.T, got, want recruit.Year) {
	t.Helper()
	if got.Year != want.Year || got.Title != want.Title || got.Notice != want.Notice {
		t.Errorf("year = %d %q %q, want %d %q %q", got.Year, got.Title, got.Notice, want.Year, want.Title, want.Notice)
	}
	g, w := got.Calendar, want.Calendar
	sameTime(t, "Registration", g.Registration, w.Registration)
	sameTime(t, "Round1", g.Round1, w.Round1)
	sameTime(t, "Round2", g.Round2, w.Round2)
	sameTime(t, "Adjustment", g.Adjustment, w.Adjustment)
	sameTime(t, "Confirmation", g.Confirmation, w.Confirmation)
	sameTime(t, "Closed", g.Closed, w.Closed)
}

var planRows = []recruit.PlanRow{
	{Line: 2, BaseName: "山东省立医院", City: "济南", SpecialtyCode: "0200", SpecialtyName: "儿科", Plan: 5},
	{Line: 3, BaseName: "山东省立医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 10},
	{Line: 4, BaseName: "齐鲁医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 8},
	{Line: 5, BaseName: "烟台毓璜顶医院", City: "烟台", SpecialtyCode: "0700", SpecialtyName: "全科", Plan: 3},
}

func testImportPlan(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	must(t, "ImportPlan", s.ImportPlan(ctx, 2025, planRows))

	bases, err := s.ListBases(ctx)
	must(t, "ListBases", err)
	cities := map[string]string{}
	for i, b := range bases {
		if b.ID <= 0 || (i > 0 && b.ID <= bases[i-1].ID) {
			t.Errorf("bases not ordered by positive id: %+v", bases)
		}
		cities[b.Name] = b.City
	}
	wantCities := map[string]string{"山东省立医院": "济南", "齐鲁医院": "济南", "烟台毓璜顶医院": "烟台"}
	if len(bases) != 3 || !maps.Equal(cities, wantCities) {
		t.Fatalf("bases = %+v, want %v", bases, wantCities)
	}
	baseID := func(name string) int64 {
		for _, b := range bases {
			if b.Name == name {
				return b.ID
			}
		}
		return 0
	}

	specs, err := s.ListSpecialties(ctx)
	must(t, "ListSpecialties", err)
	var codes, names []string
	for _, sp := range specs {
		codes = append(codes, sp.Code)
		names = append(names, sp.Name)
	}
	if !slices.Equal(codes, []string{"0100", "0200", "0700"}) || !slices.Equal(names, []string{"内科", "儿科", "全科"}) {
		t.Errorf("specialties = %+v", specs)
	}

	all, err := s.ListPrograms(ctx, recruit.ProgramFilter{Year: 2025})
	must(t, "ListPrograms", err)
	if len(all) != len(planRows) {
		t.Fatalf("got %d programs, want %d", len(all), len(planRows))
	}
	for i, p := range all {
		if i > 0 {
			q := all[i-1]
			if q.BaseID > p.BaseID || (q.BaseID == p.BaseID && q.SpecialtyCode >= p.SpecialtyCode) {
				t.Errorf("programs not ordered by base id, specialty code: %+v before %+v", q, p)
			}
		}
		row := findRow(planRows, p.BaseName, p.SpecialtyCode)
		if row == nil || p.Year != 2025 || p.BaseID != baseID(p.BaseName) || p.SpecialtyName != row.SpecialtyName ||
			p.Plan != row.Plan || p.Registered != 0 || p.Admitted != 0 || p.ID <= 0 {
			t.Errorf("program %+v does not match its plan row %+v", p, row)
		}
		got, err := s.GetProgram(ctx, p.ID)
		must(t, "GetProgram", err)
		if got != p {
			t.Errorf("GetProgram = %+v, listed %+v", got, p)
		}
	}
	_, err = s.GetProgram(ctx, all[len(all)-1].ID+1000)
	wantCode(t, "GetProgram of a missing id", err, recruit.ENOTFOUND)

	filters := []struct {
		f    recruit.ProgramFilter
		want int
	}{
		{recruit.ProgramFilter{}, 4},
		{recruit.ProgramFilter{Year: 2024}, 0},
		{recruit.ProgramFilter{Year: 2025, BaseID: baseID("山东省立医院")}, 2},
		{recruit.ProgramFilter{Year: 2025, SpecialtyCode: "0100"}, 2},
		{recruit.ProgramFilter{BaseID: baseID("齐鲁医院"), SpecialtyCode: "0100"}, 1},
		{recruit.ProgramFilter{BaseID: baseID("齐鲁医院"), SpecialtyCode: "0200"}, 0},
	}
	for _, tc := range filters {
		ps, err := s.ListPrograms(ctx, tc.f)
		must(t, "ListPrograms filtered", err)
		if len(ps) != tc.want {
			t.Errorf("ListPrograms(%+v) returned %d programs, want %d", tc.f, len(ps), tc.want)
		}
		for _, p := range ps {
			if (tc.f.BaseID != 0 && p.BaseID != tc.f.BaseID) || (tc.f.SpecialtyCode != "" && p.SpecialtyCode != tc.f.SpecialtyCode) {
				t.Errorf("ListPrograms(%+v) returned %+v", tc.f, p)
			}
		}
	}
}

func findRow(rows []recruit.PlanRow, base, code string) *recruit.PlanRow {
	for i := range rows {
		if rows[i].BaseName == base && rows[i].SpecialtyCode == code {
			return &rows[i]
		}
	}
	return nil
}

func testImportPlanInvalid(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	good := recruit.PlanRow{Line: 1, BaseName: "齐鲁医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 3}
	bad := []recruit.PlanRow{
		{Line: 2, BaseName: "齐鲁医院", City: "济南", SpecialtyCode: "0200", SpecialtyName: "儿科", Plan: -1},
		{Line: 2, BaseName: "", City: "济南", SpecialtyCode: "0200", SpecialtyName: "儿科", Plan: 1},
		{Line: 2, BaseName: "齐鲁医院", City: "济南", SpecialtyCode: "", SpecialtyName: "儿科", Plan: 1},
	}
	for _, b := range bad {
		rows := []recruit.PlanRow{good, b}
		_, want := recruit.CleanPlan(2025, rows)
		wantErr(t, "ImportPlan with a bad row", s.ImportPlan(ctx, 2025, rows), want)
	}
	ps, err := s.ListPrograms(ctx, recruit.ProgramFilter{})
	must(t, "ListPrograms", err)
	if len(ps) != 0 {
		t.Errorf("a rejected import left %d programs", len(ps))
	}
}

func testReimport(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	before := importRows(t, s, 2025, planRows)
	ids := newIdentities(t, s, "reimport", 2)
	target := before["山东省立医院/0100"]
	for _, id := range ids {
		_, err := s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: target.ID}, t0, nil)
		must(t, "SubmitChoice", err)
	}
	app, err := s.GetApplication(ctx, 2025, ids[0])
	must(t, "GetApplication", err)
	_, err = s.Review(ctx, app.ID, recruit.StateApproved, "", t0, nil)
	must(t, "Review", err)
	_, err = s.ProvisionallyAdmit(ctx, app.ID, t0, nil)
	must(t, "ProvisionallyAdmit", err)

	rows := []recruit.PlanRow{
		{Line: 1, BaseName: "山东省立医院", City: "济南市", SpecialtyCode: "0100", SpecialtyName: "内科学", Plan: 12},
		{Line: 2, BaseName: "泰安市中心医院", City: "泰安", SpecialtyCode: "0100", SpecialtyName: "内科学", Plan: 2},
	}
	after := importRows(t, s, 2025, rows)
	if len(after) != len(before)+1 {
		t.Errorf("re-import gives %d programs, want %d", len(after), len(before)+1)
	}
	p := after["山东省立医院/0100"]
	if p.ID != target.ID || p.Plan != 12 || p.Registered != 2 || p.Admitted != 1 || p.SpecialtyName != "内科学" {
		t.Errorf("re-imported program = %+v, want id %d, plan 12, counters 2/1, name 内科学", p, target.ID)
	}
	if q := after["齐鲁医院/0100"]; q.ID != before["齐鲁医院/0100"].ID || q.Plan != 8 {
		t.Errorf("program not named by the re-import changed: %+v", q)
	}
	bases, err := s.ListBases(ctx)
	must(t, "ListBases", err)
	if len(bases) != 4 {
		t.Errorf("got %d bases after re-import, want 4", len(bases))
	}
	for _, b := range bases {
		if b.Name == "山东省立医院" && b.City != "济南市" {
			t.Errorf("base city = %q, want the re-imported 济南市", b.City)
		}
	}

	next := importRows(t, s, 2026, rows[:1])
	if q := next["山东省立医院/0100"]; q.ID == target.ID || q.BaseID != target.BaseID || q.Registered != 0 || q.Year != 2026 {
		t.Errorf("next year's program = %+v, want a new program of the same base", q)
	}
	if bs, err := s.ListBases(ctx); err != nil || len(bs) != 4 {
		t.Errorf("ListBases after another year = %d bases, %v; want 4", len(bs), err)
	}
}

func testSpecialtyGroup(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	row := func(code, name, group string) recruit.PlanRow {
		return recruit.PlanRow{Line: 2, BaseName: "齐鲁医院", City: "济南", SpecialtyCode: code, SpecialtyName: name, SpecialtyGroup: group, Plan: 5}
	}
	must(t, "ImportPlan", s.ImportPlan(ctx, 2025, []recruit.PlanRow{row("0100", "内科", "clinical"), row("3500", "中医科", "")}))
	must(t, "ImportPlan without groups", s.ImportPlan(ctx, 2025, []recruit.PlanRow{row("0100", "内科", ""), row("3500", "中医科", "tcm")}))
	specs, err := s.ListSpecialties(ctx)
	must(t, "ListSpecialties", err)
	got := map[string]string{}
	for _, sp := range specs {
		got[sp.Code] = sp.Group
	}
	// An empty group keeps the stored one; a given one is stored.
	if want := map[string]string{"0100": "clinical", "3500": "tcm"}; !maps.Equal(got, want) {
		t.Errorf("groups = %v, want %v", got, want)
	}
}

// Names are trimmed: a padded row names the same base and specialty as a
// clean one.
func testImportPlanTrims(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	padded := []recruit.PlanRow{{Line: 2, BaseName: " 齐鲁医院\t", City: " 济南 ", SpecialtyCode: " 0100", SpecialtyName: "内科　", Plan: 3}}
	ps := importRows(t, s, 2025, padded)
	p, ok := ps["齐鲁医院/0100"]
	if !ok || p.SpecialtyName != "内科" || len(ps) != 1 {
		t.Fatalf("programs of a padded row = %+v, want 齐鲁医院/0100 内科", ps)
	}
	bases, err := s.ListBases(ctx)
	must(t, "ListBases", err)
	if len(bases) != 1 || bases[0].Name != "齐鲁医院" || bases[0].City != "济南" {
		t.Errorf("bases = %+v, want 齐鲁医院 in 济南", bases)
	}
	again := importRows(t, s, 2025, []recruit.PlanRow{{Line: 2, BaseName: "齐鲁医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 4}})
	if q := again["齐鲁医院/0100"]; q.ID != p.ID || q.Plan != 4 || len(again) != 1 {
		t.Errorf("re-import of the clean row = %+v, want program %d with plan 4", again, p.ID)
	}
}

// A base × specialty named twice is refused, and nothing is imported.
func testImportPlanDuplicateRows(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	rows := []recruit.PlanRow{
		{Line: 2, BaseName: "齐鲁医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 3},
		{Line: 3, BaseName: "齐鲁医院 ", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 5},
	}
	err := s.ImportPlan(ctx, 2025, rows)
	wantErr(t, "ImportPlan with a duplicate row", err, recruit.PlanError([]string{recruit.PlanLineProblem(3, []string{"与第2行重复（同一基地同一专业）"})}))
	if ps, err := s.ListPrograms(ctx, recruit.ProgramFilter{}); err != nil || len(ps) != 0 {
		t.Errorf("a refused import left %d programs, %v", len(ps), err)
	}
}

// A plan below the admitted count of its program is refused, and nothing of
// the import is written, not even its good rows.
func testImportPlanBelowAdmitted(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	row := recruit.PlanRow{Line: 7, BaseName: "齐鲁医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 2}
	other := recruit.PlanRow{Line: 8, BaseName: "齐鲁医院", City: "济南", SpecialtyCode: "0200", SpecialtyName: "儿科", Plan: 4}
	ps := importRows(t, s, 2025, []recruit.PlanRow{row, other})
	p := ps["齐鲁医院/0100"].ID
	app := submitApproved(t, s, newIdentities(t, s, "below", 1), p)[0]
	_, err := s.ProvisionallyAdmit(ctx, app.ID, t0, nil)
	must(t, "ProvisionallyAdmit", err)

	other.Plan, row.Plan = 9, 0
	err = s.ImportPlan(ctx, 2025, []recruit.PlanRow{other, row})
	wantErr(t, "ImportPlan below the admitted count", err, recruit.ErrPlanBelowAdmitted(7, 0, 1))
	after := importRows(t, s, 2025, nil)
	if q := after["齐鲁医院/0100"]; q.Plan != 2 || q.Admitted != 1 {
		t.Errorf("program after the refused import = %+v, want plan 2, admitted 1", q)
	}
	if q := after["齐鲁医院/0200"]; q.Plan != 4 {
		t.Errorf("the good row of the refused import was written: %+v", q)
	}

	// Lowering the plan to the admitted count is allowed and leaves no seat.
	row.Plan = 1
	importRows(t, s, 2025, []recruit.PlanRow{row})
	next := submitApproved(t, s, newIdentities(t, s, "below-next", 1), p)[0]
	_, err = s.ProvisionallyAdmit(ctx, next.ID, t0, nil)
	wantErr(t, "ProvisionallyAdmit after lowering the plan", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgProgramFull))
	wantCountersMatchRecount(t, s, 2025)
}
