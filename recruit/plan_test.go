package recruit

import (
	"reflect"
	"strings"
	"testing"
)

func TestCleanPlan(t *testing.T) {
	good := PlanRow{Line: 2, BaseName: "齐鲁医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 3}
	with := func(f func(r *PlanRow)) PlanRow { r := good; r.Line = 3; f(&r); return r }
	tests := []struct {
		name string
		rows []PlanRow
		want []string // problems, "" for none
	}{
		{"good", []PlanRow{good}, nil},
		{"empty base", []PlanRow{with(func(r *PlanRow) { r.BaseName = " " })}, []string{"第3行：基地名称不能为空"}},
		{"empty city", []PlanRow{with(func(r *PlanRow) { r.City = "" })}, []string{"第3行：城市不能为空"}},
		{"empty code and name", []PlanRow{with(func(r *PlanRow) { r.SpecialtyCode, r.SpecialtyName = "", "" })}, []string{"第3行：专业代码不能为空；专业名称不能为空"}},
		{"code letters", []PlanRow{with(func(r *PlanRow) { r.SpecialtyCode = "01A0" })}, []string{"第3行：专业代码“01A0”应为4位数字"}},
		{"negative plan", []PlanRow{with(func(r *PlanRow) { r.Plan = -1 })}, []string{"第3行：计划数“-1”应为 0–999 的整数"}},
		{"plan too big", []PlanRow{with(func(r *PlanRow) { r.Plan = MaxPlan + 1 })}, []string{"第3行：计划数“1000”应为 0–999 的整数"}},
		{"duplicate after trimming", []PlanRow{good, with(func(r *PlanRow) { r.BaseName = " 齐鲁医院 " })}, []string{"第3行：与第2行重复（同一基地同一专业）"}},
		{"name mismatch", []PlanRow{good, with(func(r *PlanRow) { r.SpecialtyName = "大内科"; r.BaseName = "乙" })}, []string{"第3行：专业代码0100的专业名称与第2行不一致"}},
		{"city mismatch", []PlanRow{good, with(func(r *PlanRow) { r.City = "青岛"; r.SpecialtyCode = "0200" })}, []string{"第3行：基地“齐鲁医院”的城市与第2行不一致"}},
		{"no line numbers", []PlanRow{{BaseName: "甲", City: "济南", SpecialtyCode: "1", SpecialtyName: "内科"}}, []string{"第1行：专业代码“1”应为4位数字"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := CleanPlan(2025, tt.rows)
			if tt.want == nil {
				if err != nil || len(rows) != len(tt.rows) {
					t.Fatalf("CleanPlan = %v, %v", rows, err)
				}
				return
			}
			if rows != nil || ErrorCode(err) != EINVALID {
				t.Fatalf("CleanPlan = %v, %v; want EINVALID and no rows", rows, err)
			}
			if want := ErrorMessage(PlanError(tt.want)); ErrorMessage(err) != want {
				t.Errorf("message %q, want %q", ErrorMessage(err), want)
			}
		})
	}
}

func TestCleanPlanTrims(t *testing.T) {
	in := []PlanRow{{Line: 2, BaseName: " 齐鲁医院\t", City: "济南 ", SpecialtyCode: " 0100", SpecialtyName: "内科　", SpecialtyGroup: " clinical ", Plan: 3}}
	rows, err := CleanPlan(2025, in)
	want := []PlanRow{{Line: 2, BaseName: "齐鲁医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", SpecialtyGroup: "clinical", Plan: 3}}
	if err != nil || !reflect.DeepEqual(rows, want) {
		t.Errorf("CleanPlan = %+v, %v; want %+v", rows, err, want)
	}
	if in[0].BaseName != " 齐鲁医院\t" {
		t.Error("CleanPlan changed the caller's rows")
	}
	if _, err := CleanPlan(0, in); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "年度无效") {
		t.Errorf("CleanPlan of year 0: %v", err)
	}
}

// A reason the caller found in a plan cell replaces the range check.
func TestPlanCheckerPlanWhy(t *testing.T) {
	var c PlanChecker
	r := PlanRow{Line: 4, BaseName: "甲", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: -1}
	if got := c.Check(&r, PlanNumberProblem("x")); !reflect.DeepEqual(got, []string{"计划数“x”应为 0–999 的整数"}) {
		t.Errorf("Check = %q", got)
	}
}
