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
	SubmittedAt       time.Time `json:"submitted_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// Choice is what an applicant submits: a program and whether they accept
// adjustment (是否接受调剂).
type Choice struct {
	ProgramID         int64 `json:"program_id"`
	AcceptsAdjustment bool  `json:"accepts_adjustment"`
}

// ChoiceLog builds what is recorded together with a submitted choice from
// the stored application: its history entry and the registration-success
// notification queued for it.
type ChoiceLog func(app Application) (Revision, Notification, error)
