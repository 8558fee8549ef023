package store

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"zhupei/recruit"
)

// FuzzParsePlan feeds arbitrary bytes to the plan importer as a CSV and as
// an XLSX file: it answers rows or an EINVALID with a message, never a
// panic or an internal error, and every row it returns has a base, a
// specialty and a plan that is not negative.
func FuzzParsePlan(f *testing.F) {
	f.Add([]byte("\uFEFF基地名称,城市,专业代码,专业名称,计划数\n山东省立医院,济南,0100,内科,45\n"))
	f.Add([]byte("base,city,specialty_code,specialty_name,plan\n\"a\"\"b\",c,0100,d,-1\n"))
	f.Add([]byte("基地名称,城市\n,,,,,,,\n"))
	x := excelize.NewFile()
	for i, v := range []any{"基地名称", "城市", "专业代码", "专业名称", "计划数", "齐鲁医院", "济南", "0200", "儿科", 3} {
		cell, _ := excelize.CoordinatesToCellName(i%5+1, i/5+1)
		_ = x.SetCellValue("Sheet1", cell, v)
	}
	var xlsx bytes.Buffer
	if err := x.Write(&xlsx); err != nil {
		f.Fatal(err)
	}
	f.Add(xlsx.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"plan.csv", "plan.xlsx"} {
			rows, err := ParsePlan(name, bytes.NewReader(data))
			if err != nil {
				if code := recruit.ErrorCode(err); code != recruit.EINVALID || recruit.ErrorMessage(err) == "" {
					t.Fatalf("%s: %v (code %s), want EINVALID with a message", name, err, code)
				}
				continue
			}
			for _, r := range rows {
				if r.BaseName == "" || r.SpecialtyCode == "" || r.Plan < 0 {
					t.Fatalf("%s: accepted row %+v", name, r)
				}
			}
		}
	})
}
