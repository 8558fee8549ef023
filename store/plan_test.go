package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"zhupei/recruit"
)

func TestParsePlanCSV(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []recruit.PlanRow
	}{
		{
			name: "chinese header with BOM, blank line, spaces",
			file: "\uFEFF基地名称,城市,专业代码,专业名称,计划数\n山东省立医院,济南,0100,内科,45\n\n 青岛大学附属医院 ,青岛,0900,外科, 0 \n",
			want: []recruit.PlanRow{
				{Line: 2, BaseName: "山东省立医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", SpecialtyGroup: "clinical", Plan: 45},
				{Line: 4, BaseName: "青岛大学附属医院", City: "青岛", SpecialtyCode: "0900", SpecialtyName: "外科", SpecialtyGroup: "clinical", Plan: 0},
			},
		},
		{
			name: "english header in another order, quoted field",
			file: "plan,specialty_code,Specialty_Name,base,city\r\n999,3500,中医科,\"山东省中医院\",济南\r\n",
			want: []recruit.PlanRow{
				{Line: 2, BaseName: "山东省中医院", City: "济南", SpecialtyCode: "3500", SpecialtyName: "中医科", SpecialtyGroup: "tcm", Plan: 999},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePlan("plan.CSV", strings.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// xlsx builds a workbook whose first sheet holds rows, starting at A1;
// a nil row is left empty.
func xlsx(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	// A second sheet must be ignored.
	if _, err := f.NewSheet("备注"); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParsePlanXLSX(t *testing.T) {
	data := xlsx(t, [][]any{
		{"基地名称", "城市", "专业代码", "专业名称", "计划数"},
		{"山东大学齐鲁医院", "济南", "0100", "内科", 60},
		nil,
		{"烟台毓璜顶医院", "烟台", "2800", "口腔全科", "7"},
	})
	got, err := ParsePlan("计划.xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []recruit.PlanRow{
		{Line: 2, BaseName: "山东大学齐鲁医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", SpecialtyGroup: "clinical", Plan: 60},
		{Line: 4, BaseName: "烟台毓璜顶医院", City: "烟台", SpecialtyCode: "2800", SpecialtyName: "口腔全科", SpecialtyGroup: "dental", Plan: 7},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}

	bad := xlsx(t, [][]any{
		{"base", "city", "specialty_code", "specialty_name", "plan"},
		{"山东省立医院", "济南", 100, "内科", 10}, // a numeric cell loses the leading zero
	})
	_, err = ParsePlan("plan.xlsx", bytes.NewReader(bad))
	assertPlanError(t, err, "第2行：", "专业代码“100”应为4位数字")
}

// assertPlanError checks err is EINVALID and its message has every fragment.
func assertPlanError(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if recruit.ErrorCode(err) != recruit.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
	msg := recruit.ErrorMessage(err)
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("message %q lacks %q", msg, f)
		}
	}
}

func TestParsePlanBadRows(t *testing.T) {
	const header = "基地名称,城市,专业代码,专业名称,计划数\n"
	const good = "山东省立医院,济南,0100,内科,45\n"
	tests := []struct {
		name string
		body string // after the header; the good row is line 2
		want []string
	}{
		{"empty base", ",济南,0100,内科,5\n", []string{"第3行：基地名称不能为空"}},
		{"empty city", "烟台毓璜顶医院,,0100,内科,5\n", []string{"第3行：城市不能为空"}},
		{"missing fields", "烟台毓璜顶医院,烟台\n", []string{"第3行：", "专业代码不能为空", "专业名称不能为空", "计划数不能为空"}},
		{"code letters", "烟台毓璜顶医院,烟台,01A0,内科,5\n", []string{"第3行：专业代码“01A0”应为4位数字"}},
		{"code short", "烟台毓璜顶医院,烟台,100,内科,5\n", []string{"第3行：专业代码“100”应为4位数字"}},
		{"plan negative", "烟台毓璜顶医院,烟台,0100,内科,-1\n", []string{"第3行：计划数“-1”应为 0–999 的整数"}},
		{"plan too big", "烟台毓璜顶医院,烟台,0100,内科,1000\n", []string{"第3行：计划数“1000”"}},
		{"plan decimal", "烟台毓璜顶医院,烟台,0100,内科,2.5\n", []string{"第3行：计划数“2.5”"}},
		{"plan signed", "烟台毓璜顶医院,烟台,0100,内科,+3\n", []string{"第3行：计划数“+3”"}},
		{"duplicate", "\n山东省立医院,济南,0100,内科,50\n", []string{"第4行：与第2行重复"}},
		{"name mismatch", "烟台毓璜顶医院,烟台,0100,大内科,5\n", []string{"第3行：专业代码0100的专业名称与第2行不一致"}},
		{"city mismatch", "山东省立医院,青岛,0900,外科,5\n", []string{"第3行：基地“山东省立医院”的城市与第2行不一致"}},
		{
			"several bad rows",
			"烟台毓璜顶医院,烟台,0100,内科,x\n烟台毓璜顶医院,烟台,0900,外科,3\n,烟台,0900,外科,3\n",
			[]string{"有2行错误", "第3行：计划数“x”", "第5行：基地名称不能为空"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ParsePlan("plan.csv", strings.NewReader(header+good+tt.body))
			if rows != nil {
				t.Errorf("rows = %v, want none", rows)
			}
			assertPlanError(t, err, tt.want...)
			if msg := recruit.ErrorMessage(err); strings.Contains(msg, "第2行：") {
				t.Errorf("good line 2 reported: %q", msg)
			}
		})
	}
}

func TestParsePlanBadFile(t *testing.T) {
	tests := []struct {
		name, file, content string
		want                []string
	}{
		{"extension", "plan.xls", "x", []string{".csv", ".xlsx"}},
		{"empty", "plan.csv", "", []string{"空"}},
		{"header only", "plan.csv", "base,city,specialty_code,specialty_name,plan\n", []string{"没有计划数据"}},
		{"missing column", "plan.csv", "基地名称,城市,专业代码,专业名称\nA,B,0100,内科\n", []string{"第1行", "计划数/plan"}},
		{"column twice", "plan.csv", "base,基地名称,城市,专业代码,专业名称,计划数\n", []string{"第1行", "基地名称", "两次"}},
		{"not utf-8", "plan.csv", "\xbb\xf9\xb5\xd8,city\n", []string{"UTF-8"}},
		{"bad quotes", "plan.csv", "base,city,specialty_code,specialty_name,plan\n\"A,B,0100,内科,3\n", []string{"CSV"}},
		{"not a workbook", "plan.xlsx", "base,city\n", []string{"XLSX"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ParsePlan(tt.file, strings.NewReader(tt.content))
			if rows != nil {
				t.Errorf("rows = %v, want none", rows)
			}
			assertPlanError(t, err, tt.want...)
		})
	}
}

func TestImportPlanFile(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const header = "基地名称,城市,专业代码,专业名称,计划数\n"

	// One bad row: nothing at all is imported.
	bad := write("bad.csv", header+"山东省立医院,济南,0100,内科,45\n山东省立医院,济南,0900,外科,abc\n")
	n, err := ImportPlanFile(ctx, st, 2025, bad)
	assertPlanError(t, err, "第3行：计划数“abc”")
	if n != 0 {
		t.Errorf("n = %d after a bad file", n)
	}
	if ps, err := st.ListPrograms(ctx, recruit.ProgramFilter{Year: 2025}); err != nil || len(ps) != 0 {
		t.Fatalf("programs after a bad file = %v, %v; want none", ps, err)
	}
	if bs, err := st.ListBases(ctx); err != nil || len(bs) != 0 {
		t.Fatalf("bases after a bad file = %v, %v; want none", bs, err)
	}

	good := write("good.csv", header+"山东省立医院,济南,0100,内科,45\n山东省立医院,济南,0900,外科,30\n青岛大学附属医院,青岛,0100,内科,52\n")
	n, err = ImportPlanFile(ctx, st, 2025, good)
	if err != nil || n != 3 {
		t.Fatalf("ImportPlanFile = %d, %v; want 3", n, err)
	}
	ps, err := st.ListPrograms(ctx, recruit.ProgramFilter{Year: 2025})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, p := range ps {
		got[p.BaseName+"/"+p.SpecialtyName] = p.Plan
	}
	want := map[string]int{"山东省立医院/内科": 45, "山东省立医院/外科": 30, "青岛大学附属医院/内科": 52}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("programs = %v, want %v", got, want)
	}

	if _, err := ImportPlanFile(ctx, st, 2025, filepath.Join(dir, "missing.csv")); recruit.ErrorCode(err) != recruit.EINVALID {
		t.Errorf("missing file: err = %v, want EINVALID", err)
	}
}

// A code outside the national catalogue (one the province added) gets no
// group from the file; the store keeps what it has.
func TestParsePlanLeavesUnknownCodesWithoutGroup(t *testing.T) {
	rows, err := ParsePlan("plan.csv", strings.NewReader("基地名称,城市,专业代码,专业名称,计划数\n山东省立医院,济南,9901,省定专业,3\n"))
	if err != nil || len(rows) != 1 || rows[0].SpecialtyGroup != "" {
		t.Fatalf("rows %+v, %v", rows, err)
	}
}
