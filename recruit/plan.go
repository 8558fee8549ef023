package recruit

import (
	"fmt"
	"strings"
)

// MaxPlan is the largest plan number of one program.
const MaxPlan = 999

// PlanChecker checks the rows of one plan in order: each row on its own and
// against the rows checked before it. The zero value is ready to use.
type PlanChecker struct {
	seen     map[[2]string]int // base × specialty code → line
	names    map[string]string // specialty code → name
	cities   map[string]string // base → city
	nameLine map[string]int    // specialty code → line of its first name
	cityLine map[string]int    // base → line of its first city
}

// Check trims the text fields of r and returns why r is bad, nil when it is
// good: every text field is required, the specialty code is four digits,
// the plan is 0–MaxPlan, a base × specialty appears once, and every row
// gives a specialty code the same name and a base the same city. planWhy,
// when not empty, is the caller's reason the plan cell is bad (a file cell
// that is no number) and replaces the range check.
func (c *PlanChecker) Check(r *PlanRow, planWhy string) []string {
	if c.seen == nil {
		c.seen, c.names, c.cities = map[[2]string]int{}, map[string]string{}, map[string]string{}
		c.nameLine, c.cityLine = map[string]int{}, map[string]int{}
	}
	r.BaseName, r.City = strings.TrimSpace(r.BaseName), strings.TrimSpace(r.City)
	r.SpecialtyCode, r.SpecialtyName = strings.TrimSpace(r.SpecialtyCode), strings.TrimSpace(r.SpecialtyName)
	r.SpecialtyGroup = strings.TrimSpace(r.SpecialtyGroup)
	var why []string
	for _, f := range []struct{ label, v string }{
		{"基地名称", r.BaseName}, {"城市", r.City}, {"专业代码", r.SpecialtyCode}, {"专业名称", r.SpecialtyName},
	} {
		if f.v == "" {
			why = append(why, f.label+"不能为空")
		}
	}
	if r.SpecialtyCode != "" && (len(r.SpecialtyCode) != 4 || !allDigits(r.SpecialtyCode)) {
		why = append(why, fmt.Sprintf("专业代码“%s”应为4位数字", r.SpecialtyCode))
	}
	switch {
	case planWhy != "":
		why = append(why, planWhy)
	case r.Plan < 0 || r.Plan > MaxPlan:
		why = append(why, PlanNumberProblem(fmt.Sprint(r.Plan)))
	}
	if r.BaseName != "" && r.SpecialtyCode != "" {
		key := [2]string{r.BaseName, r.SpecialtyCode}
		if first, dup := c.seen[key]; dup {
			why = append(why, fmt.Sprintf("与第%d行重复（同一基地同一专业）", first))
		} else {
			c.seen[key] = r.Line
		}
	}
	why = mismatch(why, c.names, c.nameLine, r.SpecialtyCode, r.SpecialtyName, r.Line, "专业代码%s的专业名称与第%d行不一致")
	return mismatch(why, c.cities, c.cityLine, r.BaseName, r.City, r.Line, "基地“%s”的城市与第%d行不一致")
}

// mismatch records the first value seen for key and adds a reason when a
// later line gives key a different value. Empty keys or values are reported
// elsewhere.
func mismatch(why []string, first map[string]string, firstLine map[string]int, key, value string, line int, format string) []string {
	if key == "" || value == "" {
		return why
	}
	prev, ok := first[key]
	if !ok {
		first[key], firstLine[key] = value, line
		return why
	}
	if prev != value {
		why = append(why, fmt.Sprintf(format, key, firstLine[key]))
	}
	return why
}

// PlanNumberProblem is the reason a plan cell holding text is not a plan
// number.
func PlanNumberProblem(text string) string {
	return fmt.Sprintf("计划数“%s”应为 0–%d 的整数", text, MaxPlan)
}

// CheckPlan refuses a plan number outside 0–MaxPlan.
func CheckPlan(plan int) error {
	if plan < 0 || plan > MaxPlan {
		return Errorf(EINVALID, "计划数应为 0–%d 的整数", MaxPlan)
	}
	return nil
}

// ErrPlanBelowSeats is the ECONFLICT of a plan set below the admitted
// count (provisionally admitted + admitted) of its program.
func ErrPlanBelowSeats(plan, admitted int) error {
	return Errorf(ECONFLICT, "计划数不能少于已录取人数：该专业已拟录取或录取 %d 人，计划数 %d 太少", admitted, plan)
}

// PlanLineProblem formats the reasons one row of a plan is bad.
func PlanLineProblem(line int, why []string) string {
	return fmt.Sprintf("第%d行：%s", line, strings.Join(why, "；"))
}

// PlanError is the EINVALID error of a plan with bad rows, each problem a
// PlanLineProblem; nil when there are none.
func PlanError(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return Errorf(EINVALID, "计划文件有%d行错误，未导入任何数据：\n%s", len(problems), strings.Join(problems, "\n"))
}

// CleanPlan checks the plan of year with a PlanChecker and returns the rows
// trimmed, or an EINVALID error (PlanError) and no rows if any is bad. Rows
// without a line number are numbered by their position, from 1.
func CleanPlan(year int, rows []PlanRow) ([]PlanRow, error) {
	if err := CheckYear(year); err != nil {
		return nil, err
	}
	var (
		c        PlanChecker
		problems []string
		out      = make([]PlanRow, len(rows))
	)
	for i, r := range rows {
		if r.Line == 0 {
			r.Line = i + 1
		}
		if why := c.Check(&r, ""); len(why) > 0 {
			problems = append(problems, PlanLineProblem(r.Line, why))
		}
		out[i] = r
	}
	if err := PlanError(problems); err != nil {
		return nil, err
	}
	return out, nil
}

// allDigits reports whether s is non-empty and all ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
