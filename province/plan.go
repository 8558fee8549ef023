package province

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"zhupei/recruit"
)

// Audit actions of the plan and the notice.
const (
	ActionUpdatePlan   = "update_plan"
	ActionImportPlan   = "import_plan"
	ActionUpdateNotice = "update_notice"
)

// planChange is what the audit log records of a program's plan.
type planChange struct {
	Base      string `json:"base"`
	Specialty string `json:"specialty"`
	Plan      int    `json:"plan"`
	Admitted  int    `json:"admitted"`
}

// UpdatePlan sets the plan of one program (recruit.Catalogue.SetPlan: never
// below its admitted count, ECONFLICT then) and writes the audit entry
// with the plan before and after. Only an enabled province admin may; base
// staff get ENOTFOUND for another base's program, EFORBIDDEN for their own.
func (s *Service) UpdatePlan(ctx context.Context, by recruit.Staff, programID int64, plan int) (recruit.Program, error) {
	const op = "province.UpdatePlan"
	if by.Role.HasBase() && !by.Disabled { // another base's program is none of theirs: ENOTFOUND
		p, err := s.store.GetProgram(ctx, programID)
		if err == nil && p.BaseID != by.BaseID {
			err = recruit.Errorf(recruit.ENOTFOUND, "%s", recruit.MsgNoProgram)
		}
		if err != nil {
			return recruit.Program{}, recruit.WithOp(op, err)
		}
	}
	if err := requireProvinceFor(by, "修改招收计划"); err != nil {
		return recruit.Program{}, recruit.WithOp(op, err)
	}
	before, after, err := s.store.SetPlan(ctx, programID, plan)
	if err != nil {
		return recruit.Program{}, recruit.WithOp(op, err)
	}
	change := func(p recruit.Program) planChange {
		return planChange{Base: p.BaseName, Specialty: p.SpecialtyCode + " " + p.SpecialtyName, Plan: p.Plan, Admitted: p.Admitted}
	}
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), after.BaseID, ActionUpdatePlan,
		fmt.Sprintf("program:%d", after.ID), change(before), change(after), ""); err != nil {
		return recruit.Program{}, recruit.WithOp(op, err)
	}
	return after, nil
}

// maxAuditedPlans bounds the programs an import's audit entry lists one by
// one, so that it stays inside the audit log's field size.
const maxAuditedPlans = 60

// planSummary is what the audit log records of the plan around an import.
type planSummary struct {
	File     string           `json:"file,omitempty"`
	Programs int              `json:"programs"`
	Plan     int              `json:"plan"`
	Changed  map[string][]int `json:"changed,omitempty"` // "base/code": [before, after], -1 for a new program
	More     int              `json:"more,omitempty"`    // changed programs left out of Changed
}

// ImportPlan reads a plan file (CSV or XLSX, the format of `zhupei
// import-plan`, parsed by Deps.ParsePlan) and imports it into year (0: the
// latest): all or nothing, a bad row (EINVALID, every bad row listed) or a
// plan below a program's admitted count (ECONFLICT) imports nothing. Only
// an enabled province admin may; the audit entry records the file's name,
// the programs and plan total before and after and the plans that changed.
// It returns how many rows were imported.
func (s *Service) ImportPlan(ctx context.Context, by recruit.Staff, year int, name string, file io.Reader) (int, error) {
	const op = "province.ImportPlan"
	if err := requireProvinceFor(by, "导入招收计划"); err != nil {
		return 0, recruit.WithOp(op, err)
	}
	if s.parsePlan == nil {
		return 0, recruit.WithOp(op, recruit.Internal(fmt.Errorf("province: Deps.ParsePlan is not set")))
	}
	y, err := s.year(ctx, year)
	if err != nil {
		return 0, recruit.WithOp(op, err)
	}
	rows, err := s.parsePlan(name, file)
	if err != nil {
		return 0, recruit.WithOp(op, err)
	}
	old, err := s.store.ListPrograms(ctx, recruit.ProgramFilter{Year: y.Year})
	if err != nil {
		return 0, recruit.WithOp(op, err)
	}
	if err := s.store.ImportPlan(ctx, y.Year, rows); err != nil {
		return 0, recruit.WithOp(op, err)
	}
	now, err := s.store.ListPrograms(ctx, recruit.ProgramFilter{Year: y.Year})
	if err != nil {
		return 0, recruit.WithOp(op, err)
	}
	before, after := summarize(old, nil), summarize(now, old)
	after.File = name
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), 0, ActionImportPlan,
		fmt.Sprintf("year:%d", y.Year), before, after, ""); err != nil {
		return 0, recruit.WithOp(op, err)
	}
	return len(rows), nil
}

// summarize sums programs and, when old is not nil, lists those whose plan
// differs from old's (at most maxAuditedPlans of them).
func summarize(programs, old []recruit.Program) planSummary {
	sum := planSummary{Programs: len(programs)}
	was := make(map[int64]int, len(old))
	for _, p := range old {
		was[p.ID] = p.Plan
	}
	for _, p := range programs {
		sum.Plan += p.Plan
		if old == nil {
			continue
		}
		prev, ok := was[p.ID]
		if !ok {
			prev = -1
		}
		if prev == p.Plan {
			continue
		}
		if len(sum.Changed) == maxAuditedPlans {
			sum.More++
			continue
		}
		if sum.Changed == nil {
			sum.Changed = map[string][]int{}
		}
		sum.Changed[p.BaseName+"/"+p.SpecialtyCode] = []int{prev, p.Plan}
	}
	return sum
}

// MaxNotice bounds the 温馨提示 text, in characters.
const MaxNotice = 2000

// UpdateNotice replaces the notice (温馨提示) of year (0: the latest), which
// the home page shows, and writes the audit entry with the text before and
// after. Only an enabled province admin may; the text is trimmed and must
// hold 1–MaxNotice characters.
func (s *Service) UpdateNotice(ctx context.Context, by recruit.Staff, year int, text string) (recruit.Year, error) {
	const op = "province.UpdateNotice"
	if err := requireProvinceFor(by, "修改温馨提示"); err != nil {
		return recruit.Year{}, recruit.WithOp(op, err)
	}
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return recruit.Year{}, recruit.WithOp(op, recruit.Errorf(recruit.EINVALID, "请填写温馨提示的内容"))
	case n > MaxNotice:
		return recruit.Year{}, recruit.WithOp(op, recruit.Errorf(recruit.EINVALID, "温馨提示不能超过 %d 个字（现在 %d 个字）", MaxNotice, n))
	}
	y, err := s.year(ctx, year)
	if err != nil {
		return recruit.Year{}, recruit.WithOp(op, err)
	}
	before := y.Notice
	y.Notice = text
	if err := s.store.PutYear(ctx, y); err != nil {
		return recruit.Year{}, recruit.WithOp(op, err)
	}
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), 0, ActionUpdateNotice,
		fmt.Sprintf("year:%d", y.Year), before, text, ""); err != nil {
		return recruit.Year{}, recruit.WithOp(op, err)
	}
	return y, nil
}

// Plans returns the year (0: the latest) and its programs with their
// counters, as the province's screens of the calendar, the plan and the
// notice show them. Only an enabled province admin may.
func (s *Service) Plans(ctx context.Context, by recruit.Staff, year int) (recruit.Year, []recruit.Program, error) {
	const op = "province.Plans"
	if err := requireProvinceFor(by, "管理年度日程、招收计划和温馨提示"); err != nil {
		return recruit.Year{}, nil, recruit.WithOp(op, err)
	}
	y, err := s.year(ctx, year)
	if err != nil {
		return recruit.Year{}, nil, recruit.WithOp(op, err)
	}
	ps, err := s.store.ListPrograms(ctx, recruit.ProgramFilter{Year: y.Year})
	return y, ps, recruit.WithOp(op, err)
}
