package apply

import (
	"context"

	"zhupei/recruit"
)

// VacancyChoice is what the adjustment screen shows: the ranked vacancies
// (the choice first) and whether they may be changed now (Refusal nil).
type VacancyChoice struct {
	Ranked  []recruit.Program
	Refusal error
}

// Vacancies returns the applicant's ranked vacancies — the stored ones, or
// only the choice before any — with the reason they cannot be changed now,
// if any.
func (s *Service) Vacancies(ctx context.Context, a *Applicant) (v VacancyChoice, err error) {
	defer func() { err = recruit.WithOp("apply.Vacancies", err) }()
	v.Refusal = recruit.MayRankVacancies(a.Year.Calendar, s.now(), a.App)
	if !a.Submitted() {
		return v, nil
	}
	ids := []int64{a.App.ProgramID}
	stored, err := s.store.GetVacancyPrefs(ctx, a.App.ID)
	switch {
	case err == nil:
		ids = recruit.PoolPrefs(*a.App, stored.ProgramIDs, func(int64) bool { return true })
	case recruit.ErrorCode(err) != recruit.ENOTFOUND:
		return v, err
	}
	for _, id := range ids {
		p, err := s.store.GetProgram(ctx, id)
		if err != nil {
			return v, err
		}
		v.Ranked = append(v.Ranked, p)
	}
	return v, nil
}

// RankVacancies stores the applicant's ranked vacancies (调剂志愿), at most
// recruit.MaxVacancyPrefs programs of the year in order: the first is the
// application's choice, the others must have a vacancy now. The phase and
// state must allow it (recruit.MayRankVacancies).
func (s *Service) RankVacancies(ctx context.Context, a *Applicant, programIDs []int64) (p recruit.VacancyPrefs, err error) {
	defer func() { err = recruit.WithOp("apply.RankVacancies", err) }()
	now := s.now()
	if err := recruit.MayRankVacancies(a.Year.Calendar, now, a.App); err != nil {
		return p, err
	}
	p = recruit.VacancyPrefs{AppID: a.App.ID, Year: a.App.Year, ProgramIDs: programIDs, UpdatedAt: now}
	if err := recruit.CheckVacancyPrefs(p); err != nil {
		return recruit.VacancyPrefs{}, err
	}
	if programIDs[0] != a.App.ProgramID {
		return recruit.VacancyPrefs{}, &recruit.Error{Code: recruit.EINVALID,
			Message: "第一个调剂志愿须为您当前的报考志愿；如需更换，请先修改报考志愿",
			Fields:  map[string]string{"program_ids": "第一个调剂志愿须为当前的报考志愿"}}
	}
	for _, id := range programIDs[1:] {
		prog, err := s.store.GetProgram(ctx, id)
		if recruit.ErrorCode(err) == recruit.ENOTFOUND || err == nil && prog.Year != a.Year.Year {
			return recruit.VacancyPrefs{}, recruit.Errorf(recruit.EINVALID, "所选培训专业（编号 %d）不是本年度的招录计划", id)
		}
		if err != nil {
			return recruit.VacancyPrefs{}, err
		}
		if prog.Vacancies() == 0 {
			return recruit.VacancyPrefs{}, recruit.Errorf(recruit.ECONFLICT, "%s %s 已无缺额，请选择其他有缺额的培训专业", prog.BaseName, prog.SpecialtyName)
		}
	}
	if err := s.store.PutVacancyPrefs(ctx, p); err != nil {
		return recruit.VacancyPrefs{}, err
	}
	return p, nil
}
