package recruit

import (
	"reflect"
	"testing"
	"time"
)

func TestMayRankVacancies(t *testing.T) {
	cal := DefaultCalendar(2025)
	inAdj := cal.Adjustment.Add(time.Hour)
	early := cal.Round1.Add(time.Hour) // submitted before adjustment
	app := func(s State, accepts bool, submitted time.Time) *Application {
		return &Application{State: s, AcceptsAdjustment: accepts, SubmittedAt: submitted}
	}
	cases := []struct {
		name string
		now  time.Time
		app  *Application
		want string // "" allowed, else part of the EFORBIDDEN message
	}{
		{"pending, accepts adjustment", inAdj, app(StatePending, true, early), ""},
		{"rejected, accepts adjustment", inAdj, app(StateRejected, true, early), ""},
		{"new in adjustment, does not accept", inAdj, app(StatePending, false, cal.Adjustment), ""},
		{"does not accept adjustment", inAdj, app(StatePending, false, early), "未选择接受调剂的人员不能填报调剂志愿"},
		{"approved is locked", inAdj, app(StateApproved, true, early), "已审核通过"},
		{"provisional holds a seat", inAdj, app(StateProvisional, true, early), "您已被拟录取"},
		{"admitted holds a seat", inAdj, app(StateAdmitted, true, early), "您已被录取"},
		{"no application", inAdj, nil, "请先填报并提交志愿"},
		{"withdrawn", inAdj, app(StateWithdrawn, true, early), "请先填报并提交志愿"},
		{"round2", cal.Round2.Add(time.Hour), app(StatePending, true, early), "调剂志愿仅在调剂阶段填报，当前为二志愿审核、拟录取阶段"},
		{"confirmation", cal.Confirmation, app(StatePending, true, early), "当前为录取确认阶段"},
		{"registration", cal.Registration, app(StatePending, true, early), "当前为报名阶段"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := MayRankVacancies(cal, c.now, c.app)
			if c.want == "" {
				wantOK(t, err)
			} else {
				wantForbidden(t, err, c.want)
			}
		})
	}
}

func TestCheckVacancyPrefs(t *testing.T) {
	for _, c := range []struct {
		ids  []int64
		want string
	}{
		{[]int64{1}, ""},
		{[]int64{3, 1, 2}, ""},
		{nil, "调剂志愿最多填报 3 个，至少 1 个"},
		{[]int64{1, 2, 3, 4}, "调剂志愿最多填报 3 个，至少 1 个"},
		{[]int64{1, 2, 1}, msgPrefsRepeated},
		{[]int64{1, 0}, msgPrefsBadID},
	} {
		err := CheckVacancyPrefs(VacancyPrefs{AppID: 1, ProgramIDs: c.ids})
		if c.want == "" {
			wantOK(t, err)
		} else {
			wantInvalid(t, err, c.want)
		}
	}
}

func TestCheckBaseRanking(t *testing.T) {
	wantOK(t, CheckBaseRanking(BaseRanking{Year: 2025, BaseID: 1}))
	wantOK(t, CheckBaseRanking(BaseRanking{Year: 2025, BaseID: 1, AppIDs: []int64{5, 3}}))
	wantInvalid(t, CheckBaseRanking(BaseRanking{Year: 2025, BaseID: 1, AppIDs: []int64{5, 3, 5}}), "排序中同一报名人员（报名编号 5）出现了两次")
	wantInvalid(t, CheckBaseRanking(BaseRanking{Year: 2025, BaseID: 1, AppIDs: []int64{-2}}), msgRankingBadID)
	wantInvalid(t, CheckBaseRanking(BaseRanking{Year: 2025, BaseID: 1, AppIDs: make([]int64, MaxBaseRanking+1)}), "一次最多排序 20000 名调剂人员")
	wantInvalid(t, CheckBaseRanking(BaseRanking{BaseID: 1}), "年度无效")
	if err := CheckBaseRanking(BaseRanking{Year: 2025}); ErrorCode(err) != ENOTFOUND {
		t.Errorf("base 0: %v, want ENOTFOUND", err)
	}
}

func TestCleanShortage(t *testing.T) {
	got, err := CleanShortage([]string{" 0700", "0400", "", "0700", "0300 "})
	wantOK(t, err)
	if want := []string{"0300", "0400", "0700"}; !reflect.DeepEqual(got, want) {
		t.Errorf("CleanShortage = %v, want %v", got, want)
	}
	if got, err := CleanShortage(nil); err != nil || len(got) != 0 || got == nil {
		t.Errorf("CleanShortage(nil) = %#v, %v; want an empty list", got, err)
	}
	if _, err := CleanShortage([]string{"01234567890123456"}); ErrorCode(err) != ENOTFOUND {
		t.Errorf("a 17-character code: %v, want ENOTFOUND", err)
	}
	many := make([]string, MaxShortageSpecialties+1)
	for i := range many {
		many[i] = string(rune('A'+i/26)) + string(rune('A'+i%26))
	}
	_, err = CleanShortage(many)
	wantInvalid(t, err, "紧缺专业最多设定 100 个")
}

func TestPoolPrefs(t *testing.T) {
	vacant := func(id int64) bool { return id != 9 }
	for _, c := range []struct {
		choice int64
		stored []int64
		want   []int64
	}{
		{1, nil, []int64{1}},
		{1, []int64{1, 2, 3}, []int64{1, 2, 3}},
		{4, []int64{1, 2, 3}, []int64{4, 1, 2}}, // the choice changed after ranking
		{9, []int64{9, 2}, []int64{2}},          // the choice is full
		{1, []int64{1, 9, 3}, []int64{1, 3}},
		{9, nil, []int64{}},
	} {
		got := PoolPrefs(Application{ProgramID: c.choice}, c.stored, vacant)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("PoolPrefs(choice %d, %v) = %v, want %v", c.choice, c.stored, got, c.want)
		}
	}
}

func TestBuildPool(t *testing.T) {
	cal := DefaultCalendar(2025)
	at := func(h int) time.Time { return cal.Round1.Add(time.Duration(h) * time.Hour) }
	progs := []Program{
		{ID: 1, BaseID: 10, Plan: 2, Admitted: 1}, // 1 vacancy
		{ID: 2, BaseID: 10, Plan: 3, Admitted: 3}, // full
		{ID: 3, BaseID: 20, Plan: 2},              // 2 vacancies
	}
	apps := []Application{
		{ID: 100, ProgramID: 1, State: StatePending, AcceptsAdjustment: true, SubmittedAt: at(3)},
		{ID: 101, ProgramID: 1, State: StateApproved, AcceptsAdjustment: true, SubmittedAt: at(5)},
		{ID: 102, ProgramID: 1, State: StateRejected, AcceptsAdjustment: true, SubmittedAt: at(1)},
		{ID: 103, ProgramID: 2, State: StatePending, AcceptsAdjustment: true, SubmittedAt: at(2)},
		{ID: 104, ProgramID: 2, State: StateProvisional, AcceptsAdjustment: true, SubmittedAt: at(0)}, // holds a seat
		{ID: 105, ProgramID: 3, State: StatePending, SubmittedAt: at(0)},                              // does not accept adjustment
		{ID: 106, ProgramID: 2, State: StatePending, AcceptsAdjustment: true, SubmittedAt: at(4)},     // ranks only full programs
	}
	prefs := []VacancyPrefs{
		{AppID: 100, ProgramIDs: []int64{1, 3}},
		{AppID: 102, ProgramIDs: []int64{1, 3}},
		{AppID: 103, ProgramIDs: []int64{2, 3, 1}},
		{AppID: 104, ProgramIDs: []int64{2, 1}},
	}
	d := PoolData{Year: Year{Year: 2025, Calendar: cal}, Programs: progs, Applications: apps, Prefs: prefs}
	p := BuildPool(d)
	var members []int64
	for _, m := range p.Members {
		members = append(members, m.App.ID)
	}
	if want := []int64{102, 103, 100, 101}; !reflect.DeepEqual(members, want) {
		t.Errorf("members = %v, want %v (submission order, in the pool, listing a vacancy)", members, want)
	}
	in := p.Input()
	want := PlacementInput{
		Applicants: []PlacementApplicant{{ID: 102, Prefs: []int64{1, 3}}, {ID: 103, Prefs: []int64{3, 1}}, {ID: 100, Prefs: []int64{1, 3}}, {ID: 101, Prefs: []int64{1}}},
		Programs: []PlacementProgram{
			// base 10: approved 101 first, then by submission; 102 was rejected there
			{ID: 1, Capacity: 1, Ranking: []int64{101, 103, 100}},
			{ID: 3, Capacity: 2, Ranking: []int64{102, 103, 100}},
		},
	}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("Input = %+v\nwant    %+v", in, want)
	}

	// Base 20 ranks 100 first itself; 999 is not in the pool, 101 does not list it.
	d.Rankings = []BaseRanking{{Year: 2025, BaseID: 20, AppIDs: []int64{999, 100, 101}}}
	p = BuildPool(d)
	if got := p.Input().Programs[1].Ranking; !reflect.DeepEqual(got, []int64{100, 102, 103}) {
		t.Errorf("base 20's ranking = %v, want its own 100 first, then review order", got)
	}
	wantCands := []PoolCandidate{
		{AppID: 100, ProgramID: 3, Preference: 2, Rank: 1, Ranked: true},
		{AppID: 102, ProgramID: 3, Preference: 2, Rank: 2},
		{AppID: 103, ProgramID: 3, Preference: 1, Rank: 3},
	}
	if got := p.Candidates(20); !reflect.DeepEqual(got, wantCands) {
		t.Errorf("Candidates(20) = %+v, want %+v", got, wantCands)
	}
	if got := p.Candidates(30); len(got) != 0 || got == nil {
		t.Errorf("Candidates of a base nobody lists = %#v, want empty", got)
	}
	out, err := Place(p.Input())
	if err != nil {
		t.Fatal(err)
	}
	// 101 takes program 1 (base 10 puts it first); 100 and 102 fill program 3; 103 is left.
	if want := map[int64]int64{101: 1, 100: 3, 102: 3}; !reflect.DeepEqual(out.Assigned, want) {
		t.Errorf("placement = %v, want %v", out.Assigned, want)
	}
	if prog, ok := p.Program(2); !ok || prog.Vacancies() != 0 {
		t.Errorf("Program(2) = %+v, %v", prog, ok)
	}
}
