package recruit

import "time"

// State is the state of an application.
type State string

// Application states.
const (
	StateDraft       State = "draft"
	StatePending     State = "pending"     // 待审核
	StateApproved    State = "approved"    // 审核通过
	StateRejected    State = "rejected"    // 审核不通过
	StateProvisional State = "provisional" // 拟录取
	StateAdmitted    State = "admitted"    // 录取
	StateWithdrawn   State = "withdrawn"   // 已撤销 (not counted)
)

// Label returns the Chinese name shown as 审核结果.
func (s State) Label() string {
	switch s {
	case StateDraft:
		return "未提交"
	case StatePending:
		return "待审核"
	case StateApproved:
		return "审核通过"
	case StateRejected:
		return "审核不通过"
	case StateProvisional:
		return "拟录取"
	case StateAdmitted:
		return "录取"
	case StateWithdrawn:
		return "已撤销"
	}
	return string(s)
}

// Active reports whether an application in state s counts as registered.
func (s State) Active() bool {
	switch s {
	case StatePending, StateApproved, StateRejected, StateProvisional, StateAdmitted:
		return true
	}
	return false
}

// HoldsSeat reports whether an application in state s counts as admitted.
func (s State) HoldsSeat() bool { return s == StateProvisional || s == StateAdmitted }

// Counts returns what one application in state s adds to its program's
// counters: registered when Active, admitted when HoldsSeat, final when
// admitted (录取).
func (s State) Counts() Counts {
	var c Counts
	if s.Active() {
		c.Registered = 1
	}
	if s.HoldsSeat() {
		c.Admitted = 1
	}
	if s == StateAdmitted {
		c.Final = 1
	}
	return c
}

// Add returns c with n more applications in state s (n < 0: fewer).
func (c Counts) Add(s State, n int) Counts {
	d := s.Counts()
	return Counts{Registered: c.Registered + n*d.Registered, Admitted: c.Admitted + n*d.Admitted, Final: c.Final + n*d.Final}
}

// CountMoves returns how the counters of the programs concerned change when
// one application moves from (fromProgram, from) to (toProgram, to); program
// 0 is none (a new application). Programs whose counters do not change are
// left out.
func CountMoves(fromProgram int64, from State, toProgram int64, to State) map[int64]Counts {
	m := map[int64]Counts{}
	if fromProgram != 0 {
		m[fromProgram] = m[fromProgram].Add(from, -1)
	}
	m[toProgram] = m[toProgram].Add(to, 1)
	for p, c := range m {
		if c == (Counts{}) {
			delete(m, p)
		}
	}
	return m
}

// CountDiff is a program whose stored counters differ from a recount.
type CountDiff struct {
	ProgramID int64  `json:"program_id"`
	Stored    Counts `json:"stored"`
	Counted   Counts `json:"counted"`
}

// CountDiffs compares the stored counters of programs with counted (a
// Recount), in the order of programs.
func CountDiffs(programs []Program, counted map[int64]Counts) []CountDiff {
	var out []CountDiff
	for _, p := range programs {
		stored := Counts{Registered: p.Registered, Admitted: p.Admitted, Final: p.Final}
		if c := counted[p.ID]; c != stored {
			out = append(out, CountDiff{ProgramID: p.ID, Stored: stored, Counted: c})
		}
	}
	return out
}

// Reopened are the states ReopenApplications makes pending again.
var Reopened = []State{StateApproved, StateRejected}

// Transition is the application state machine: it decides whether an
// application in state from ("" when there is none yet) may move to state to,
// nil when it may, else an EFORBIDDEN *Error saying why. A choice is
// submitted or changed (→ pending) unless the application holds a seat;
// review takes pending applications (→ approved, rejected), provisional
// admission approved ones and admission provisionally admitted ones. Other
// targets are EINVALID; undoing a provisional admission (→ approved) is
// CheckUndo's. Phases are decided elsewhere (ApplicantMay, BaseMay).
func Transition(from, to State) error {
	switch to {
	case StatePending:
		if from.HoldsSeat() {
			return forbid("该志愿已%s，志愿不可再修改", from.Label())
		}
		return nil
	case StateApproved, StateRejected:
		return requireState(ActionReview, from)
	case StateProvisional:
		return requireState(ActionProvisionalAdmit, from)
	case StateAdmitted:
		return requireState(ActionConfirmAdmission, from)
	}
	return Errorf(EINVALID, "志愿不能改为“%s”", to.Label())
}

// CheckUndo refuses to undo the provisional admission of an application in
// state from unless it is provisionally admitted: the move back to approved
// that Transition does not make.
func CheckUndo(from State) error { return requireState(ActionUndoProvisional, from) }

// CheckReviewResult refuses a review result other than approved or rejected.
func CheckReviewResult(to State) error {
	if to != StateApproved && to != StateRejected {
		return Errorf(EINVALID, "审核结果只能是审核通过或审核不通过")
	}
	return nil
}

// Application is an applicant's registration in one year with its one choice
// (志愿). Version grows with every change of choice or profile after
// submission.
type Application struct {
	ID                int64     `json:"id"`
	Year              int       `json:"year"`
	IdentityID        int64     `json:"identity_id"`
	ProgramID         int64     `json:"program_id"`
	AcceptsAdjustment bool      `json:"accepts_adjustment"`
	State             State     `json:"state"`
	Version           int       `json:"version"`
	ReviewRemark      string    `json:"review_remark"`
	StateAt           time.Time `json:"state_at"` // when State was last set
	SubmittedAt       time.Time `json:"submitted_at"`
	UpdatedAt         time.Time `json:"updated_at"`
	// The offer of a provisional admission (see OfferState; left out when
	// there is none): its state, answer deadline, when it was last answered,
	// expired or voided, and a void's reason.
	OfferState    OfferState `json:"offer_state,omitempty"`
	OfferDeadline time.Time  `json:"offer_deadline,omitzero"`
	OfferAt       time.Time  `json:"offer_at,omitzero"`
	OfferReason   string     `json:"offer_reason,omitempty"`
}

// Choice is what an applicant submits: a program and whether they accept
// adjustment (是否接受调剂).
type Choice struct {
	ProgramID         int64 `json:"program_id"`
	AcceptsAdjustment bool  `json:"accepts_adjustment"`
}

// Note builds the notification recorded with a change of an application
// from the application as it is stored after the change.
type Note func(app Application) (Notification, error)

// OptionalNote is a Note that may build nothing (nil) for some
// applications.
type OptionalNote func(app Application) *Notification

// ChoiceLog builds what is recorded together with a submitted choice from
// the stored application: its history entry and the registration-success
// notification queued for it.
type ChoiceLog func(app Application) (Revision, Notification, error)
