package notify

import (
	"fmt"
	"time"

	"zhupei/recruit"
)

// Source value names: what a template keyword (configured per kind in
// config.yaml) is filled from. A builder sets the sources its kind lists in
// Sources; time sources hold RFC 3339 and are formatted by the time type.
const (
	SrcBase      = "base"      // 培训基地
	SrcSpecialty = "specialty" // 培训专业
	SrcState     = "state"     // 审核结果 / 状态, a short phrase
	SrcRemark    = "remark"    // review remark, reason, next step
	SrcPlace     = "place"     // exam or interview place
	SrcTime      = "time"      // when the event happened or takes place
	SrcDeadline  = "deadline"  // a deadline (offer, review)
	SrcRound     = "round"     // the round that opened
	SrcName      = "name"      // the staff member's name
	SrcCount     = "count"     // how many applications are concerned
)

// Sources are the source values each kind's builder sets; Config.Validate
// refuses a template field naming any other.
var Sources = map[recruit.NoticeKind][]string{
	recruit.KindRegistered:         {SrcBase, SrcSpecialty, SrcState, SrcTime},
	recruit.KindReviewPassed:       {SrcBase, SrcSpecialty, SrcState, SrcRemark, SrcTime},
	recruit.KindReviewFailed:       {SrcBase, SrcSpecialty, SrcState, SrcRemark, SrcTime},
	recruit.KindExamNotice:         {SrcBase, SrcSpecialty, SrcPlace, SrcTime},
	recruit.KindInterviewNotice:    {SrcBase, SrcSpecialty, SrcPlace, SrcTime},
	recruit.KindProvisional:        {SrcBase, SrcSpecialty, SrcState, SrcRemark, SrcTime},
	recruit.KindOfferVoid:          {SrcBase, SrcSpecialty, SrcState, SrcRemark, SrcTime},
	recruit.KindAdmitted:           {SrcBase, SrcSpecialty, SrcState, SrcTime},
	recruit.KindRoundOpened:        {SrcRound, SrcState, SrcTime, SrcDeadline},
	recruit.KindBindingReleased:    {SrcState, SrcRemark, SrcTime},
	recruit.KindStaffReviewStarted: {SrcName, SrcBase, SrcCount, SrcTime},
	recruit.KindStaffDeadline:      {SrcName, SrcBase, SrcCount, SrcDeadline},
	recruit.KindStaffConfirmation:  {SrcName, SrcBase, SrcCount, SrcTime},
	recruit.KindStaffOfferEnded:    {SrcName, SrcBase, SrcCount, SrcTime},
}

// TimeSources are the sources holding a time (RFC 3339).
var TimeSources = map[string]bool{SrcTime: true, SrcDeadline: true}

// stamp is t as a time source value, "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(recruit.Shanghai).Format(time.RFC3339)
}

// long is t as the inbox text writes it: 2025年07月01日 08:00.
func long(t time.Time) string { return t.In(recruit.Shanghai).Format(TimeLayout) }

// applicantNotice is the common part of an applicant's notification about
// app in prog; the key names the kind, the application and the change.
func applicantNotice(kind recruit.NoticeKind, app recruit.Application, prog recruit.Program, now time.Time, title, body string, v map[string]string) recruit.Notification {
	v[SrcBase], v[SrcSpecialty] = prog.BaseName, prog.SpecialtyName
	if _, ok := v[SrcTime]; !ok {
		v[SrcTime] = stamp(now)
	}
	return recruit.Notification{
		IdentityID: app.IdentityID, Kind: kind,
		Key:   fmt.Sprintf("%s-%d-%d", kind, app.ID, app.UpdatedAt.UnixNano()),
		Title: title, Body: body, Values: v,
		NextAt: now, CreatedAt: now, UpdatedAt: now,
	}
}

// Registered is the 报名成功 notice of a submitted or changed choice (seed
// 7.20), one per application version.
func Registered(app recruit.Application, prog recruit.Program, now time.Time) recruit.Notification {
	adj := "不接受调剂"
	if app.AcceptsAdjustment {
		adj = "接受调剂"
	}
	body := fmt.Sprintf("您已于%s成功报名%s %s（%s），当前状态：%s。请留意审核结果。",
		long(now), prog.BaseName, prog.SpecialtyName, adj, app.State.Label())
	n := applicantNotice(recruit.KindRegistered, app, prog, now, "报名成功", body, map[string]string{SrcState: app.State.Label()})
	n.Key = fmt.Sprintf("%s-%d-v%d", recruit.KindRegistered, app.ID, app.Version)
	return n
}

// ReviewResult is the 审核通过 / 审核未通过 notice (seed 7.21, 7.22) with the
// base's full remark.
func ReviewResult(app recruit.Application, prog recruit.Program, passed bool, remark string, now time.Time) recruit.Notification {
	kind, title, result := recruit.KindReviewFailed, "审核未通过", "未通过"
	if passed {
		kind, title, result = recruit.KindReviewPassed, "审核通过", "通过"
	}
	body := fmt.Sprintf("您报名的%s %s审核%s。", prog.BaseName, prog.SpecialtyName, result)
	if remark != "" {
		body += "审核意见：" + remark
	}
	return applicantNotice(kind, app, prog, now, title, body, map[string]string{SrcState: title, SrcRemark: orNone(remark)})
}

// ExamNotice is the 笔试通知 of a base: when and where.
func ExamNotice(app recruit.Application, prog recruit.Program, at time.Time, place string, now time.Time) recruit.Notification {
	return assessment(recruit.KindExamNotice, "笔试", app, prog, at, place, now)
}

// InterviewNotice is the 面试通知 of a base: when and where.
func InterviewNotice(app recruit.Application, prog recruit.Program, at time.Time, place string, now time.Time) recruit.Notification {
	return assessment(recruit.KindInterviewNotice, "面试", app, prog, at, place, now)
}

func assessment(kind recruit.NoticeKind, what string, app recruit.Application, prog recruit.Program, at time.Time, place string, now time.Time) recruit.Notification {
	body := fmt.Sprintf("%s %s%s时间：%s；地点：%s。请携带身份证按时参加。", prog.BaseName, prog.SpecialtyName, what, long(at), place)
	n := applicantNotice(kind, app, prog, now, what+"通知", body, map[string]string{SrcPlace: place, SrcTime: stamp(at)})
	n.Key = fmt.Sprintf("%s-%d-%d", kind, app.ID, at.Unix())
	return n
}

// Provisional is the 拟录取 notice (seed 7.23); deadline is the offer's
// answer deadline, zero when the year needs no answer.
func Provisional(app recruit.Application, prog recruit.Program, deadline, now time.Time) recruit.Notification {
	body := fmt.Sprintf("您已被%s %s拟录取。", prog.BaseName, prog.SpecialtyName)
	next := "请留意录取通知"
	if !deadline.IsZero() {
		next = "请于" + long(deadline) + "前确认是否接受"
		body += next + "，逾期视为放弃。"
	}
	return applicantNotice(recruit.KindProvisional, app, prog, now, "拟录取通知", body, map[string]string{SrcState: "拟录取", SrcRemark: next})
}

// OfferVoid tells that a provisional admission no longer holds its seat
// (declined or expired); reason says which.
func OfferVoid(app recruit.Application, prog recruit.Program, reason string, now time.Time) recruit.Notification {
	body := fmt.Sprintf("您在%s %s的拟录取资格已失效：%s。", prog.BaseName, prog.SpecialtyName, reason)
	return applicantNotice(recruit.KindOfferVoid, app, prog, now, "拟录取已失效", body, map[string]string{SrcState: "已失效", SrcRemark: orNone(reason)})
}

// Admitted is the 录取 notice.
func Admitted(app recruit.Application, prog recruit.Program, now time.Time) recruit.Notification {
	body := fmt.Sprintf("恭喜您被%s %s正式录取。", prog.BaseName, prog.SpecialtyName)
	return applicantNotice(recruit.KindAdmitted, app, prog, now, "录取通知", body, map[string]string{SrcState: "已录取"})
}

// RoundOpened tells an applicant that a round (二志愿 or 调剂: phase) of
// year opened at start and ends at end; one per applicant, year and phase.
func RoundOpened(identityID int64, year int, phase recruit.Phase, start, end, now time.Time) recruit.Notification {
	body := fmt.Sprintf("%d年%s已开始（%s 至 %s），您可以登录系统填报或修改志愿。", year, phase.Label(), long(start), long(end))
	return recruit.Notification{
		IdentityID: identityID, Kind: recruit.KindRoundOpened,
		Key:   fmt.Sprintf("%s-%d-%s-%d", recruit.KindRoundOpened, year, phase, identityID),
		Title: phase.Label() + "开始", Body: body,
		Values: map[string]string{SrcRound: phase.Label(), SrcState: "已开始", SrcTime: stamp(start), SrcDeadline: stamp(end)},
		NextAt: now, CreatedAt: now, UpdatedAt: now,
	}
}

// BindingReleased tells that the province released, on the number owner's
// appeal, the real-name binding of identity held by the official-account
// openID ("" when none was): one row tells both accounts — the WeChat
// message goes to openID, and the identity's inbox has it for whoever binds
// the number next (the real owner).
func BindingReleased(identityID int64, openID, reason string, now time.Time) recruit.Notification {
	body := "省级管理部门已根据证件本人的申诉，解除该证件号码在原微信账号上的实名认证，证件本人可重新认证。"
	if reason != "" {
		body += "原因：" + reason
	}
	return recruit.Notification{
		IdentityID: identityID, OpenID: openID, Kind: recruit.KindBindingReleased,
		Key:   fmt.Sprintf("%s-%d-%d", recruit.KindBindingReleased, identityID, now.UnixNano()),
		Title: "实名认证已解除", Body: body,
		Values: map[string]string{SrcState: "已解除", SrcRemark: orNone(reason), SrcTime: stamp(now)},
		NextAt: now, CreatedAt: now, UpdatedAt: now,
	}
}

// StaffReviewStarted tells a base's staff member that review of year has
// begun with n applications waiting.
func StaffReviewStarted(staff recruit.Staff, base string, year, n int, now time.Time) recruit.Notification {
	body := fmt.Sprintf("%d年报名已截止，%s审核已开始，共%d份报名待审核。", year, base, n)
	return staffNotice(recruit.KindStaffReviewStarted, fmt.Sprint(year), staff, base, n, "审核开始", body, stamp(now), now)
}

// StaffDeadline tells a base's staff member that its review deadline is
// reached (or near) with n applications still pending.
func StaffDeadline(staff recruit.Staff, base string, n int, deadline, now time.Time) recruit.Notification {
	body := fmt.Sprintf("%s的审核截止时间为%s，尚有%d份报名待审核。", base, long(deadline), n)
	return staffNotice(recruit.KindStaffDeadline, fmt.Sprint(deadline.Unix()), staff, base, n, "审核即将截止", body, stamp(deadline), now)
}

// StaffConfirmation tells a base's staff member that the confirmation phase
// of year began with n provisional admissions awaiting admission.
func StaffConfirmation(staff recruit.Staff, base string, year, n int, now time.Time) recruit.Notification {
	body := fmt.Sprintf("%d年录取确认阶段已开始，%s有%d名拟录取人员待确认录取。", year, base, n)
	return staffNotice(recruit.KindStaffConfirmation, fmt.Sprint(year), staff, base, n, "待确认录取", body, stamp(now), now)
}

// StaffOfferEnded tells a base's staff member that the offer of application
// app in prog ended (recruit.OfferState: declined, expired or voided, with
// the province's reason) and its seat is free again; one per staff member
// and change of the application.
func StaffOfferEnded(staff recruit.Staff, app recruit.Application, prog recruit.Program, now time.Time) recruit.Notification {
	body := fmt.Sprintf("%s %s：报名编号 %d 的拟录取%s，名额已释放，可再拟录取 1 人。", prog.BaseName, prog.SpecialtyName, app.ID, offerEnd(app))
	occasion := fmt.Sprintf("%d-%d", app.ID, app.UpdatedAt.UnixNano())
	return staffNotice(recruit.KindStaffOfferEnded, occasion, staff, prog.BaseName, 1, "拟录取"+app.OfferState.Label(), body, stamp(now), now)
}

// OfferEnded is the applicant's OfferVoid notice of an offer that ended:
// declined, expired or voided.
func OfferEnded(app recruit.Application, prog recruit.Program, now time.Time) recruit.Notification {
	return OfferVoid(app, prog, offerEnd(app), now)
}

// offerEnd says how the offer of app ended, as both sides read it.
func offerEnd(app recruit.Application) string {
	switch app.OfferState {
	case recruit.OfferDeclined:
		return "已由本人确认放弃"
	case recruit.OfferExpired:
		return "未在确认期限（" + long(app.OfferDeadline) + "）前确认接受，已过期"
	case recruit.OfferVoided:
		return "已由省级管理员作废，原因：" + app.OfferReason
	}
	return app.OfferState.Label()
}

// staffNotice is a staff notification; one per kind, staff member and
// occasion (the year, the deadline or the change).
func staffNotice(kind recruit.NoticeKind, occasion string, staff recruit.Staff, base string, n int, title, body, at string, now time.Time) recruit.Notification {
	src := SrcTime
	if kind == recruit.KindStaffDeadline {
		src = SrcDeadline
	}
	return recruit.Notification{
		StaffID: staff.ID, Kind: kind,
		Key:   fmt.Sprintf("%s-%s-%d", kind, occasion, staff.ID),
		Title: title, Body: body,
		Values: map[string]string{SrcName: staff.Name, SrcBase: base, SrcCount: fmt.Sprint(n), src: at},
		NextAt: now, CreatedAt: now, UpdatedAt: now,
	}
}

func orNone(s string) string {
	if s == "" {
		return "无"
	}
	return s
}

// OfferEndedNotes builds the notifications of an offer of an application
// in prog that ended: the applicant's (OfferEnded) and one for each enabled
// member of staff (StaffOfferEnded), the base's accounts.
func OfferEndedNotes(prog recruit.Program, staff []recruit.Staff, now time.Time) recruit.Notes {
	return func(app recruit.Application) ([]recruit.Notification, error) {
		out := []recruit.Notification{OfferEnded(app, prog, now)}
		for _, st := range staff {
			if !st.Disabled {
				out = append(out, StaffOfferEnded(st, app, prog, now))
			}
		}
		return out, nil
	}
}
