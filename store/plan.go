package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"zhupei/recruit"
)

// MaxPlanFileSize is the largest plan file ParsePlan reads.
const MaxPlanFileSize = 10 << 20

// planColumns are the columns of a plan file in their canonical order, each
// with the header names accepted for it (Chinese or English).
var planColumns = []struct {
	label   string
	headers []string
}{
	{"基地名称", []string{"基地名称", "base"}},
	{"城市", []string{"城市", "city"}},
	{"专业代码", []string{"专业代码", "specialty_code"}},
	{"专业名称", []string{"专业名称", "specialty_name"}},
	{"计划数", []string{"计划数", "plan"}},
}

// Indexes into planColumns.
const (
	colBase = iota
	colCity
	colCode
	colName
	colPlan
)

// record is one non-empty line of a plan file with its 1-based line number.
type record struct {
	line   int
	fields []string
}

// ParsePlan reads a plan file: a CSV (UTF-8, with or without BOM) or the
// first sheet of an XLSX workbook, chosen by the extension of name. The first
// line is a header naming the columns 基地名称/base, 城市/city,
// 专业代码/specialty_code, 专业名称/specialty_name and 计划数/plan in any
// order. Every row is validated; if any is bad the result is an EINVALID
// error listing each bad row as "第N行：原因" and no rows.
func ParsePlan(name string, r io.Reader) ([]recruit.PlanRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPlanFileSize+1))
	if err != nil {
		return nil, recruit.Internal(err)
	}
	if len(data) > MaxPlanFileSize {
		return nil, recruit.Errorf(recruit.EINVALID, "计划文件过大，不能超过 %d MB", MaxPlanFileSize>>20)
	}
	var recs []record
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		recs, err = readCSV(data)
	case ".xlsx":
		recs, err = readXLSX(data)
	default:
		return nil, recruit.Errorf(recruit.EINVALID, "计划文件只支持 .csv 或 .xlsx 格式")
	}
	if err != nil {
		return nil, err
	}
	rows, err := planRows(recs)
	if err != nil {
		return nil, err
	}
	// A plan file names specialties by code and name; their group
	// (clinical, dental, tcm) comes from the national catalogue. Codes the
	// province added keep whatever group is stored.
	groups, err := nationalGroups()
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].SpecialtyGroup = groups[rows[i].SpecialtyCode]
	}
	return rows, nil
}

// nationalGroups maps the national specialty codes to their groups.
func nationalGroups() (map[string]string, error) {
	specs, err := readDemoCSV("demodata/specialties.csv", "code", "name", "group")
	if err != nil {
		return nil, err
	}
	groups := make(map[string]string, len(specs))
	for _, s := range specs {
		groups[s[0]] = s[2]
	}
	return groups, nil
}

// ImportPlanFile parses the plan file at path and imports it into year.
// Nothing is imported when any row is bad.
func ImportPlanFile(ctx context.Context, st recruit.Store, year int, path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, recruit.Errorf(recruit.EINVALID, "无法打开计划文件 %s：%v", path, err)
	}
	defer f.Close()
	rows, err := ParsePlan(path, f)
	if err != nil {
		return 0, err
	}
	if err := st.ImportPlan(ctx, year, rows); err != nil {
		return 0, err
	}
	return len(rows), nil
}

// readCSV splits a UTF-8 CSV file into records, skipping blank lines but
// keeping the file's line numbers.
func readCSV(data []byte) ([]record, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		return nil, recruit.Errorf(recruit.EINVALID, "计划文件不是 UTF-8 编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重新导入")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	var recs []record
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, recruit.Errorf(recruit.EINVALID, "第%d行：CSV 格式错误（%v）", pe.Line, pe.Err)
			}
			return nil, recruit.Internal(err)
		}
		line, _ := cr.FieldPos(0)
		recs = append(recs, record{line: line, fields: fields})
	}
}

// readXLSX returns the non-empty rows of the first sheet of a workbook.
func readXLSX(data []byte) ([]record, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, recruit.Errorf(recruit.EINVALID, "无法读取 XLSX 文件，请确认文件未损坏且未加密")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, recruit.Errorf(recruit.EINVALID, "XLSX 文件中没有工作表")
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, recruit.Errorf(recruit.EINVALID, "无法读取工作表“%s”", sheets[0])
	}
	var recs []record
	for i, fields := range rows {
		if strings.TrimSpace(strings.Join(fields, "")) == "" {
			continue
		}
		recs = append(recs, record{line: i + 1, fields: fields})
	}
	return recs, nil
}

// planRows validates the header and every data record.
func planRows(recs []record) ([]recruit.PlanRow, error) {
	if len(recs) == 0 {
		return nil, recruit.Errorf(recruit.EINVALID, "计划文件是空的")
	}
	cols, err := headerColumns(recs[0])
	if err != nil {
		return nil, err
	}
	if len(recs) == 1 {
		return nil, recruit.Errorf(recruit.EINVALID, "计划文件只有表头，没有计划数据")
	}
	var (
		rows     = make([]recruit.PlanRow, 0, len(recs)-1)
		problems []string
		check    recruit.PlanChecker
	)
	for _, rec := range recs[1:] {
		v := make([]string, len(planColumns))
		for c, idx := range cols {
			if idx < len(rec.fields) {
				v[c] = rec.fields[idx]
			}
		}
		row := recruit.PlanRow{Line: rec.line, BaseName: v[colBase], City: v[colCity], SpecialtyCode: v[colCode], SpecialtyName: v[colName]}
		var planWhy string
		row.Plan, planWhy = parsePlan(strings.TrimSpace(v[colPlan]))
		if why := check.Check(&row, planWhy); len(why) > 0 {
			problems = append(problems, recruit.PlanLineProblem(rec.line, why))
			continue
		}
		rows = append(rows, row)
	}
	if err := recruit.PlanError(problems); err != nil {
		return nil, err
	}
	return rows, nil
}

// headerColumns maps each plan column to its index in the header record.
func headerColumns(h record) ([]int, error) {
	cols := make([]int, len(planColumns))
	for c := range cols {
		cols[c] = -1
	}
	for i, f := range h.fields {
		name := strings.ToLower(strings.TrimSpace(f))
		for c, pc := range planColumns {
			for _, alias := range pc.headers {
				if name != alias {
					continue
				}
				if cols[c] >= 0 {
					return nil, recruit.Errorf(recruit.EINVALID, "第%d行：表头中“%s”列出现了两次", h.line, pc.label)
				}
				cols[c] = i
			}
		}
	}
	var missing []string
	for c, idx := range cols {
		if idx < 0 {
			missing = append(missing, strings.Join(planColumns[c].headers, "/"))
		}
	}
	if len(missing) > 0 {
		return nil, recruit.Errorf(recruit.EINVALID, "第%d行：表头缺少列 %s（表头应为：基地名称,城市,专业代码,专业名称,计划数）", h.line, strings.Join(missing, "、"))
	}
	return cols, nil
}

// parsePlan parses a plan cell: ASCII digits only (the range is checked
// with the row). It returns why the cell is no plan number, "" when it is.
func parsePlan(s string) (int, string) {
	if s == "" {
		return 0, planColumns[colPlan].label + "不能为空"
	}
	n, err := strconv.Atoi(s)
	if strings.Trim(s, "0123456789") != "" || err != nil {
		return 0, recruit.PlanNumberProblem(s)
	}
	return n, ""
}
