package recruit

import (
	"fmt"
	"time"
)

// NoticeKind is what a notification tells (DESIGN.md, Notifications).
type NoticeKind string

// Notification kinds: to applicants first, then to staff.
const (
	KindRegistered         NoticeKind = "registered"           // 报名成功, each submission or change
	KindReviewPassed       NoticeKind = "review_passed"        // 审核通过
	KindReviewFailed       NoticeKind = "review_failed"        // 审核未通过, with the remark
	KindExamNotice         NoticeKind = "exam_notice"          // 笔试通知: time and place
	KindInterviewNotice    NoticeKind = "interview_notice"     // 面试通知: time and place
	KindProvisional        NoticeKind = "provisional"          // 拟录取, with the offer's deadline if any
	KindOfferVoid          NoticeKind = "offer_void"           // offer declined or expired
	KindAdmitted           NoticeKind = "admitted"             // 录取
	KindRoundOpened        NoticeKind = "round_opened"         // 二志愿 / 调剂 opened
	KindBindingReleased    NoticeKind = "binding_released"     // the province released the real-name binding on appeal
	KindStaffReviewStarted NoticeKind = "staff_review_started" // a base: review has begun
	KindStaffDeadline      NoticeKind = "staff_deadline"       // a base: review deadline, N pending
	KindStaffConfirmation  NoticeKind = "staff_confirmation"   // a base: N provisional admissions await admission
	KindStaffOfferEnded    NoticeKind = "staff_offer_ended"    // a base: an offer was declined, expired or voided
)

// NoticeKinds lists every kind in the order above.
var NoticeKinds = []NoticeKind{
	KindRegistered, KindReviewPassed, KindReviewFailed, KindExamNotice, KindInterviewNotice,
	KindProvisional, KindOfferVoid, KindAdmitted, KindRoundOpened, KindBindingReleased,
	KindStaffReviewStarted, KindStaffDeadline, KindStaffConfirmation, KindStaffOfferEnded,
}

// Valid reports whether k is one of NoticeKinds.
func (k NoticeKind) Valid() bool {
	for _, c := range NoticeKinds {
		if c == k {
			return true
		}
	}
	return false
}

// ToStaff reports whether notifications of kind k go to staff members.
func (k NoticeKind) ToStaff() bool {
	return k == KindStaffReviewStarted || k == KindStaffDeadline || k == KindStaffConfirmation || k == KindStaffOfferEnded
}

// NoticeState is where an outbox row is in its delivery.
type NoticeState string

// Delivery states. Queued and retry rows are due at NextAt; a sending row is
// held by one sender until its lease ends (a crashed sender's rows become
// due again then). Sent, undeliverable, failed and inbox_only are final —
// except that a TEMPLATESENDJOBFINISH failure report can move a sent row to
// retry, undeliverable or failed.
const (
	NoticeQueued        NoticeState = "queued"
	NoticeSending       NoticeState = "sending"
	NoticeRetry         NoticeState = "retry"
	NoticeSent          NoticeState = "sent"          // WeChat accepted it; MsgID kept
	NoticeUndeliverable NoticeState = "undeliverable" // 43004, 43101, 40003, user block: never retried
	NoticeFailed        NoticeState = "failed"        // the last attempt failed; LastError says why
	NoticeInboxOnly     NoticeState = "inbox_only"    // no WeChat channel for the recipient: the inbox has it
)

// NoticeStates lists every state.
var NoticeStates = []NoticeState{NoticeQueued, NoticeSending, NoticeRetry, NoticeSent, NoticeUndeliverable, NoticeFailed, NoticeInboxOnly}

// Final reports whether a row in state s is no longer sent.
func (s NoticeState) Final() bool {
	switch s {
	case NoticeSent, NoticeUndeliverable, NoticeFailed, NoticeInboxOnly:
		return true
	}
	return false
}

// Notification is one outbox row and one inbox entry: a message to an
// applicant (IdentityID) or a staff member (StaffID), shown in full in the
// inbox (Title, Body) and sent as a WeChat template or subscribe message
// whose keyword values are cut from Values. Build them with package notify.
type Notification struct {
	ID         int64      `json:"id"`
	IdentityID int64      `json:"identity_id,omitempty"` // the applicant, 0 for a staff notice
	StaffID    int64      `json:"staff_id,omitempty"`    // the staff member, 0 for an applicant
	OpenID     string     `json:"-"`                     // when set, sent to this account, not the identity's: one the change detached (a released binding)
	Kind       NoticeKind `json:"kind"`
	// Key is unique per event (e.g. "registered-12-v3"): writing the same
	// event twice is ECONFLICT, which makes jobs and the relay idempotent.
	Key   string `json:"-"`
	Title string `json:"title"`
	Body  string `json:"body"` // full text: full review remark, exam place and time
	// Values are the template's source values by name (see notify), before
	// they are cut to their keyword types.
	Values map[string]string `json:"-"`

	State      NoticeState `json:"state"`
	Attempts   int         `json:"attempts"`
	NextAt     time.Time   `json:"next_at"`    // when a queued or retry row is due
	LeaseOwner string      `json:"-"`          // the sender holding a sending row
	LeaseUntil time.Time   `json:"-"`          // when that hold ends
	MsgID      int64       `json:"msg_id"`     // WeChat's msgid once sent
	LastError  string      `json:"last_error"` // the WeChat errcode and errmsg, never a secret
	ReadAt     time.Time   `json:"read_at"`    // zero while unread
	CreatedAt  time.Time   `json:"created_at"` // when the event happened
	UpdatedAt  time.Time   `json:"updated_at"` // the last delivery change
}

// Link is the notification's inbox entry, the page its WeChat message opens.
func (n Notification) Link() string { return fmt.Sprintf("/messages/%d", n.ID) }

// Read reports whether the recipient has opened the notification.
func (n Notification) Read() bool { return !n.ReadAt.IsZero() }

// NoticeOutcome is how a sender (or a delivery report) ends one attempt:
// the state the row moves to, with the msgid (sent), the next attempt's
// time (retry) and the WeChat error (retry, undeliverable, failed).
// Attempted is false when the row was not really tried (sending paused by
// the daily quota) so that Attempts is not increased.
type NoticeOutcome struct {
	State     NoticeState
	MsgID     int64
	NextAt    time.Time
	LastError string
	Attempted bool
	At        time.Time
}

// NoticeResult is the outcome of the attempt on one claimed row, for
// Outbox.FinishNotifications.
type NoticeResult struct {
	ID      int64
	Outcome NoticeOutcome
}

// NoticeCount is the number of rows of one kind in one state.
type NoticeCount struct {
	Kind  NoticeKind  `json:"kind"`
	State NoticeState `json:"state"`
	N     int         `json:"n"`
}

// OutboxStats are the outbox's figures for /metrics: rows by kind and state,
// and the due time of the oldest row waiting to be sent (zero when none is).
type OutboxStats struct {
	Counts    []NoticeCount
	OldestDue time.Time
}

// CheckNotification refuses a notification without exactly one recipient
// fitting its kind, without a known kind, key or title.
func CheckNotification(n Notification) error {
	if !n.Kind.Valid() || n.Key == "" || n.Title == "" {
		return Errorf(EINVALID, msgBadNotice)
	}
	if n.Kind.ToStaff() && (n.StaffID <= 0 || n.IdentityID != 0) ||
		!n.Kind.ToStaff() && (n.IdentityID <= 0 || n.StaffID != 0) {
		return Errorf(EINVALID, msgBadNotice)
	}
	return nil
}

// CheckOutcome refuses an outcome whose state is not one a delivery can end in.
func CheckOutcome(o NoticeOutcome) error {
	switch o.State {
	case NoticeSent, NoticeRetry, NoticeUndeliverable, NoticeFailed, NoticeInboxOnly:
		return nil
	}
	return Errorf(EINVALID, msgBadOutcome)
}

// CheckResults refuses a batch with an outcome CheckOutcome refuses.
func CheckResults(rs []NoticeResult) error {
	for _, r := range rs {
		if err := CheckOutcome(r.Outcome); err != nil {
			return err
		}
	}
	return nil
}
