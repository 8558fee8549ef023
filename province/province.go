// Package province holds the province admin's use-cases: the year's
// calendar, editing it (UpdateCalendar, validated by recruit.CheckCalendar,
// audited) and carrying out what each phase start and each base's review
// deadline means (AdvancePhases, the scheduler's phase job); the plan
// (UpdatePlan, ImportPlan) and the notice text (UpdateNotice), audited;
// the statistics (Statistics) and the audit log (Audit), which base admins
// read for their own base; the staff accounts' one-time invitations
// (CreateInvite, Redeem, and MigrateStaff, which moves the key-value staff
// records of earlier versions at start-up); staff management within the
// caller's reach (CreateInvitation, ListStaff, DisableStaff) and the
// release of a real-name binding on appeal (ReleaseBinding); offers:
// voiding an accepted one (VoidOffer, audited) and expiring the lapsed
// ones (ExpireOffers, the scheduler's expiry job); and the adjustment
// phase's shortage specialties (SetShortageSpecialties) and placement
// proposal (ProposePlacement), applied as offers in one audited step
// (ApplyPlacement).
//
// A Service is built once by New and is safe for concurrent use. Every
// staff method takes the caller's recruit.Staff as the transport
// authenticated it and checks role (and base) itself; every error is a
// *recruit.Error naming the operation (province.UpdateCalendar, …).
package province

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"zhupei/recruit"
)

// Store is what the service needs of the store.
type Store interface {
	recruit.Catalogue
	recruit.Identities
	recruit.Applications
	recruit.Audit
	recruit.StatsStore
	recruit.BaseDatesStore
	recruit.KV
	recruit.Outbox
	recruit.StaffStore
	recruit.Offers
	recruit.AdjustmentStore
}

// Deps are the dependencies of a Service.
type Deps struct {
	Store Store
	// Now is the domain clock; time.Now when nil.
	Now func() time.Time
	// Bindings releases real-name bindings (ReleaseBinding); without it
	// that use-case is unavailable.
	Bindings Bindings
	// ParsePlan reads a plan file by its name's extension (store.ParsePlan);
	// ImportPlan needs it.
	ParsePlan func(name string, r io.Reader) ([]recruit.PlanRow, error)
}

// Service runs the province admin's use-cases and the phase
// transitions.
type Service struct {
	store     Store
	now       func() time.Time
	bindings  Bindings
	parsePlan func(name string, r io.Reader) ([]recruit.PlanRow, error)
}

// New returns the service over d; it panics without d.Store.
func New(d Deps) *Service {
	if d.Store == nil {
		panic("province: Deps.Store is required")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{store: d.Store, now: d.Now, bindings: d.Bindings, parsePlan: d.ParsePlan}
}

// maxReason bounds the reason of a calendar change, in characters.
const maxReason = 200

// CalendarChange is a change of the year's calendar. Override must be set
// (with a Reason) to move a phase that has begun into the future.
type CalendarChange struct {
	Year     int // 0: the latest year
	Calendar recruit.Calendar
	Override bool
	Reason   string
}

// ActionUpdateCalendar names calendar changes in the audit log.
const ActionUpdateCalendar = "update_calendar"

// UpdateCalendar replaces the calendar of a year (the latest when ch.Year
// is 0) and writes the audit entry. Only an enabled province admin may;
// the calendar must pass recruit.CheckCalendar, and moving a phase that has
// begun into the future needs ch.Override with a reason, which the audit
// entry records together with the phases moved.
func (s *Service) UpdateCalendar(ctx context.Context, by recruit.Staff, ch CalendarChange) (recruit.Year, error) {
	const op = "province.UpdateCalendar"
	if err := requireProvince(by); err != nil {
		return recruit.Year{}, recruit.WithOp(op, err)
	}
	cal, err := recruit.CheckCalendar(ch.Calendar)
	if err != nil {
		return recruit.Year{}, recruit.WithOp(op, err)
	}
	ch.Reason = strings.TrimSpace(ch.Reason)
	if utf8.RuneCountInString(ch.Reason) > maxReason {
		return recruit.Year{}, recruit.WithOp(op, recruit.Errorf(recruit.EINVALID, "修改原因不能超过 %d 个字", maxReason))
	}
	y, err := s.year(ctx, ch.Year)
	if err != nil {
		return recruit.Year{}, recruit.WithOp(op, err)
	}
	now := s.now()
	moved := recruit.BegunMovedLater(y.Calendar, cal, now)
	if len(moved) > 0 && (!ch.Override || ch.Reason == "") {
		return recruit.Year{}, recruit.WithOp(op, recruit.Errorf(recruit.EFORBIDDEN,
			"%s已经开始，不能改到以后；确需修改请选择强制修改并填写原因", phaseLabels(moved)))
	}
	before, after := y.Calendar.InShanghai(), cal
	y.Calendar = cal
	if err := s.store.PutYear(ctx, y); err != nil {
		return recruit.Year{}, recruit.WithOp(op, err)
	}
	remark := ch.Reason
	if len(moved) > 0 {
		remark = "强制修改（" + phaseLabels(moved) + "已开始）：" + ch.Reason
	}
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), 0, ActionUpdateCalendar, fmt.Sprintf("year:%d", y.Year), before, after, remark); err != nil {
		return recruit.Year{}, recruit.WithOp(op, err)
	}
	return y, nil
}

// requireProvince refuses anyone but an enabled province admin a change of
// the calendar.
func requireProvince(by recruit.Staff) error { return requireProvinceFor(by, "修改招录日程") }

// requireProvinceFor refuses anyone but an enabled province admin the
// action what (EFORBIDDEN naming it).
func requireProvinceFor(by recruit.Staff, what string) error {
	if by.Disabled {
		return recruit.ErrStaffDisabled
	}
	if by.Role != recruit.RoleProvince {
		return recruit.Errorf(recruit.EFORBIDDEN, "仅省级管理员可以%s", what)
	}
	return nil
}

// year returns the numbered year, the latest when n is 0.
func (s *Service) year(ctx context.Context, n int) (recruit.Year, error) {
	if n == 0 {
		return s.store.LatestYear(ctx)
	}
	return s.store.GetYear(ctx, n)
}

// phaseLabels joins the Chinese names of phases.
func phaseLabels(ps []recruit.Phase) string {
	labels := make([]string, len(ps))
	for i, p := range ps {
		labels[i] = p.Label()
	}
	return strings.Join(labels, "、")
}
