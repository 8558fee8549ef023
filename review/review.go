// Package review holds the base staff's use-cases implemented so far: the
// base's dates of a round (SetBaseDates), the review of one application
// (Review), provisional admission and its undo, publishing the base's list
// and admission (AdmitProvisionally, UndoProvisional, PublishList,
// AdmitApplication; an offer with a deadline when the year requires
// acceptance), exam or interview notices (SendNotice), each with its
// notification, and the review queue (queue.go): the filtered, flagged
// list (ListApplications), one application in full (GetApplication), the
// all-or-nothing bulk review (ReviewApplications) and the XLSX export of
// the list (ExportApplications), and the base's adjustment pool (Pool)
// with its own order of the candidates (RankCandidates). Every action checks the caller's role and
// base itself — another base's application or base answers ENOTFOUND, as if
// it did not exist — follows recruit's phase and state rules, and writes
// the audit log.
//
// A Service is built once by New and is safe for concurrent use; every
// error is a *recruit.Error naming the operation (review.Review, …).
package review

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"zhupei/notify"
	"zhupei/recruit"
)

// Store is what the service needs of the store.
type Store interface {
	recruit.Catalogue
	recruit.Identities
	recruit.Applications
	recruit.Outbox
	recruit.Audit
	recruit.BaseDatesStore
	recruit.Queue
	recruit.Profiles
	recruit.Forms
	recruit.Publications
	recruit.Offers
	recruit.AdjustmentStore
}

// Deps are what the base staff's use-cases need: the store and the clock
// that decides the phase and stamps reviews (time.Now when nil).
type Deps struct {
	Store Store
	Now   func() time.Time
}

// Service runs the base staff's use-cases.
type Service struct {
	store Store
	now   func() time.Time
}

// New returns the service over d; it panics without d.Store.
func New(d Deps) *Service {
	if d.Store == nil {
		panic("review: Deps.Store is required")
	}
	s := &Service{store: d.Store, now: d.Now}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Audit actions of this package.
const (
	ActionReview       = "review"
	ActionSetBaseDates = "set_base_dates"
)

// MaxRemark bounds a review remark, in characters.
const MaxRemark = 500

// Refusals of the service.
var (
	errNotBaseAdmin = recruit.Errorf(recruit.EFORBIDDEN, "仅基地管理员或省级管理员可以设定本基地的日期")
	errNoRemark     = recruit.Errorf(recruit.EINVALID, "审核不通过时必须填写审核意见")
	errLongRemark   = recruit.Errorf(recruit.EINVALID, "审核意见不能超过 %d 个字", MaxRemark)
	errDecision     = recruit.Errorf(recruit.EINVALID, "审核结果只能是 approve（通过）或 reject（不通过）")
	errNoApp        = recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoApplication)
)

// Decisions of Review.
const (
	DecisionApprove = "approve"
	DecisionReject  = "reject"
)

// reaches reports whether staff member by may act on base: the province
// everywhere, base staff at their own base.
func reaches(by recruit.Staff, base int64) bool {
	return by.Role == recruit.RoleProvince || (by.Role.HasBase() && by.BaseID == base)
}

// SetBaseDates replaces the dates of d.Round for base d.BaseID in the
// latest year (d.Year is ignored) and writes the audit entry. Only an
// enabled base admin of that base or the province admin may (another
// base's admin gets ENOTFOUND, a reviewer EFORBIDDEN); the phase must allow
// it (recruit.BaseMay) and every date must lie inside the round's window
// (recruit.CheckBaseDates).
func (s *Service) SetBaseDates(ctx context.Context, by recruit.Staff, d recruit.BaseDates) (recruit.BaseDates, error) {
	const op = "review.SetBaseDates"
	if by.Disabled {
		return recruit.BaseDates{}, recruit.WithOp(op, recruit.ErrStaffDisabled)
	}
	if !reaches(by, d.BaseID) {
		return recruit.BaseDates{}, recruit.WithOp(op, recruit.BaseNotFound(d.BaseID))
	}
	if by.Role == recruit.RoleReviewer {
		return recruit.BaseDates{}, recruit.WithOp(op, errNotBaseAdmin)
	}
	y, err := s.store.LatestYear(ctx)
	if err != nil {
		return recruit.BaseDates{}, recruit.WithOp(op, err)
	}
	now := s.now()
	if err := recruit.BaseMay(y.Calendar.PhaseAt(now), nil, recruit.ActionSetBaseDates); err != nil {
		return recruit.BaseDates{}, recruit.WithOp(op, err)
	}
	d.Year, d.UpdatedAt = y.Year, now
	if d, err = recruit.CheckBaseDates(d, y.Calendar); err != nil {
		return recruit.BaseDates{}, recruit.WithOp(op, err)
	}
	before, err := s.store.GetBaseDates(ctx, y.Year, d.BaseID, d.Round)
	var old any = before.InShanghai()
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		old = nil
	} else if err != nil {
		return recruit.BaseDates{}, recruit.WithOp(op, err)
	}
	if err := s.store.PutBaseDates(ctx, d); err != nil {
		return recruit.BaseDates{}, recruit.WithOp(op, err)
	}
	target := fmt.Sprintf("base:%d/%d/%s", d.BaseID, d.Year, d.Round)
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), d.BaseID, ActionSetBaseDates, target, old, d, ""); err != nil {
		return recruit.BaseDates{}, recruit.WithOp(op, err)
	}
	return d, nil
}

// Review approves or rejects one pending application (decision approve or
// reject; a remark of at most MaxRemark characters, required to reject),
// queues the review-result notification with the change and writes the
// audit entry. Reviewers and base admins review their own base's
// applications (any other answers ENOTFOUND, as a missing one), the
// province any; the phase and state must allow it (recruit.BaseMay).
func (s *Service) Review(ctx context.Context, by recruit.Staff, appID int64, decision, remark string) (recruit.Application, error) {
	const op = "review.Review"
	if by.Disabled {
		return recruit.Application{}, recruit.WithOp(op, recruit.ErrStaffDisabled)
	}
	to, remark, err := parseDecision(decision, remark)
	if err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	app, prog, err := s.visible(ctx, by, appID)
	if err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	y, err := s.store.GetYear(ctx, app.Year)
	if err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	now := s.now()
	if err := recruit.BaseMay(y.Calendar.PhaseAt(now), &app, recruit.ActionReview); err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	out, err := s.store.Review(ctx, app.ID, to, remark, now, reviewedNote(prog, now))
	if err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), prog.BaseID, ActionReview, fmt.Sprintf("application:%d", app.ID), app.State, out.State, remark); err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	return out, nil
}

// parseDecision returns the state of a decision and the trimmed remark.
func parseDecision(decision, remark string) (recruit.State, string, error) {
	remark = strings.TrimSpace(remark)
	if utf8.RuneCountInString(remark) > MaxRemark {
		return "", "", errLongRemark
	}
	switch decision {
	case DecisionApprove:
		return recruit.StateApproved, remark, nil
	case DecisionReject:
		if remark == "" {
			return "", "", errNoRemark
		}
		return recruit.StateRejected, remark, nil
	}
	return "", "", errDecision
}

// visible returns an application with its program when by may see it, else
// ENOTFOUND as for a missing one.
func (s *Service) visible(ctx context.Context, by recruit.Staff, appID int64) (recruit.Application, recruit.Program, error) {
	app, err := s.store.GetApplicationByID(ctx, appID)
	if err != nil {
		return recruit.Application{}, recruit.Program{}, err
	}
	prog, err := s.store.GetProgram(ctx, app.ProgramID)
	if err != nil {
		return recruit.Application{}, recruit.Program{}, err
	}
	switch {
	case by.Role == recruit.RoleProvince && app.State.Active():
	case by.Role.HasBase() && recruit.StaffMaySee(by.BaseID, app, prog):
	default:
		return recruit.Application{}, recruit.Program{}, errNoApp
	}
	return app, prog, nil
}

// reviewedNote builds the review-result notification of the reviewed
// application (notify.ReviewResult).
func reviewedNote(prog recruit.Program, now time.Time) recruit.Note {
	return func(app recruit.Application) (recruit.Notification, error) {
		return notify.ReviewResult(app, prog, app.State == recruit.StateApproved, app.ReviewRemark, now), nil
	}
}
