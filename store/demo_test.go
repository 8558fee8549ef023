package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"zhupei/recruit"
)

func TestDemoCalendar(t *testing.T) {
	def := recruit.DefaultCalendar(2025)
	length := func(c recruit.Calendar) []time.Duration {
		return []time.Duration{
			c.Round1.Sub(c.Registration), c.Round2.Sub(c.Round1), c.Adjustment.Sub(c.Round2),
			c.Confirmation.Sub(c.Adjustment), c.Closed.Sub(c.Confirmation),
		}
	}
	for _, now := range []time.Time{
		time.Date(2025, 3, 15, 10, 0, 0, 0, recruit.Shanghai),
		time.Date(2025, 3, 15, 0, 0, 0, 0, recruit.Shanghai),            // midnight
		time.Date(2025, 3, 14, 16, 30, 0, 0, time.UTC),                  // 00:30 next day in Shanghai
		time.Date(2025, 12, 31, 23, 59, 0, 0, recruit.Shanghai),         // phases cross the year
		time.Date(2026, 1, 1, 0, 0, 0, 0, recruit.Shanghai),             // day 2 of registration is the 1st
		time.Date(2025, 7, 5, 12, 0, 0, 0, time.FixedZone("", -7*3600)), // US time zone
	} {
		c := DemoCalendar(2025, now)
		if p := c.PhaseAt(now); p != recruit.PhaseRegistration {
			t.Errorf("now %v: phase %s, want registration (calendar %+v)", now, p, c)
		}
		if got, want := length(c), length(def); !slices.Equal(got, want) {
			t.Errorf("now %v: phase lengths %v, want %v", now, got, want)
		}
		start := c.Registration.In(recruit.Shanghai)
		if start.Hour() != 0 || start.Minute() != 0 {
			t.Errorf("registration starts at %v, want midnight Shanghai", start)
		}
		if d := now.Sub(c.Registration); d < 24*time.Hour || d >= 48*time.Hour {
			t.Errorf("now %v is %v after registration opened, want during its second day", now, d)
		}
	}
}

func TestNotice(t *testing.T) {
	n := Notice(recruit.DefaultCalendar(2023))
	for _, want := range []string{
		"1. 拟报名人员可在各培训基地官网查看本年度招收通知。",
		"2. 报名端口开放时间为：2023年7月1日--7月10日。",
		"5. 培训基地一志愿资格审核、拟录取时间：7月11日-7月31日。",
		"6. 培训基地二志愿审核、拟录取时间为：8月1日--8月10日。",
		"7. 调剂时间为：8月11日--8月15日。",
		"“住院医师数字化轮转平台”微信公众号",
		"9. 8月31日前，各基地医院核实招录数据，并将所有拟录取人员逐一点击录取。",
	} {
		if !strings.Contains(n, want) {
			t.Errorf("notice lacks %q:\n%s", want, n)
		}
	}
	if lines := strings.Split(n, "\n"); len(lines) != 9 {
		t.Errorf("notice has %d lines, want 9", len(lines))
	}

	// A calendar crossing into the next year names the year where it changes.
	cross := DemoCalendar(2025, time.Date(2025, 12, 20, 9, 0, 0, 0, recruit.Shanghai))
	n = Notice(cross)
	for _, want := range []string{"2025年12月19日--12月28日", "2026年2月18日前"} {
		if !strings.Contains(n, want) {
			t.Errorf("notice lacks %q:\n%s", want, n)
		}
	}
}

func TestDemoPlanShape(t *testing.T) {
	rows, err := DemoPlan()
	if err != nil {
		t.Fatal(err)
	}
	again, err := DemoPlan()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(again) {
		t.Fatalf("not deterministic: %d then %d rows", len(rows), len(again))
	}
	for i := range rows {
		if rows[i] != again[i] {
			t.Fatalf("not deterministic at row %d: %+v vs %+v", i, rows[i], again[i])
		}
	}
	checkDemoPlan(t, rows)
}

// checkDemoPlan checks the promised shape of the demo plan.
func checkDemoPlan(t *testing.T, rows []recruit.PlanRow) {
	t.Helper()
	bases, err := readDemoCSV("demodata/bases-shandong.csv", "name", "city")
	if err != nil {
		t.Fatal(err)
	}
	specs, err := readDemoCSV("demodata/specialties.csv", "code", "name", "group")
	if err != nil {
		t.Fatal(err)
	}
	group := map[string]string{}
	for _, s := range specs {
		group[s[0]] = s[2]
	}
	perBase := map[string]int{}
	tcmBases, dentalBases := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		perBase[r.BaseName]++
		if r.Plan < 1 || r.Plan > 70 {
			t.Errorf("%s %s: plan %d outside 1–70", r.BaseName, r.SpecialtyCode, r.Plan)
		}
		large := demoLargeBases[r.BaseName]
		switch {
		case r.SpecialtyCode == codeInternal && large && (r.Plan < 30 || r.Plan > 70):
			t.Errorf("%s 内科: plan %d, want 30–70", r.BaseName, r.Plan)
		case r.SpecialtyCode == codeSurgery && large && (r.Plan < 20 || r.Plan > 50):
			t.Errorf("%s 外科: plan %d, want 20–50", r.BaseName, r.Plan)
		case group[r.SpecialtyCode] == "tcm":
			tcmBases[r.BaseName] = true
		case group[r.SpecialtyCode] == "dental":
			dentalBases[r.BaseName] = true
			if r.Plan > 15 {
				t.Errorf("%s %s: dental plan %d, want ≤ 15", r.BaseName, r.SpecialtyCode, r.Plan)
			}
		case group[r.SpecialtyCode] == "":
			t.Errorf("%s: unknown specialty %s", r.BaseName, r.SpecialtyCode)
		}
	}
	if len(perBase) != len(bases) {
		t.Errorf("%d bases have programs, want all %d", len(perBase), len(bases))
	}
	for b, n := range perBase {
		if n == len(specs) {
			t.Errorf("%s offers every specialty", b)
		}
	}
	if !tcmBases[demoTCMHospital] || len(tcmBases) < 2 || len(tcmBases) > 5 {
		t.Errorf("TCM at %v, want 山东省中医院 and a few others", tcmBases)
	}
	if len(dentalBases) < 2 || len(dentalBases) > 6 || dentalBases[demoTCMHospital] {
		t.Errorf("dental at %v, want a few general hospitals", dentalBases)
	}
}

func TestDemo(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	now := time.Date(2025, 5, 20, 14, 0, 0, 0, recruit.Shanghai)
	if err := Demo(ctx, st, 2025, now); err != nil {
		t.Fatal(err)
	}
	y, err := st.GetYear(ctx, 2025)
	if err != nil {
		t.Fatal(err)
	}
	if y.Title != "2025年度山东省住院医师规范化培训招录报名系统" {
		t.Errorf("title %q", y.Title)
	}
	if p := y.Calendar.PhaseAt(now); p != recruit.PhaseRegistration {
		t.Errorf("phase at now = %s, want registration", p)
	}
	if !strings.Contains(y.Notice, "报名端口开放时间为：2025年5月19日--5月28日") {
		t.Errorf("notice does not show the demo dates:\n%s", y.Notice)
	}
	programs, err := st.ListPrograms(ctx, recruit.ProgramFilter{Year: 2025})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := DemoPlan()
	if err != nil {
		t.Fatal(err)
	}
	if len(programs) != len(plan) {
		t.Fatalf("%d programs stored, want %d", len(programs), len(plan))
	}
	stored := make([]recruit.PlanRow, len(programs))
	for i, p := range programs {
		stored[i] = recruit.PlanRow{BaseName: p.BaseName, SpecialtyCode: p.SpecialtyCode, Plan: p.Plan}
	}
	checkDemoPlan(t, stored)
	specs, err := st.ListSpecialties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]string{}
	for _, sp := range specs {
		groups[sp.Code] = sp.Group
	}
	if groups["0100"] != "clinical" || groups["2800"] != "dental" || groups["3500"] != "tcm" {
		t.Errorf("specialty groups of the demo: %v", groups)
	}

	// Idempotent: a second run a week later changes nothing.
	if err := Demo(ctx, st, 2025, now.AddDate(0, 0, 7)); err != nil {
		t.Fatal(err)
	}
	y2, err := st.GetYear(ctx, 2025)
	if err != nil {
		t.Fatal(err)
	}
	if !y2.Calendar.Registration.Equal(y.Calendar.Registration) || y2.Notice != y.Notice {
		t.Errorf("second Demo changed the year: %+v", y2.Calendar)
	}
	again, err := st.ListPrograms(ctx, recruit.ProgramFilter{Year: 2025})
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(programs) {
		t.Errorf("second Demo: %d programs, want %d", len(again), len(programs))
	}
}
