package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"zhupei/province"
	"zhupei/recruit"
)

// The adjustment operations of the admin API: role and base are refused
// as the services say, bad bodies are 400s, and each answer is the
// service's.
func TestAdminPlacement(t *testing.T) {
	f := newAdminFixture(t)
	f.setPhase(t, recruit.PhaseAdjustment) // the seeded applications are new in adjustment: all in the pool
	prov, _ := f.token(t, recruit.RoleProvince, 0)
	adminA, _ := f.token(t, recruit.RoleBaseAdmin, f.baseA)
	reviewerA, _ := f.token(t, recruit.RoleReviewer, f.baseA)
	adminB, _ := f.token(t, recruit.RoleBaseAdmin, f.baseB)
	pending := f.pendingApp(t, f.progA1)

	st, body := f.call(t, http.MethodPut, "/api/v1/admin/shortage-specialties", prov, map[string]any{"specialties": []string{"0200", "0200"}})
	if st != http.StatusOK || string(body) != `{"specialties":["0200"]}` {
		t.Errorf("setShortageSpecialties: %d %s", st, body)
	}
	st, body = f.call(t, http.MethodPut, "/api/v1/admin/shortage-specialties", adminA, map[string]any{"specialties": []string{}})
	wantError(t, "a base admin sets shortage specialties", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	st, body = f.call(t, http.MethodPut, "/api/v1/admin/shortage-specialties", prov, map[string]any{"specialties": []string{"7777"}})
	wantError(t, "an unknown specialty", st, body, http.StatusNotFound, recruit.ENOTFOUND)
	st, body = f.call(t, http.MethodPut, "/api/v1/admin/shortage-specialties", prov, map[string]any{"codes": []string{"0200"}})
	wantError(t, "an unknown field", st, body, http.StatusBadRequest, recruit.EINVALID)

	st, body = f.call(t, http.MethodGet, fmt.Sprintf("/api/v1/admin/bases/%d/pool", f.baseA), reviewerA, nil)
	var pool struct {
		BaseID     int64                   `json:"base_id"`
		Candidates []recruit.PoolCandidate `json:"candidates"`
	}
	if st != http.StatusOK || json.Unmarshal(body, &pool) != nil || pool.BaseID != f.baseA || len(pool.Candidates) != 2 || pool.Candidates[0].ProgramID != f.progA1 {
		t.Errorf("listPool: %d %s", st, body)
	}
	st, body = f.call(t, http.MethodGet, fmt.Sprintf("/api/v1/admin/bases/%d/pool", f.baseA), adminB, nil)
	wantError(t, "another base's pool", st, body, http.StatusNotFound, recruit.ENOTFOUND)
	st, body = f.call(t, http.MethodGet, "/api/v1/admin/bases/x/pool", adminA, nil)
	wantError(t, "a bad base id", st, body, http.StatusBadRequest, recruit.EINVALID)

	ranking := fmt.Sprintf("/api/v1/admin/bases/%d/pool/ranking", f.baseA)
	st, body = f.call(t, http.MethodPut, ranking, reviewerA, map[string]any{"application_ids": []int64{pending.ID}})
	wantError(t, "a reviewer ranks", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	st, body = f.call(t, http.MethodPut, ranking, adminB, map[string]any{"application_ids": []int64{pending.ID}})
	wantError(t, "another base's admin ranks", st, body, http.StatusNotFound, recruit.ENOTFOUND)
	st, body = f.call(t, http.MethodPut, ranking, adminA, map[string]any{"application_ids": "1"})
	wantError(t, "not a list", st, body, http.StatusBadRequest, recruit.EINVALID)
	st, body = f.call(t, http.MethodPut, ranking, adminA, map[string]any{"application_ids": []int64{pending.ID}})
	var r recruit.BaseRanking
	if st != http.StatusOK || json.Unmarshal(body, &r) != nil || r.BaseID != f.baseA || len(r.AppIDs) != 1 || r.AppIDs[0] != pending.ID {
		t.Errorf("rankPoolCandidates: %d %s", st, body)
	}

	st, body = f.call(t, http.MethodPost, "/api/v1/admin/placement/proposal", adminA, nil)
	wantError(t, "a base admin proposes", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	st, body = f.call(t, http.MethodPost, "/api/v1/admin/placement/proposal", prov, nil)
	var p province.Proposal
	if st != http.StatusOK || json.Unmarshal(body, &p) != nil || p.Pool != 3 || p.Placed != 3 || p.Seats != 9+3+5 || p.Empty != 14 || len(p.Unplaced) != 0 {
		t.Errorf("proposePlacement: %d %s", st, body)
	}
	if len(p.Bases) > 0 && (p.Bases[0].Programs[0].Placed[0].AppID != pending.ID || p.Bases[0].BaseName != "甲医院") {
		t.Errorf("甲医院 内科 places %+v first, want its ranked %d", p.Bases[0].Programs[0].Placed, pending.ID)
	}
}

// applyPlacement applies the proposal with the digest given as offers
// (the province only), refuses a bad body (400) and a digest that is not
// the proposal of now (409), so applying twice is refused.
func TestAdminApplyPlacement(t *testing.T) {
	f := newAdminFixture(t)
	f.setPhase(t, recruit.PhaseAdjustment)
	prov, _ := f.token(t, recruit.RoleProvince, 0)
	adminA, _ := f.token(t, recruit.RoleBaseAdmin, f.baseA)
	st, body := f.call(t, http.MethodPost, "/api/v1/admin/placement/proposal", prov, nil)
	var p province.Proposal
	if st != http.StatusOK || json.Unmarshal(body, &p) != nil || p.Placed == 0 || p.Digest == "" {
		t.Fatalf("proposePlacement: %d %s", st, body)
	}
	const apply = "/api/v1/admin/placement/apply"

	st, body = f.call(t, http.MethodPost, apply, adminA, map[string]any{"digest": p.Digest})
	wantError(t, "a base admin applies", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	st, body = f.call(t, http.MethodPost, apply, prov, map[string]any{"hash": p.Digest})
	wantError(t, "an unknown field", st, body, http.StatusBadRequest, recruit.EINVALID)
	st, body = f.call(t, http.MethodPost, apply, prov, map[string]any{})
	wantError(t, "no digest", st, body, http.StatusBadRequest, recruit.EINVALID)
	st, body = f.call(t, http.MethodPost, apply, prov, map[string]any{"digest": "0" + p.Digest[1:]})
	wantError(t, "another digest", st, body, http.StatusConflict, recruit.ECONFLICT)

	st, body = f.call(t, http.MethodPost, apply, prov, map[string]any{"digest": p.Digest})
	var out province.Applied
	if st != http.StatusOK || json.Unmarshal(body, &out) != nil || len(out.Placed) != p.Placed || len(out.Skipped) != 0 || out.Digest != p.Digest {
		t.Fatalf("applyPlacement: %d %s", st, body)
	}
	for _, e := range out.Placed {
		app, err := f.store.GetApplicationByID(context.Background(), e.AppID)
		if err != nil || app.State != recruit.StateProvisional || app.ProgramID != e.ProgramID {
			t.Errorf("placed %+v: stored %+v, %v", e, app, err)
		}
	}
	st, body = f.call(t, http.MethodPost, apply, prov, map[string]any{"digest": p.Digest})
	wantError(t, "applying again", st, body, http.StatusConflict, recruit.ECONFLICT)
	if !strings.Contains(string(body), province.MsgProposalChanged) {
		t.Errorf("applying again: %s, want %q", body, province.MsgProposalChanged)
	}
}
