package province_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"zhupei/internal/testyear"
	"zhupei/province"
	"zhupei/recruit"
)

func TestUpdateCalendar(t *testing.T) {
	ctx := recruit.WithRequestID(context.Background(), "req-42")
	f := newFixture(t, testyear.Day(time.July, 12, 9)) // round1 has begun
	prov := f.Staff(t, recruit.RoleProvince, 0)
	later := recruit.DefaultCalendar(2025)
	later.Closed = later.Closed.Add(24 * time.Hour)
	disabled := prov
	disabled.Disabled = true
	for _, c := range []struct {
		name string
		by   recruit.Staff
		want string
	}{
		{"a reviewer", f.Staff(t, recruit.RoleReviewer, f.BaseA), recruit.EFORBIDDEN},
		{"a base admin", f.Staff(t, recruit.RoleBaseAdmin, f.BaseA), recruit.EFORBIDDEN},
		{"a disabled province admin", disabled, recruit.EFORBIDDEN},
	} {
		_, err := f.svc.UpdateCalendar(ctx, c.by, province.CalendarChange{Calendar: later})
		if recruit.ErrorCode(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}

	bad := later
	bad.Round2 = bad.Round1
	if _, err := f.svc.UpdateCalendar(ctx, prov, province.CalendarChange{Calendar: bad}); recruit.ErrorCode(err) != recruit.EINVALID {
		t.Errorf("unordered calendar: %v, want EINVALID", err)
	}

	// Moving round1, which has begun, into the future needs the override
	// with a reason.
	moved := later
	moved.Round1 = testyear.Day(time.July, 13, 0)
	for _, ch := range []province.CalendarChange{{Calendar: moved}, {Calendar: moved, Override: true}, {Calendar: moved, Reason: "系统故障"}} {
		if _, err := f.svc.UpdateCalendar(ctx, prov, ch); recruit.ErrorCode(err) != recruit.EFORBIDDEN {
			t.Errorf("moving a begun phase with %+v: %v, want EFORBIDDEN", ch, err)
		}
	}
	entries, err := f.Store.ListAudit(ctx, recruit.AuditFilter{})
	if err != nil || len(entries) != 0 {
		t.Fatalf("refused changes audited: %+v, %v", entries, err)
	}

	y, err := f.svc.UpdateCalendar(ctx, prov, province.CalendarChange{Calendar: later, Reason: "延长录取确认"})
	if err != nil {
		t.Fatal(err)
	}
	if !y.Calendar.Closed.Equal(later.Closed) {
		t.Errorf("stored closed %v, want %v", y.Calendar.Closed, later.Closed)
	}
	y, err = f.svc.UpdateCalendar(ctx, prov, province.CalendarChange{Calendar: moved, Override: true, Reason: "系统故障，顺延一天"})
	if err != nil {
		t.Fatal(err)
	}
	if stored, _ := f.Store.GetYear(ctx, 2025); !stored.Calendar.Round1.Equal(moved.Round1) || stored.Calendar.PhaseAt(f.clock.Now()) != recruit.PhaseRegistration {
		t.Errorf("stored calendar %+v, want round1 moved to %v", stored.Calendar, moved.Round1)
	}
	entries, err = f.Store.ListAudit(ctx, recruit.AuditFilter{Action: province.ActionUpdateCalendar})
	if err != nil || len(entries) != 2 {
		t.Fatalf("audit %+v, %v; want two entries", entries, err)
	}
	e := entries[0]
	if e.StaffID != prov.ID || e.Role != recruit.RoleProvince || e.Target != "year:2025" || e.RequestID != "req-42" ||
		!strings.Contains(e.Remark, "强制修改") || !strings.Contains(e.Remark, "系统故障") ||
		!strings.Contains(e.Before, `"round1":"2025-07-11T00:00:00+08:00"`) || !strings.Contains(e.After, `"round1":"2025-07-13T00:00:00+08:00"`) {
		t.Errorf("override entry %+v", e)
	}
	if entries[1].Remark != "延长录取确认" {
		t.Errorf("plain change remark %q", entries[1].Remark)
	}
}
