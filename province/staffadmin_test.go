package province

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"zhupei/apply"
	"zhupei/internal/testid"
	"zhupei/recruit"
	"zhupei/store/sqlite"
	"zhupei/store/storetest"
)

// staffFixture is a store with two bases and an account of every role:
// province, admin and reviewer of 甲医院 (A), admin and reviewer of 乙医院
// (B).
type staffFixture struct {
	db                                         *sqlite.DB
	svc                                        *Service
	baseA, baseB                               int64
	prov, adminA, reviewerA, adminB, reviewerB recruit.Staff
}

func newStaffFixture(t *testing.T) *staffFixture {
	t.Helper()
	ctx := context.Background()
	db, bases := openStoreWith(t,
		recruit.PlanRow{Line: 1, BaseName: "甲医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 10},
		recruit.PlanRow{Line: 2, BaseName: "乙医院", City: "青岛", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 5})
	f := &staffFixture{db: db, baseA: bases[0].ID, baseB: bases[1].ID}
	f.svc = New(Deps{Store: db, Now: func() time.Time { return testNow },
		Bindings: apply.New(apply.Deps{Store: db, Now: func() time.Time { return testNow }, Sealer: storetest.Sealer()})})
	mk := func(role recruit.Role, base int64, openID string) recruit.Staff {
		st, err := db.CreateStaff(ctx, recruit.Staff{Role: role, BaseID: base, MPOpenID: openID, CreatedAt: testNow})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	f.prov = mk(recruit.RoleProvince, 0, "mp-prov")
	f.adminA, f.reviewerA = mk(recruit.RoleBaseAdmin, f.baseA, "mp-admin-a"), mk(recruit.RoleReviewer, f.baseA, "mp-rev-a")
	f.adminB, f.reviewerB = mk(recruit.RoleBaseAdmin, f.baseB, "mp-admin-b"), mk(recruit.RoleReviewer, f.baseB, "mp-rev-b")
	return f
}

// audits returns the audit entries of action by staff member by.
func (f *staffFixture) audits(t *testing.T, by recruit.Staff, action string) []recruit.AuditEntry {
	t.Helper()
	es, err := f.db.ListAudit(context.Background(), recruit.AuditFilter{StaffID: by.ID, Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestCreateInvitationWithinReach(t *testing.T) {
	f := newStaffFixture(t)
	ctx := recruit.WithRequestID(context.Background(), "req-invite")
	disabled := f.prov
	disabled.Disabled = true
	for _, tc := range []struct {
		name string
		by   recruit.Staff
		req  InviteRequest
		code string // "" for success
	}{
		{"province invites a base admin", f.prov, InviteRequest{Role: recruit.RoleBaseAdmin, BaseID: f.baseB, Name: "李主任"}, ""},
		{"province invites a province admin", f.prov, InviteRequest{Role: recruit.RoleProvince}, ""},
		{"province invites a reviewer", f.prov, InviteRequest{Role: recruit.RoleReviewer, BaseID: f.baseA}, recruit.EFORBIDDEN},
		{"province names an unknown role", f.prov, InviteRequest{Role: "boss"}, recruit.EINVALID},
		{"province names a missing base", f.prov, InviteRequest{Role: recruit.RoleBaseAdmin, BaseID: 999}, recruit.ENOTFOUND},
		{"base admin invites its reviewer", f.adminA, InviteRequest{Role: recruit.RoleReviewer, BaseID: f.baseA}, ""},
		{"base admin invites another base's reviewer", f.adminA, InviteRequest{Role: recruit.RoleReviewer, BaseID: f.baseB}, recruit.ENOTFOUND},
		{"base admin invites a base admin", f.adminA, InviteRequest{Role: recruit.RoleBaseAdmin, BaseID: f.baseA}, recruit.EFORBIDDEN},
		{"reviewer invites", f.reviewerA, InviteRequest{Role: recruit.RoleReviewer, BaseID: f.baseA}, recruit.EFORBIDDEN},
		{"a disabled province admin", disabled, InviteRequest{Role: recruit.RoleProvince}, recruit.EFORBIDDEN},
	} {
		inv, err := f.svc.CreateInvitation(ctx, tc.by, tc.req)
		if recruit.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want code %q", tc.name, err, tc.code)
			continue
		}
		if tc.code == "" && (inv.Role != tc.req.Role || inv.Base.ID != tc.req.BaseID || !inv.Expires.Equal(testNow.Add(recruit.DefaultInviteTTL))) {
			t.Errorf("%s: invitation %+v", tc.name, inv)
		}
	}
	if es := f.audits(t, f.prov, ActionCreateInvitation); len(es) != 2 || es[1].BaseID != f.baseB || es[1].RequestID != "req-invite" {
		t.Errorf("the province's audit entries %+v, want its 2 invitations", es)
	}
	if es := f.audits(t, f.adminA, ActionCreateInvitation); len(es) != 1 || es[0].BaseID != f.baseA {
		t.Errorf("the base admin's audit entries %+v", es)
	}
}

func TestListAndDisableStaffWithinReach(t *testing.T) {
	f := newStaffFixture(t)
	ctx := context.Background()
	ids := func(ss []recruit.Staff) []int64 {
		out := make([]int64, len(ss))
		for i, s := range ss {
			out[i] = s.ID
		}
		return out
	}
	all, err := f.svc.ListStaff(ctx, f.prov)
	if err != nil || len(all) != 5 {
		t.Fatalf("the province lists %v, %v", ids(all), err)
	}
	own, err := f.svc.ListStaff(ctx, f.adminA)
	if err != nil || len(own) != 2 || own[0].ID != f.adminA.ID || own[1].ID != f.reviewerA.ID {
		t.Fatalf("base admin A lists %v, %v", ids(own), err)
	}
	if _, err := f.svc.ListStaff(ctx, f.reviewerA); recruit.ErrorCode(err) != recruit.EFORBIDDEN {
		t.Errorf("a reviewer lists staff: %v", err)
	}

	for _, tc := range []struct {
		name   string
		by     recruit.Staff
		target int64
		code   string
	}{
		{"base admin disables another base's reviewer", f.adminA, f.reviewerB.ID, recruit.ENOTFOUND},
		{"base admin disables another base's admin", f.adminA, f.adminB.ID, recruit.ENOTFOUND},
		{"base admin disables itself", f.adminA, f.adminA.ID, recruit.EFORBIDDEN},
		{"reviewer disables", f.reviewerA, f.reviewerA.ID, recruit.EFORBIDDEN},
		{"province disables itself", f.prov, f.prov.ID, recruit.EFORBIDDEN},
		{"a missing account", f.prov, 9999, recruit.ENOTFOUND},
	} {
		if _, err := f.svc.DisableStaff(ctx, tc.by, tc.target, ""); recruit.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if all, _ := f.svc.ListStaff(ctx, f.prov); len(all) != 5 || all[0].Disabled || all[1].Disabled || all[2].Disabled || all[3].Disabled || all[4].Disabled {
		t.Fatalf("refusals disabled someone: %+v", all)
	}
	st, err := f.svc.DisableStaff(ctx, f.adminA, f.reviewerA.ID, "离职")
	if err != nil || !st.Disabled {
		t.Fatalf("base admin disables its reviewer: %+v, %v", st, err)
	}
	if st, err := f.svc.DisableStaff(ctx, f.prov, f.adminB.ID, ""); err != nil || !st.Disabled {
		t.Fatalf("province disables a base admin: %+v, %v", st, err)
	}
	es := f.audits(t, f.adminA, ActionDisableStaff)
	if len(es) != 1 || es[0].Remark != "离职" || es[0].Before != `{"disabled":false}` || es[0].After != `{"disabled":true}` || es[0].BaseID != f.baseA {
		t.Errorf("audit %+v", es)
	}
	// The disabled admin can do nothing any more.
	if _, err := f.svc.ListStaff(ctx, st); recruit.ErrorCode(err) != recruit.EFORBIDDEN {
		t.Errorf("a disabled base admin lists staff: %v", err)
	}
}

func TestReleaseBindingLetsTheOwnerBind(t *testing.T) {
	f := newStaffFixture(t)
	ctx := context.Background()
	bindings := apply.New(apply.Deps{Store: f.db, Now: func() time.Time { return testNow }, Sealer: storetest.Sealer()})
	number := testid.Resident("37010219900307123")
	req := apply.BindRequest{Name: "张明", IDType: recruit.IDTypeResident, IDNumber: number, Client: "a"}
	if _, err := bindings.Bind(ctx, "oa-impostor", req); err != nil {
		t.Fatal(err)
	}
	req.Client = "b"
	if _, err := bindings.Bind(ctx, "oa-owner", req); recruit.ErrorMessage(err) != apply.MsgNumberTaken {
		t.Fatalf("the owner's first try: %v", err)
	}

	release := ReleaseRequest{IDType: recruit.IDTypeResident, IDNumber: number, Reason: "本人持身份证原件申诉，核实无误"}
	for _, tc := range []struct {
		name string
		by   recruit.Staff
		req  ReleaseRequest
		code string
	}{
		{"a base admin", f.adminA, release, recruit.EFORBIDDEN},
		{"no reason", f.prov, ReleaseRequest{IDType: release.IDType, IDNumber: number, Reason: "  "}, recruit.EINVALID},
		{"an unknown ID type", f.prov, ReleaseRequest{IDType: "学生证", IDNumber: number, Reason: "x"}, recruit.EINVALID},
		{"a number never bound", f.prov, ReleaseRequest{IDType: release.IDType, IDNumber: testid.Resident("37010219900307456"), Reason: "x"}, recruit.ENOTFOUND},
	} {
		if _, err := f.svc.ReleaseBinding(ctx, tc.by, tc.req); recruit.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if _, err := f.db.IdentityByOpenID(ctx, "oa-impostor"); err != nil {
		t.Fatalf("a refused release unbound the account: %v", err)
	}

	released, err := f.svc.ReleaseBinding(ctx, f.prov, release)
	if err != nil || released.OpenID != "oa-impostor" {
		t.Fatalf("release: %+v, %v", released, err)
	}
	if _, err := f.db.IdentityByOpenID(ctx, "oa-impostor"); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Fatalf("the account still holds the number: %v", err)
	}
	// The detached account is told on its binding page and may not bind
	// again within 30 days of its binding.
	st, err := bindings.BindStatus(ctx, "oa-impostor")
	if err != nil || st.Released == nil || st.Released.Reason != release.Reason || st.NextBind.IsZero() {
		t.Fatalf("the detached account's status: %+v, %v", st, err)
	}
	// The owner binds at once, inside the number's 30 days, and finds the
	// release in the person's inbox.
	id, err := bindings.Bind(ctx, "oa-owner", req)
	if err != nil || id.ID != released.ID {
		t.Fatalf("the owner binds after the release: %+v, %v", id, err)
	}
	msgs, err := f.db.ListNotifications(ctx, id.ID)
	if err != nil || len(msgs) != 1 || msgs[0].Kind != recruit.KindBindingReleased || !strings.Contains(msgs[0].Body, release.Reason) || msgs[0].OpenID != "oa-impostor" {
		t.Fatalf("the owner's inbox: %+v, %v", msgs, err)
	}
	es := f.audits(t, f.prov, ActionReleaseBinding)
	if len(es) != 1 || es[0].Target != fmt.Sprintf("identity:%d", id.ID) || es[0].Before != `{"bound":true}` || es[0].Remark != release.Reason ||
		strings.Contains(es[0].Before+es[0].After+es[0].Target, number) {
		t.Errorf("audit %+v", es)
	}
}
