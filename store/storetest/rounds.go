package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"zhupei/recruit"
)

// A review with a note queues its notification with the review; a failing
// note or a queued message id reviews nothing.
func testReviewNote(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	p := importRows(t, s, 2025, planRows)["齐鲁医院/0100"].ID
	ids := newIdentities(t, s, "reviewnote", 2)
	apps := make([]recruit.Application, len(ids))
	for i, id := range ids {
		var err error
		apps[i], err = s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: p}, t0, nil)
		must(t, "SubmitChoice", err)
	}
	t1 := t0.Add(time.Hour)
	var seen recruit.Application
	note := func(app recruit.Application) (recruit.Notification, error) {
		seen = app
		return recruit.Notification{IdentityID: app.IdentityID, Kind: recruit.KindReviewFailed, Key: fmt.Sprintf("review-%d", app.ID), Title: "审核未通过", CreatedAt: t1}, nil
	}
	got, err := s.Review(ctx, apps[0].ID, recruit.StateRejected, "照片不合格", t1, note)
	must(t, "Review with a note", err)
	if seen != got || got.State != recruit.StateRejected || got.ReviewRemark != "照片不合格" || !got.StateAt.Equal(t1) {
		t.Errorf("note saw %+v, review returned %+v; want the rejected application set at %v", seen, got, t1)
	}
	ns, err := s.ListNotifications(ctx, ids[0])
	must(t, "ListNotifications", err)
	if len(ns) != 1 || ns[0].Key != fmt.Sprintf("review-%d", apps[0].ID) || ns[0].State != recruit.NoticeQueued {
		t.Errorf("notifications = %+v, want one queued review-%d", ns, apps[0].ID)
	}
	if n, err := s.Relay(ctx); err != nil || n != 0 {
		t.Errorf("Relay after Review = %d, %v; want 0", n, err)
	}

	boom := recruit.Errorf(recruit.EINVALID, "note failed")
	failing := func(recruit.Application) (recruit.Notification, error) { return recruit.Notification{}, boom }
	colliding := func(app recruit.Application) (recruit.Notification, error) {
		n, _ := note(app)
		n.Key = fmt.Sprintf("review-%d", apps[0].ID)
		return n, nil
	}
	for _, c := range []struct {
		name string
		note recruit.Note
		want error
	}{{"a failing note", failing, boom}, {"a queued message id", colliding, recruit.ErrQueued}} {
		_, err := s.Review(ctx, apps[1].ID, recruit.StateApproved, "", t1, c.note)
		wantErr(t, "Review with "+c.name, err, c.want)
		wantUnchanged(t, s, "after "+c.name, ids[1], apps[1], nil, 0, 0)
	}
}

// The audit log keeps every entry with its fields, lists newest first with
// filters and pages, and refuses an incomplete entry.
func testAudit(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	base1, base2 := twoBases(t, s)
	entries := []recruit.AuditEntry{
		{At: t0, StaffID: 1, Role: recruit.RoleReviewer, BaseID: base1, Action: "review", Target: "application:1", Before: "pending", After: "approved", RequestID: "r1"},
		{At: t0.Add(time.Minute), StaffID: 2, Role: recruit.RoleBaseAdmin, BaseID: base2, Action: "set_base_dates", Target: "base:2/round1", Before: "{}", After: `{"interview":"2025-07-20"}`, RequestID: "r2"},
		{At: t0.Add(2 * time.Minute), StaffID: 1, Role: recruit.RoleReviewer, BaseID: base1, Action: "review", Target: "application:2", Before: "pending", After: "rejected", Remark: "照片不合格", RequestID: "r3"},
		{At: t0.Add(3 * time.Minute), StaffID: 3, Role: recruit.RoleProvince, Action: "  update_calendar ", Target: "year:2025", Remark: "override", RequestID: "r4"},
	}
	var stored []recruit.AuditEntry
	for _, e := range entries {
		got, err := s.AppendAudit(ctx, e)
		must(t, "AppendAudit", err)
		if got.ID <= 0 || (len(stored) > 0 && got.ID <= stored[len(stored)-1].ID) {
			t.Errorf("entry id %d does not grow", got.ID)
		}
		stored = append(stored, got)
	}
	if stored[3].Action != "update_calendar" {
		t.Errorf("action stored as %q, want it trimmed", stored[3].Action)
	}
	ids := func(es []recruit.AuditEntry) []int64 {
		out := make([]int64, len(es))
		for i, e := range es {
			out[i] = e.ID
		}
		return out
	}
	for _, c := range []struct {
		name string
		f    recruit.AuditFilter
		want []recruit.AuditEntry
	}{
		{"all", recruit.AuditFilter{}, []recruit.AuditEntry{stored[3], stored[2], stored[1], stored[0]}},
		{"base", recruit.AuditFilter{BaseID: base1}, []recruit.AuditEntry{stored[2], stored[0]}},
		{"action", recruit.AuditFilter{Action: "set_base_dates"}, []recruit.AuditEntry{stored[1]}},
		{"staff", recruit.AuditFilter{StaffID: 3}, []recruit.AuditEntry{stored[3]}},
		{"first page", recruit.AuditFilter{Limit: 2}, []recruit.AuditEntry{stored[3], stored[2]}},
		{"next page", recruit.AuditFilter{Limit: 2, BeforeID: stored[2].ID}, []recruit.AuditEntry{stored[1], stored[0]}},
		{"base and action", recruit.AuditFilter{BaseID: base2, Action: "review"}, nil},
		{"from", recruit.AuditFilter{From: t0.Add(time.Minute)}, []recruit.AuditEntry{stored[3], stored[2], stored[1]}},
		{"until", recruit.AuditFilter{Until: t0.Add(2 * time.Minute)}, []recruit.AuditEntry{stored[1], stored[0]}},
		{"time range and base", recruit.AuditFilter{BaseID: base1, From: t0.Add(time.Second), Until: t0.Add(3 * time.Minute)}, []recruit.AuditEntry{stored[2]}},
	} {
		got, err := s.ListAudit(ctx, c.f)
		must(t, "ListAudit "+c.name, err)
		if fmt.Sprint(ids(got)) != fmt.Sprint(ids(c.want)) {
			t.Errorf("ListAudit %s = ids %v, want %v", c.name, ids(got), ids(c.want))
			continue
		}
		for i := range got {
			w := c.want[i]
			if !got[i].At.Equal(w.At) || !sameAudit(got[i], w) {
				t.Errorf("ListAudit %s entry %d = %+v, want %+v", c.name, i, got[i], w)
			}
		}
	}
	for _, bad := range []recruit.AuditEntry{
		{At: t0, Role: recruit.RoleReviewer},
		{Role: recruit.RoleReviewer, Action: "review"},
		{At: t0, Role: "boss", Action: "review"},
	} {
		_, err := s.AppendAudit(ctx, bad)
		wantCode(t, fmt.Sprintf("AppendAudit(%+v)", bad), err, recruit.EINVALID)
	}
}

// sameAudit compares two entries but for their times.
func sameAudit(a, b recruit.AuditEntry) bool {
	a.At, b.At = time.Time{}, time.Time{}
	return a == b
}

// A base's dates of a round are replaced as a whole, listed by base and
// round, and refused for a missing base or an unknown round.
func testBaseDates(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	base1, base2 := twoBases(t, s)
	_, err := s.GetBaseDates(ctx, 2025, base1, recruit.PhaseRound1)
	wantErr(t, "GetBaseDates before any", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoBaseDates))
	day := func(d int) time.Time { return time.Date(2025, time.July, d, 9, 0, 0, 0, recruit.Shanghai) }
	first := recruit.BaseDates{Year: 2025, BaseID: base1, Round: recruit.PhaseRound1, ReviewDeadline: day(15), Interview: day(20), UpdatedAt: t0}
	must(t, "PutBaseDates", s.PutBaseDates(ctx, first))
	second := recruit.BaseDates{Year: 2025, BaseID: base1, Round: recruit.PhaseRound1, WrittenExam: day(18), UpdatedAt: t0.Add(time.Hour)}
	must(t, "PutBaseDates again", s.PutBaseDates(ctx, second))
	must(t, "PutBaseDates round2", s.PutBaseDates(ctx, recruit.BaseDates{Year: 2025, BaseID: base1, Round: recruit.PhaseRound2, UpdatedAt: t0}))
	must(t, "PutBaseDates other base", s.PutBaseDates(ctx, recruit.BaseDates{Year: 2025, BaseID: base2, Round: recruit.PhaseRound1, Interview: day(21), UpdatedAt: t0}))
	must(t, "PutBaseDates other year", s.PutBaseDates(ctx, recruit.BaseDates{Year: 2024, BaseID: base1, Round: recruit.PhaseRound1, UpdatedAt: t0}))

	got, err := s.GetBaseDates(ctx, 2025, base1, recruit.PhaseRound1)
	must(t, "GetBaseDates", err)
	if !got.ReviewDeadline.IsZero() || !got.Interview.IsZero() || !got.WrittenExam.Equal(day(18)) || !got.UpdatedAt.Equal(second.UpdatedAt) ||
		got.Year != 2025 || got.BaseID != base1 || got.Round != recruit.PhaseRound1 {
		t.Errorf("GetBaseDates = %+v, want the second put %+v", got, second)
	}
	list, err := s.ListBaseDates(ctx, 2025)
	must(t, "ListBaseDates", err)
	var keys []string
	for _, d := range list {
		keys = append(keys, fmt.Sprintf("%d/%s", d.BaseID, d.Round))
	}
	want := []string{fmt.Sprintf("%d/round1", base1), fmt.Sprintf("%d/round2", base1), fmt.Sprintf("%d/round1", base2)}
	if fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Errorf("ListBaseDates = %v, want %v", keys, want)
	}

	err = s.PutBaseDates(ctx, recruit.BaseDates{Year: 2025, BaseID: 9999, Round: recruit.PhaseRound1})
	wantErr(t, "PutBaseDates of a missing base", err, recruit.BaseNotFound(9999))
	err = s.PutBaseDates(ctx, recruit.BaseDates{Year: 2025, BaseID: base1, Round: recruit.PhaseConfirmation})
	wantCode(t, "PutBaseDates of a phase that is no round", err, recruit.EINVALID)
	err = s.PutBaseDates(ctx, recruit.BaseDates{Year: 0, BaseID: base1, Round: recruit.PhaseRound1})
	wantCode(t, "PutBaseDates of year 0", err, recruit.EINVALID)
}
