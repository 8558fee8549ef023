package review

import (
	"context"
	"fmt"
	"slices"

	"zhupei/recruit"
)

// ActionRankCandidates names a base's ranking of its pool candidates in
// the audit log.
const ActionRankCandidates = "rank_candidates"

var errRankNotBaseAdmin = recruit.Errorf(recruit.EFORBIDDEN, "仅基地管理员或省级管理员可以为本基地的调剂人员排序")

// Pool returns the adjustment pool of base in the latest year as the base
// sees it (recruit.Pool.Candidates): each member listing one of its
// programs with the preference, in the base's order. The base's staff and
// the province may read it (another base's staff get ENOTFOUND).
func (s *Service) Pool(ctx context.Context, by recruit.Staff, base int64) ([]recruit.PoolCandidate, error) {
	const op = "review.Pool"
	pool, _, err := s.pool(ctx, by, base)
	if err != nil {
		return nil, recruit.WithOp(op, err)
	}
	return pool.Candidates(base), nil
}

// RankCandidates sets base's order of its pool candidates in the latest
// year (application ids, best first; empty clears it) and writes the audit
// entry. Only in the adjustment phase, by a base admin of that base or the
// province; every id must be a candidate of the base's pool. The placement
// proposal ranks the base's candidates in this order, the others after them
// in review order.
func (s *Service) RankCandidates(ctx context.Context, by recruit.Staff, base int64, appIDs []int64) (recruit.BaseRanking, error) {
	const op = "review.RankCandidates"
	pool, y, err := s.pool(ctx, by, base)
	if err != nil {
		return recruit.BaseRanking{}, recruit.WithOp(op, err)
	}
	if by.Role == recruit.RoleReviewer {
		return recruit.BaseRanking{}, recruit.WithOp(op, errRankNotBaseAdmin)
	}
	now := s.now()
	if phase := y.Calendar.PhaseAt(now); phase != recruit.PhaseAdjustment {
		return recruit.BaseRanking{}, recruit.WithOp(op, recruit.Errorf(recruit.EFORBIDDEN,
			"调剂人员排序仅在%s进行，当前为%s", recruit.PhaseAdjustment.Label(), phase.Label()))
	}
	r := recruit.BaseRanking{Year: y.Year, BaseID: base, AppIDs: appIDs, UpdatedAt: now}
	if err := recruit.CheckBaseRanking(r); err != nil {
		return recruit.BaseRanking{}, recruit.WithOp(op, err)
	}
	cands := map[int64]bool{}
	var before []int64
	for _, c := range pool.Candidates(base) {
		cands[c.AppID] = true
		if c.Ranked && (len(before) == 0 || before[len(before)-1] != c.AppID) {
			before = append(before, c.AppID)
		}
	}
	for _, id := range appIDs {
		if !cands[id] {
			return recruit.BaseRanking{}, recruit.WithOp(op, recruit.Errorf(recruit.EINVALID, "报名编号 %d 不是本基地的调剂人员", id))
		}
	}
	if err := s.store.PutBaseRanking(ctx, r); err != nil {
		return recruit.BaseRanking{}, recruit.WithOp(op, err)
	}
	target := fmt.Sprintf("base:%d/%d/ranking", base, y.Year)
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), base, ActionRankCandidates, target, before, appIDs, ""); err != nil {
		return recruit.BaseRanking{}, recruit.WithOp(op, err)
	}
	return r, nil
}

// pool checks that by reaches base and builds the latest year's pool.
func (s *Service) pool(ctx context.Context, by recruit.Staff, base int64) (recruit.Pool, recruit.Year, error) {
	if by.Disabled {
		return recruit.Pool{}, recruit.Year{}, recruit.ErrStaffDisabled
	}
	if !reaches(by, base) {
		return recruit.Pool{}, recruit.Year{}, recruit.BaseNotFound(base)
	}
	bases, err := s.store.ListBases(ctx)
	if err != nil {
		return recruit.Pool{}, recruit.Year{}, err
	}
	if !slices.ContainsFunc(bases, func(b recruit.Base) bool { return b.ID == base }) {
		return recruit.Pool{}, recruit.Year{}, recruit.BaseNotFound(base)
	}
	y, err := s.store.LatestYear(ctx)
	if err != nil {
		return recruit.Pool{}, recruit.Year{}, err
	}
	data, err := recruit.LoadPool(ctx, s.store, y)
	if err != nil {
		return recruit.Pool{}, recruit.Year{}, err
	}
	return recruit.BuildPool(data), y, nil
}
