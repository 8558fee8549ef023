package province

import (
	"context"

	"zhupei/recruit"
)

// StatsRequest asks for the statistics of a year (0: the latest), of one
// base (0: the caller's own, or every base for the province) and one round
// ("": the whole year).
type StatsRequest struct {
	Year   int
	BaseID int64
	Round  recruit.Phase
}

var errNoStats = recruit.Errorf(recruit.EFORBIDDEN, "仅基地管理员和省级管理员可以查看统计")

// Statistics returns the statistics of req (recruit.Tally): a base admin
// sees their own base only (another base is ENOTFOUND), the province every
// base or one, with the funnel from binding on; reviewers are refused.
func (s *Service) Statistics(ctx context.Context, by recruit.Staff, req StatsRequest) (recruit.Stats, error) {
	const op = "province.Statistics"
	base, err := s.baseScope(ctx, by, req.BaseID, errNoStats)
	if err != nil {
		return recruit.Stats{}, recruit.WithOp(op, err)
	}
	if _, err := recruit.ParseStatsRound(string(req.Round)); err != nil {
		return recruit.Stats{}, recruit.WithOp(op, err)
	}
	y, err := s.year(ctx, req.Year)
	if err != nil {
		return recruit.Stats{}, recruit.WithOp(op, err)
	}
	programs, err := s.store.ListPrograms(ctx, recruit.ProgramFilter{Year: y.Year, BaseID: base})
	if err != nil {
		return recruit.Stats{}, recruit.WithOp(op, err)
	}
	counts, err := s.store.CountApplications(ctx, recruit.StatsQuery{Year: y.Year, BaseID: base, Calendar: y.Calendar})
	if err != nil {
		return recruit.Stats{}, recruit.WithOp(op, err)
	}
	var people *recruit.PeopleCount
	if base == 0 {
		p, err := s.store.CountPeople(ctx)
		if err != nil {
			return recruit.Stats{}, recruit.WithOp(op, err)
		}
		people = &p
	}
	st := recruit.Tally(programs, counts, req.Round, people)
	st.Year, st.BaseID = y.Year, base
	return st, nil
}

// baseScope is the base a read of by asking for base covers: a base admin's
// own (asking for another is ENOTFOUND, as if it did not exist), any the
// province names (0: every base; a missing one is ENOTFOUND). Reviewers and
// disabled accounts are refused, reviewers with refuse.
func (s *Service) baseScope(ctx context.Context, by recruit.Staff, base int64, refuse error) (int64, error) {
	switch {
	case by.Disabled:
		return 0, recruit.ErrStaffDisabled
	case by.Role == recruit.RoleBaseAdmin:
		if base != 0 && base != by.BaseID {
			return 0, recruit.BaseNotFound(base)
		}
		return by.BaseID, nil
	case by.Role != recruit.RoleProvince:
		return 0, refuse
	case base != 0:
		if _, err := baseByID(ctx, s.store, base); err != nil {
			return 0, err
		}
	}
	return base, nil
}
