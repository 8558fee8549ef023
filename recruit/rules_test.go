package recruit

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var allPhases = []Phase{PhaseBefore, PhaseRegistration, PhaseRound1, PhaseRound2, PhaseAdjustment, PhaseConfirmation, PhaseClosed}

// allStates are the application states of the tables; "none" is no application.
var allStates = []string{"none", "draft", "withdrawn", "pending", "approved", "rejected", "provisional", "admitted"}

var applicantActions = []Action{ActionBind, ActionRegister, ActionEditProfile, ActionChangeSpecialty, ActionChangeBase, ActionGenerateForm}

var baseActions = []Action{ActionReview, ActionProvisionalAdmit, ActionPublish, ActionConfirmAdmission, ActionSetBaseDates}

// applicantTable is the applicant side of DESIGN.md's phase table: one row
// per phase × state, one column per applicant action in the order of
// applicantActions (Y allowed, - refused).
const applicantTable = `
before       none        Y - - - - -
before       draft       Y - - - - -
before       withdrawn   Y - - - - -
before       pending     Y - - - - Y
before       approved    Y - - - - Y
before       rejected    Y - - - - Y
before       provisional Y - - - - Y
before       admitted    Y - - - - Y
registration none        Y Y Y Y Y -
registration draft       Y Y Y Y Y -
registration withdrawn   Y Y Y Y Y -
registration pending     Y - Y Y Y Y
registration approved    Y - Y Y Y Y
registration rejected    Y - Y Y Y Y
registration provisional Y - - - - Y
registration admitted    Y - - - - Y
round1       none        Y - - - - -
round1       draft       Y - - - - -
round1       withdrawn   Y - - - - -
round1       pending     Y - - - - Y
round1       approved    Y - - - - Y
round1       rejected    Y - Y Y - Y
round1       provisional Y - - - - Y
round1       admitted    Y - - - - Y
round2       none        Y Y Y Y Y -
round2       draft       Y Y Y Y Y -
round2       withdrawn   Y Y Y Y Y -
round2       pending     Y - Y Y Y Y
round2       approved    Y - - - - Y
round2       rejected    Y - Y Y - Y
round2       provisional Y - - - - Y
round2       admitted    Y - - - - Y
adjustment   none        Y Y Y Y Y -
adjustment   draft       Y Y Y Y Y -
adjustment   withdrawn   Y Y Y Y Y -
adjustment   pending     Y - Y Y Y Y
adjustment   approved    Y - - - - Y
adjustment   rejected    Y - Y Y - Y
adjustment   provisional Y - - - - Y
adjustment   admitted    Y - - - - Y
confirmation none        Y - - - - -
confirmation draft       Y - - - - -
confirmation withdrawn   Y - - - - -
confirmation pending     Y - - - - Y
confirmation approved    Y - - - - Y
confirmation rejected    Y - - - - Y
confirmation provisional Y - - - - Y
confirmation admitted    Y - - - - Y
closed       none        Y - - - - -
closed       draft       Y - - - - -
closed       withdrawn   Y - - - - -
closed       pending     Y - - - - Y
closed       approved    Y - - - - Y
closed       rejected    Y - - - - Y
closed       provisional Y - - - - Y
closed       admitted    Y - - - - Y
`

// baseTable is the base side: columns in the order of baseActions.
const baseTable = `
before       none        - - - - -
before       draft       - - - - -
before       withdrawn   - - - - -
before       pending     - - - - -
before       approved    - - - - -
before       rejected    - - - - -
before       provisional - - - - -
before       admitted    - - - - -
registration none        - - - - Y
registration draft       - - - - Y
registration withdrawn   - - - - Y
registration pending     - - - - Y
registration approved    - - - - Y
registration rejected    - - - - Y
registration provisional - - - - Y
registration admitted    - - - - Y
round1       none        - - Y - Y
round1       draft       - - Y - Y
round1       withdrawn   - - Y - Y
round1       pending     Y - Y - Y
round1       approved    - Y Y - Y
round1       rejected    - - Y - Y
round1       provisional - - Y - Y
round1       admitted    - - Y - Y
round2       none        - - Y - Y
round2       draft       - - Y - Y
round2       withdrawn   - - Y - Y
round2       pending     Y - Y - Y
round2       approved    - Y Y - Y
round2       rejected    - - Y - Y
round2       provisional - - Y - Y
round2       admitted    - - Y - Y
adjustment   none        - - Y - Y
adjustment   draft       - - Y - Y
adjustment   withdrawn   - - Y - Y
adjustment   pending     Y - Y - Y
adjustment   approved    - Y Y - Y
adjustment   rejected    - - Y - Y
adjustment   provisional - - Y - Y
adjustment   admitted    - - Y - Y
confirmation none        - - - - -
confirmation draft       - - - - -
confirmation withdrawn   - - - - -
confirmation pending     - - - - -
confirmation approved    - - - - -
confirmation rejected    - - - - -
confirmation provisional - - - Y -
confirmation admitted    - - - - -
closed       none        - - - - -
closed       draft       - - - - -
closed       withdrawn   - - - - -
closed       pending     - - - - -
closed       approved    - - - - -
closed       rejected    - - - - -
closed       provisional - - - - -
closed       admitted    - - - - -
`

// appIn returns an application in the named state, nil for "none".
func appIn(state string) *Application {
	if state == "none" {
		return nil
	}
	return &Application{ID: 1, State: State(state)}
}

// wantForbidden fails unless err is an EFORBIDDEN *Error with a Chinese
// message containing msg.
func wantForbidden(t *testing.T, err error, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != EFORBIDDEN {
		t.Fatalf("want EFORBIDDEN containing %q, got %v", msg, err)
	}
	if !strings.Contains(e.Message, msg) || utf8.RuneCountInString(e.Message) == len(e.Message) {
		t.Fatalf("message %q: want Chinese text containing %q", e.Message, msg)
	}
}

// runTable checks may against every row of table and that the table covers
// every phase × state exactly once.
func runTable(t *testing.T, table string, actions []Action, may func(Phase, *Application, Action) error) {
	t.Helper()
	rows := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(table), "\n") {
		f := strings.Fields(line)
		if len(f) != 2+len(actions) {
			t.Fatalf("bad table row %q", line)
		}
		phase, state := Phase(f[0]), f[1]
		if !knownPhase(phase) || rows[f[0]+" "+state] {
			t.Fatalf("unknown or repeated row %q", line)
		}
		rows[f[0]+" "+state] = true
		for i, a := range actions {
			err := may(phase, appIn(state), a)
			switch f[2+i] {
			case "Y":
				if err != nil {
					t.Errorf("%s %s %s: want allowed, got %v", phase, state, a, err)
				}
			default:
				var e *Error
				if !errors.As(err, &e) || e.Code != EFORBIDDEN || utf8.RuneCountInString(e.Message) == len(e.Message) {
					t.Errorf("%s %s %s: want EFORBIDDEN with a Chinese message, got %v", phase, state, a, err)
				}
			}
		}
	}
	if len(rows) != len(allPhases)*len(allStates) {
		t.Fatalf("table has %d rows, want every phase × state (%d)", len(rows), len(allPhases)*len(allStates))
	}
}

func TestApplicantMayTable(t *testing.T) {
	runTable(t, applicantTable, applicantActions, ApplicantMay)
}

func TestBaseMayTable(t *testing.T) {
	runTable(t, baseTable, baseActions, BaseMay)
}

// The base actions beside the table's, with every phase × state where
// they are allowed; everywhere else they are refused.
func TestBaseMayAdmissionActions(t *testing.T) {
	allowed := map[Action][]string{
		ActionUndoProvisional: {"round1 provisional", "round2 provisional", "adjustment provisional"},
		ActionSendNotice:      {"round1 approved", "round2 approved", "adjustment approved"},
		ActionPublishFinal:    {"confirmation none", "confirmation draft", "confirmation withdrawn", "confirmation pending", "confirmation approved", "confirmation rejected", "confirmation provisional", "confirmation admitted"},
	}
	for a, cells := range allowed {
		for _, phase := range allPhases {
			for _, state := range allStates {
				err := BaseMay(phase, appIn(state), a)
				if ok := slices.Contains(cells, string(phase)+" "+state); ok != (err == nil) || (!ok && ErrorCode(err) != EFORBIDDEN) {
					t.Errorf("BaseMay(%s, %s, %s) = %v, want allowed %v", phase, state, a, err, ok)
				}
			}
		}
	}
}

func TestRuleMessages(t *testing.T) {
	cases := []struct {
		err error
		msg string
	}{
		{ApplicantMay(PhaseRound1, appIn("approved"), ActionEditProfile), "审核通过后，信息和志愿不可再修改"},
		{ApplicantMay(PhaseRound2, appIn("approved"), ActionChangeSpecialty), "二志愿审核、拟录取阶段：审核通过后"},
		{ApplicantMay(PhaseRound1, appIn("rejected"), ActionChangeBase), "审核不通过的，仅能修改个人信息和报考专业，不能修改报考基地"},
		{ApplicantMay(PhaseRound1, appIn("pending"), ActionEditProfile), "志愿正在审核中，暂不能修改"},
		{ApplicantMay(PhaseAdjustment, appIn("provisional"), ActionChangeBase), "已被拟录取"},
		{ApplicantMay(PhaseRegistration, appIn("admitted"), ActionEditProfile), "已被录取"},
		{ApplicantMay(PhaseConfirmation, nil, ActionRegister), "报名端口已关闭"},
		{ApplicantMay(PhaseClosed, appIn("pending"), ActionEditProfile), "招录已结束"},
		{ApplicantMay(PhaseConfirmation, appIn("pending"), ActionChangeBase), "只读，不能修改报考基地"},
		{ApplicantMay(PhaseBefore, nil, ActionRegister), "报名尚未开始"},
		{ApplicantMay(PhaseRound1, nil, ActionRegister), "不接受新报名"},
		{ApplicantMay(PhaseRegistration, appIn("pending"), ActionRegister), "已报名"},
		{ApplicantMay(PhaseRound2, nil, ActionGenerateForm), "尚未提交志愿"},
		{ApplicantMay(PhaseRound1, nil, ActionReview), "由培训基地操作"},
		{ApplicantMay(Phase("later"), nil, ActionEditProfile), "未知的招录阶段"},
		{ApplicantMay(PhaseRound1, nil, Action("delete")), "未知操作"},
		{BaseMay(PhaseRound1, nil, ActionEditProfile), "由报名人员本人操作"},
		{BaseMay(Phase("later"), nil, ActionReview), "未知的招录阶段"},
		{BaseMay(PhaseRegistration, appIn("pending"), ActionReview), "报名阶段"},
		{BaseMay(PhaseRound1, appIn("approved"), ActionReview), "不能重复审核"},
		{BaseMay(PhaseRound1, appIn("rejected"), ActionReview), "重新提交方可再次审核"},
		{BaseMay(PhaseRound1, appIn("pending"), ActionProvisionalAdmit), "审核通过后方可拟录取"},
		{BaseMay(PhaseRound2, appIn("rejected"), ActionProvisionalAdmit), "仅能拟录取审核通过的人员"},
		{BaseMay(PhaseRound1, appIn("provisional"), ActionConfirmAdmission), "确认录取仅在录取确认阶段进行"},
		{BaseMay(PhaseConfirmation, appIn("approved"), ActionConfirmAdmission), "仅能对拟录取人员确认录取"},
		{BaseMay(PhaseConfirmation, nil, ActionConfirmAdmission), "没有有效的报名"},
		{BaseMay(PhaseClosed, nil, ActionPublish), "招录已结束"},
		{BaseMay(PhaseConfirmation, nil, ActionSetBaseDates), "录取确认阶段"},
		{BaseMay(PhaseRound1, appIn("approved"), ActionUndoProvisional), "仅能撤销拟录取人员的拟录取"},
		{BaseMay(PhaseConfirmation, appIn("provisional"), ActionUndoProvisional), "录取确认阶段"},
		{BaseMay(PhaseRound2, appIn("pending"), ActionSendNotice), "笔试和面试通知仅发给审核通过的人员"},
		{BaseMay(PhaseAdjustment, nil, ActionPublishFinal), "仅录取确认阶段可以公示录取名单"},
	}
	for _, c := range cases {
		wantForbidden(t, c.err, c.msg)
	}
}

func TestAdjustmentPlaceable(t *testing.T) {
	cal := DefaultCalendar(2024)
	before, at, after := cal.Adjustment.Add(-time.Second), cal.Adjustment, cal.Adjustment.Add(time.Hour)
	cases := []struct {
		accepts   bool
		submitted time.Time
		ok        bool
	}{
		{true, before, true},
		{false, before, false},
		{false, at, true},
		{false, after, true},
		{true, after, true},
	}
	for _, c := range cases {
		err := AdjustmentPlaceable(Application{AcceptsAdjustment: c.accepts, SubmittedAt: c.submitted}, cal)
		if c.ok {
			wantOK(t, err)
		} else {
			wantForbidden(t, err, "未选择接受调剂")
		}
	}
}

func TestActionLabels(t *testing.T) {
	seen := map[string]Action{}
	for _, a := range append(append([]Action{ActionUndoProvisional, ActionSendNotice, ActionPublishFinal}, applicantActions...), baseActions...) {
		l := a.Label()
		if l == string(a) || utf8.RuneCountInString(l) == len(l) {
			t.Errorf("action %s has no Chinese label", a)
		}
		if other, dup := seen[l]; dup {
			t.Errorf("actions %s and %s share the label %s", a, other, l)
		}
		seen[l] = a
		if a.byApplicant() == a.byBase() {
			t.Errorf("action %s must belong to exactly one side", a)
		}
	}
	if Action("x").Label() != "x" {
		t.Error("an unknown action must label as itself")
	}
}

func TestStates(t *testing.T) {
	cases := []struct {
		s              State
		label          string
		active, seated bool
	}{
		{StateDraft, "未提交", false, false},
		{StatePending, "待审核", true, false},
		{StateApproved, "审核通过", true, false},
		{StateRejected, "审核不通过", true, false},
		{StateProvisional, "拟录取", true, true},
		{StateAdmitted, "录取", true, true},
		{StateWithdrawn, "已撤销", false, false},
		{State("odd"), "odd", false, false},
	}
	for _, c := range cases {
		if c.s.Label() != c.label || c.s.Active() != c.active || c.s.HoldsSeat() != c.seated {
			t.Errorf("%s: label %q active %v seat %v; want %q %v %v", c.s, c.s.Label(), c.s.Active(), c.s.HoldsSeat(), c.label, c.active, c.seated)
		}
	}
}
