package recruit

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// AuditEntry is one line of the append-only audit log: a staff action with
// who took it (account, role, base), when, what (action and target), the
// value before and after (short JSON or text), the remark given and the
// request it came with. Entries are never changed or removed.
type AuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	StaffID   int64     `json:"staff_id"`
	Role      Role      `json:"role"`
	BaseID    int64     `json:"base_id"` // the base the action concerns, 0 for the province's own
	Action    string    `json:"action"`  // e.g. review, set_base_dates, update_calendar
	Target    string    `json:"target"`  // e.g. application:12, base:3/round1, year:2025
	Before    string    `json:"before"`
	After     string    `json:"after"`
	Remark    string    `json:"remark"`
	RequestID string    `json:"request_id"`
}

// AuditFilter selects audit entries, newest first; zero fields select all.
// From and Until bound the entries' time (From ≤ At < Until). BeforeID
// pages on: only entries with a smaller id (the last id of the previous
// page). Limit is clamped to 1..MaxAuditPage, DefaultAuditPage when 0.
type AuditFilter struct {
	BaseID   int64
	Action   string
	StaffID  int64
	From     time.Time
	Until    time.Time
	BeforeID int64
	Limit    int
}

// Page sizes of the audit log.
const (
	DefaultAuditPage = 50
	MaxAuditPage     = 200
)

// PageSize is f.Limit clamped to 1..MaxAuditPage.
func (f AuditFilter) PageSize() int { return pageSize(f.Limit, DefaultAuditPage, MaxAuditPage) }

// maxAuditField bounds each text field of an entry, in characters.
const maxAuditField = 4000

const msgBadAudit = "审计记录缺少操作、时间或角色"

// CleanAudit trims e and refuses an entry without action, time or a known
// role, or with a field longer than maxAuditField characters.
func CleanAudit(e AuditEntry) (AuditEntry, error) {
	e.Action, e.Target = strings.TrimSpace(e.Action), strings.TrimSpace(e.Target)
	if e.Action == "" || e.At.IsZero() || e.Role.Label() == "" {
		return AuditEntry{}, Errorf(EINVALID, msgBadAudit)
	}
	for _, s := range []string{e.Target, e.Before, e.After, e.Remark, e.RequestID} {
		if utf8.RuneCountInString(s) > maxAuditField {
			return AuditEntry{}, Errorf(EINVALID, "审计记录的内容不能超过 %d 个字", maxAuditField)
		}
	}
	return e, nil
}

// Audit is the append-only audit log.
type Audit interface {
	// AppendAudit stores e (CleanAudit; e.ID is ignored) and returns it
	// with its id; ids grow with every entry.
	AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error)
	// ListAudit returns the entries matching f, newest (largest id) first,
	// at most f.PageSize() of them.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// RecordStaffAction appends to log the entry of an action taken by staff
// member by at: before and after are recorded as JSON, the request id comes
// from ctx.
func RecordStaffAction(ctx context.Context, log Audit, by Staff, at time.Time, baseID int64, action, target string, before, after any, remark string) error {
	e, err := StaffActionEntry(ctx, by, at, baseID, action, target, before, after, remark)
	if err != nil {
		return err
	}
	_, err = log.AppendAudit(ctx, e)
	return err
}

// StaffActionEntry is the entry RecordStaffAction appends, for a store
// operation that records it with its change.
func StaffActionEntry(ctx context.Context, by Staff, at time.Time, baseID int64, action, target string, before, after any, remark string) (AuditEntry, error) {
	b, err := json.Marshal(before)
	if err != nil {
		return AuditEntry{}, Internal(err)
	}
	a, err := json.Marshal(after)
	if err != nil {
		return AuditEntry{}, Internal(err)
	}
	return AuditEntry{
		At: at, StaffID: by.ID, Role: by.Role, BaseID: baseID, Action: action, Target: target,
		Before: string(b), After: string(a), Remark: remark, RequestID: RequestID(ctx),
	}, nil
}
