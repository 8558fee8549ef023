package recruit

// Action is something an applicant or a base's staff asks to do.
type Action string

// Actions of applicants.
const (
	ActionBind            Action = "bind"             // 实名认证
	ActionRegister        Action = "register"         // create a new application
	ActionEditProfile     Action = "edit_profile"     // change any of the four profile sections
	ActionChangeSpecialty Action = "change_specialty" // another specialty of the same base
	ActionChangeBase      Action = "change_base"      // choose another base
	ActionGenerateForm    Action = "generate_form"    // generate the PDF form
)

// Actions of base staff.
const (
	ActionReview           Action = "review"            // 审核
	ActionProvisionalAdmit Action = "provisional_admit" // 拟录取
	ActionUndoProvisional  Action = "undo_provisional"  // 撤销拟录取
	ActionSendNotice       Action = "send_notice"       // 笔试或面试通知
	ActionPublish          Action = "publish"           // publish the provisional list
	ActionPublishFinal     Action = "publish_final"     // publish the final list (录取名单)
	ActionConfirmAdmission Action = "confirm_admission" // 录取
	ActionSetBaseDates     Action = "set_base_dates"    // review deadline, exam, interview, admission dates
)

// Label returns the Chinese name of the action.
func (a Action) Label() string {
	switch a {
	case ActionBind:
		return "实名认证"
	case ActionRegister:
		return "报名"
	case ActionEditProfile:
		return "修改个人信息"
	case ActionChangeSpecialty:
		return "修改报考专业"
	case ActionChangeBase:
		return "修改报考基地"
	case ActionGenerateForm:
		return "生成报名表"
	case ActionReview:
		return "审核志愿"
	case ActionProvisionalAdmit:
		return "拟录取"
	case ActionUndoProvisional:
		return "撤销拟录取"
	case ActionSendNotice:
		return "发送笔试或面试通知"
	case ActionPublish:
		return "公示拟录取名单"
	case ActionPublishFinal:
		return "公示录取名单"
	case ActionConfirmAdmission:
		return "确认录取"
	case ActionSetBaseDates:
		return "设定审核截止、笔试、面试和拟录取日期"
	}
	return string(a)
}

// byApplicant reports whether a is an applicant's action, byBase whether it
// is a base's.
func (a Action) byApplicant() bool {
	switch a {
	case ActionBind, ActionRegister, ActionEditProfile, ActionChangeSpecialty, ActionChangeBase, ActionGenerateForm:
		return true
	}
	return false
}

func (a Action) byBase() bool {
	switch a {
	case ActionReview, ActionProvisionalAdmit, ActionUndoProvisional, ActionSendNotice, ActionPublish, ActionPublishFinal, ActionConfirmAdmission, ActionSetBaseDates:
		return true
	}
	return false
}

func forbid(format string, args ...any) error { return Errorf(EFORBIDDEN, format, args...) }

func knownPhase(p Phase) bool {
	switch p {
	case PhaseBefore, PhaseRegistration, PhaseRound1, PhaseRound2, PhaseAdjustment, PhaseConfirmation, PhaseClosed:
		return true
	}
	return false
}

// reviewPhase reports whether bases review and provisionally admit in p.
func reviewPhase(p Phase) bool {
	return p == PhaseRound1 || p == PhaseRound2 || p == PhaseAdjustment
}

// registered reports whether app is an application that counts.
func registered(app *Application) bool { return app != nil && app.State.Active() }

// wrongSide refuses an action of the other side, or an unknown one.
func wrongSide(a Action) error {
	switch {
	case a.byBase():
		return forbid("“%s”由培训基地操作，报名人员不能进行", a.Label())
	case a.byApplicant():
		return forbid("“%s”由报名人员本人操作，培训基地不能进行", a.Label())
	}
	return forbid("未知操作“%s”", string(a))
}

// ApplicantMay decides whether an applicant whose application for the year
// is app (nil when there is none) may take action in phase: nil when allowed,
// else an EFORBIDDEN *Error saying why. Binding is always allowed and the
// form can be generated whenever an application exists. Registering and the
// first choice are open in registration, round2 and adjustment. Registration
// allows every change; provisionally admitted and admitted applications are
// locked. Round1 also locks pending (under review) and approved applications
// and lets rejected ones change profile and specialty but not the base;
// round2 and adjustment do the same except that pending applications (the
// scheduler resets carried-over ones to pending when the phase starts) may
// change everything. Before, confirmation and closed allow no change.
func ApplicantMay(phase Phase, app *Application, action Action) error {
	switch action {
	case ActionBind:
		return nil
	case ActionGenerateForm:
		if !registered(app) {
			return forbid("尚未提交志愿，请先填报并提交志愿后再生成报名表")
		}
		return nil
	case ActionRegister, ActionEditProfile, ActionChangeSpecialty, ActionChangeBase:
	default:
		return wrongSide(action)
	}
	if !knownPhase(phase) {
		return forbid("未知的招录阶段“%s”", string(phase))
	}
	if !registered(app) {
		return registrationOpen(phase)
	}
	if action == ActionRegister {
		return forbid("您本年度已报名，如需调整请修改个人信息或志愿")
	}
	return editByState(phase, app.State, action)
}

// registrationOpen says whether someone without an application may register
// (and fill in a profile) in phase.
func registrationOpen(phase Phase) error {
	switch phase {
	case PhaseRegistration, PhaseRound2, PhaseAdjustment:
		return nil
	case PhaseBefore:
		return forbid("报名尚未开始，请在报名端口开放后报名")
	case PhaseRound1:
		return forbid("当前阶段（%s）不接受新报名；未参加第一批次招收的人员可在二志愿阶段注册报名", phase.Label())
	}
	return forbid("报名端口已关闭（%s）", phase.Label())
}

// editByState decides a registered applicant's change by phase and state.
func editByState(phase Phase, state State, action Action) error {
	switch phase {
	case PhaseBefore:
		return forbid("报名尚未开始，不能%s", action.Label())
	case PhaseConfirmation, PhaseClosed:
		return forbid("当前阶段（%s）报名信息和志愿只读，不能%s", phase.Label(), action.Label())
	}
	switch state {
	case StateProvisional:
		return forbid("%s：已被拟录取，信息和志愿不可再修改", phase.Label())
	case StateAdmitted:
		return forbid("%s：已被录取，信息和志愿不可再修改", phase.Label())
	}
	if phase == PhaseRegistration {
		return nil
	}
	switch state {
	case StateApproved:
		return forbid("%s：审核通过后，信息和志愿不可再修改", phase.Label())
	case StateRejected:
		if action == ActionChangeBase {
			return forbid("%s：审核不通过的，仅能修改个人信息和报考专业，不能修改报考基地", phase.Label())
		}
		return nil
	case StatePending:
		if phase == PhaseRound1 {
			return forbid("%s：志愿正在审核中，暂不能修改", phase.Label())
		}
	}
	return nil
}

// BaseMay decides whether a base's staff may take action in phase on app
// (nil for the actions that concern no single application: publish, set
// dates): nil when allowed, else an EFORBIDDEN *Error saying why. Review takes
// pending applications, provisional admission and exam or interview notices
// approved ones and undo provisionally admitted ones, all only in round1,
// round2 and adjustment; in adjustment the caller must also check
// AdjustmentPlaceable, and before an undo that the application is on no
// published list. Admission is confirmed, and the final list published,
// only in confirmation, for provisionally admitted applications, and not
// while their offer is open; an offer the applicant accepted is not undone
// by a base (CheckUndoOffer).
func BaseMay(phase Phase, app *Application, action Action) error {
	if !action.byBase() {
		return wrongSide(action)
	}
	if !knownPhase(phase) {
		return forbid("未知的招录阶段“%s”", string(phase))
	}
	switch action {
	case ActionSetBaseDates:
		if phase == PhaseRegistration || reviewPhase(phase) {
			return nil
		}
		return forbid("当前阶段（%s）不能%s，仅报名至调剂阶段可以设定", phase.Label(), action.Label())
	case ActionPublish:
		if reviewPhase(phase) {
			return nil
		}
		return forbid("当前阶段（%s）不能%s，仅一志愿、二志愿审核和调剂阶段可以公示", phase.Label(), action.Label())
	case ActionPublishFinal:
		if phase == PhaseConfirmation {
			return nil
		}
		return forbid("当前阶段（%s）不能%s，仅录取确认阶段可以公示录取名单", phase.Label(), action.Label())
	case ActionConfirmAdmission:
		if phase != PhaseConfirmation {
			return forbid("当前阶段（%s）不能%s，确认录取仅在录取确认阶段进行", phase.Label(), action.Label())
		}
	default: // review, provisional admission, its undo, notices
		if !reviewPhase(phase) {
			return forbid("当前阶段（%s）不能%s，仅一志愿、二志愿审核和调剂阶段可以进行", phase.Label(), action.Label())
		}
	}
	if !registered(app) {
		return forbid("该人员没有有效的报名，不能%s", action.Label())
	}
	if err := requireState(action, app.State); err != nil {
		return err
	}
	switch action {
	case ActionUndoProvisional:
		return CheckUndoOffer(*app)
	case ActionConfirmAdmission:
		return CheckAdmitOffer(*app, false)
	}
	return nil
}

// requireState refuses base action a on an application in state s unless s
// is the state the action takes.
func requireState(a Action, s State) error {
	if s == requiredState[a] {
		return nil
	}
	return forbid("该志愿当前为“%s”，%s", s.Label(), stateRefusal(a, s))
}

// requiredState is the state an application must be in for a base action on it.
var requiredState = map[Action]State{
	ActionReview:           StatePending,
	ActionProvisionalAdmit: StateApproved,
	ActionUndoProvisional:  StateProvisional,
	ActionSendNotice:       StateApproved,
	ActionConfirmAdmission: StateProvisional,
}

// stateRefusal explains why an application in state s cannot undergo a.
func stateRefusal(a Action, s State) string {
	switch {
	case a == ActionReview && s == StateRejected:
		return "报名人员修改后重新提交方可再次审核"
	case a == ActionReview:
		return "不能重复审核，仅能审核待审核的志愿"
	case a == ActionProvisionalAdmit && s == StatePending:
		return "审核通过后方可拟录取"
	case a == ActionProvisionalAdmit:
		return "仅能拟录取审核通过的人员"
	case a == ActionUndoProvisional:
		return "仅能撤销拟录取人员的拟录取"
	case a == ActionSendNotice:
		return "笔试和面试通知仅发给审核通过的人员"
	}
	return "仅能对拟录取人员确认录取"
}

// AdjustmentPlaceable decides whether app may be provisionally admitted in
// the adjustment phase: only applicants who accept adjustment or who first
// submitted during adjustment (SubmittedAt at or after cal.Adjustment) may be.
func AdjustmentPlaceable(app Application, cal Calendar) error {
	if app.AcceptsAdjustment || !app.SubmittedAt.Before(cal.Adjustment) {
		return nil
	}
	return forbid("%s只能录取接受调剂或在调剂阶段新报名的人员；该人员未选择接受调剂", PhaseAdjustment.Label())
}
