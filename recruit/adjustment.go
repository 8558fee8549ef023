package recruit

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"
)

// Adjustment (调剂, DESIGN.md "Offers and adjustment"): in the adjustment
// phase an applicant without a seat who accepts adjustment (or is new)
// ranks up to MaxVacancyPrefs vacancies, the application's one choice
// first; a base may rank the candidates of the pool who listed it; the
// province flags its shortage specialties on the vacancy board and may
// compute a placement proposal over the pool (Place).

// MaxVacancyPrefs is how many vacancies an applicant ranks, the choice
// included.
const MaxVacancyPrefs = 3

// MaxBaseRanking bounds how many candidates a base ranks at once.
const MaxBaseRanking = 20000

// Vacancies returns the free seats of a program: plan − admitted, never
// negative.
func (p Program) Vacancies() int { return max(0, p.Plan-p.Admitted) }

// VacancyPrefs are an applicant's ranked vacancies of one year, best first.
type VacancyPrefs struct {
	AppID      int64     `json:"application_id"`
	Year       int       `json:"year"` // the application's; set by the store
	ProgramIDs []int64   `json:"program_ids"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// BaseRanking is a base's order of its pool candidates (application ids,
// best first) in one year; an empty one is no order.
type BaseRanking struct {
	Year      int       `json:"year"`
	BaseID    int64     `json:"base_id"`
	AppIDs    []int64   `json:"application_ids"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Messages of the adjustment records, the same on every backend.
const (
	MsgNoVacancyPrefs   = "尚未填报调剂志愿"
	msgPrefsCount       = "调剂志愿最多填报 %d 个，至少 1 个"
	msgPrefsRepeated    = "调剂志愿不能重复选择同一培训专业"
	msgPrefsBadID       = "调剂志愿的培训计划编号无效"
	msgRankingTooLong   = "一次最多排序 %d 名调剂人员"
	msgRankingRepeated  = "排序中同一报名人员（报名编号 %d）出现了两次"
	msgRankingBadID     = "排序中的报名编号无效"
	msgUnknownSpecialty = "培训专业（代码 %s）不存在"
	msgShortageTooMany  = "紧缺专业最多设定 %d 个"
)

// MaxShortageSpecialties bounds the province's list of shortage
// specialties.
const MaxShortageSpecialties = 100

// CheckVacancyPrefs refuses an empty list, more than MaxVacancyPrefs
// programs, a non-positive id or a program listed twice (EINVALID).
func CheckVacancyPrefs(p VacancyPrefs) error {
	if len(p.ProgramIDs) == 0 || len(p.ProgramIDs) > MaxVacancyPrefs {
		return Errorf(EINVALID, msgPrefsCount, MaxVacancyPrefs)
	}
	for i, id := range p.ProgramIDs {
		if id <= 0 {
			return Errorf(EINVALID, msgPrefsBadID)
		}
		if slices.Contains(p.ProgramIDs[:i], id) {
			return Errorf(EINVALID, msgPrefsRepeated)
		}
	}
	return nil
}

// CheckBaseRanking refuses a ranking of a bad year or base, with more than
// MaxBaseRanking ids, a non-positive id or one named twice (EINVALID).
func CheckBaseRanking(r BaseRanking) error {
	if err := CheckYear(r.Year); err != nil {
		return err
	}
	if r.BaseID <= 0 {
		return BaseNotFound(r.BaseID)
	}
	if len(r.AppIDs) > MaxBaseRanking {
		return Errorf(EINVALID, msgRankingTooLong, MaxBaseRanking)
	}
	seen := make(map[int64]bool, len(r.AppIDs))
	for _, id := range r.AppIDs {
		if id <= 0 {
			return Errorf(EINVALID, msgRankingBadID)
		}
		if seen[id] {
			return Errorf(EINVALID, msgRankingRepeated, id)
		}
		seen[id] = true
	}
	return nil
}

// ErrUnknownSpecialty is the ENOTFOUND of a specialty code nothing is
// stored under.
func ErrUnknownSpecialty(code string) error { return Errorf(ENOTFOUND, msgUnknownSpecialty, code) }

// CleanShortage trims the codes of a shortage list, drops empty and
// repeated ones and sorts them; EINVALID for more than
// MaxShortageSpecialties or a code that cannot be one.
func CleanShortage(codes []string) ([]string, error) {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		c = strings.TrimSpace(c)
		if c == "" || slices.Contains(out, c) {
			continue
		}
		if len(c) > 16 {
			return nil, ErrUnknownSpecialty(c)
		}
		out = append(out, c)
	}
	if len(out) > MaxShortageSpecialties {
		return nil, Errorf(EINVALID, msgShortageTooMany, MaxShortageSpecialties)
	}
	sort.Strings(out)
	return out, nil
}

// AdjustmentStore keeps the adjustment phase's records.
type AdjustmentStore interface {
	// SetShortageSpecialties replaces the year's shortage specialties
	// (CleanShortage) with codes. ENOTFOUND (MsgNoYear) for a missing year,
	// ErrUnknownSpecialty for a code no specialty has; nothing changes then.
	SetShortageSpecialties(ctx context.Context, year int, codes []string) error
	// ShortageSpecialties returns the year's shortage specialty codes in
	// order, empty when none are set.
	ShortageSpecialties(ctx context.Context, year int) ([]string, error)
	// PutVacancyPrefs creates or replaces the ranked vacancies of
	// application p.AppID (CheckVacancyPrefs) and records them under its
	// year. ENOTFOUND (MsgNoApplication) for a missing application,
	// ErrNoPlanInYear for a program not of its year.
	PutVacancyPrefs(ctx context.Context, p VacancyPrefs) error
	// GetVacancyPrefs returns an application's ranked vacancies,
	// ENOTFOUND (MsgNoVacancyPrefs) when none are stored.
	GetVacancyPrefs(ctx context.Context, appID int64) (VacancyPrefs, error)
	// ListVacancyPrefs returns the ranked vacancies of every application
	// of the year, by application id.
	ListVacancyPrefs(ctx context.Context, year int) ([]VacancyPrefs, error)
	// PutBaseRanking creates or replaces a base's ranking of the year
	// (CheckBaseRanking); BaseNotFound for a missing base.
	PutBaseRanking(ctx context.Context, r BaseRanking) error
	// ListBaseRankings returns every base's ranking of the year, by base
	// id.
	ListBaseRankings(ctx context.Context, year int) ([]BaseRanking, error)
	// PlaceOffer places one member of the adjustment pool in a program as
	// a provisional admission (PlaceMove): with an open offer answerable
	// until deadline, or none when deadline is zero (the year does not
	// require acceptance). Checked in the write itself, not before: the
	// application must still be in the pool under its year's calendar
	// (ECONFLICT MsgLeftPool), the program must be of its year
	// (ENOTFOUND: MsgNoProgram for a missing program, ErrNoPlanInYear for
	// another year's) and have a vacancy (ECONFLICT MsgProgramFull, the
	// plan never exceeded under any concurrency). When the application
	// chose another program its choice moves, with the registered counters
	// (old −1, new +1) as SubmitChoice's; the seat is taken at the new
	// program; note's notification is queued atomically with the change.
	// Nothing changes on a refusal. On a backend without transactions the
	// seat is taken first and given back if the application changed
	// meanwhile; a crash between the writes leaves a seat taken (never one
	// too many) or the registered counters off, which Recount reports and
	// RepairCounts repairs.
	PlaceOffer(ctx context.Context, appID, programID int64, deadline, now time.Time, note Note) (Application, error)
}

// MayRankVacancies decides whether the applicant whose application is app
// (nil: none) may rank vacancies at now: only in the adjustment phase,
// only with an application that holds no seat, is not locked by approval
// and accepts adjustment or was first submitted in adjustment
// (AdjustmentPlaceable). EFORBIDDEN with the reason otherwise.
func MayRankVacancies(cal Calendar, now time.Time, app *Application) error {
	phase := cal.PhaseAt(now)
	if phase != PhaseAdjustment {
		return forbid("调剂志愿仅在%s填报，当前为%s", PhaseAdjustment.Label(), phase.Label())
	}
	if !registered(app) {
		return forbid("请先填报并提交志愿，再填报调剂志愿")
	}
	switch app.State {
	case StateProvisional, StateAdmitted:
		return forbid("您已被%s，不能再填报调剂志愿", app.State.Label())
	case StateApproved:
		return forbid("您的志愿已审核通过，调剂志愿不可再修改")
	}
	if err := AdjustmentPlaceable(*app, cal); err != nil {
		return forbid("未选择接受调剂的人员不能填报调剂志愿；如需调剂，请先在志愿中选择接受调剂")
	}
	return nil
}

// InPool reports whether app belongs to the adjustment pool under cal: an
// active application holding no seat that may be placed in adjustment
// (AdjustmentPlaceable).
func InPool(app Application, cal Calendar) bool {
	return app.State.Active() && !app.State.HoldsSeat() && AdjustmentPlaceable(app, cal) == nil
}

// PoolPrefs returns what a pool member ranks: the application's choice
// first, then the stored prefs other than it, at most MaxVacancyPrefs in
// all, keeping only programs with a vacancy (vacant). So the seed's single
// choice stays the first even when it changed after the ranking.
func PoolPrefs(app Application, stored []int64, vacant func(programID int64) bool) []int64 {
	all := append([]int64{app.ProgramID}, stored...)
	out := make([]int64, 0, MaxVacancyPrefs)
	for _, id := range all {
		if len(out) == MaxVacancyPrefs {
			break
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return slices.DeleteFunc(out, func(id int64) bool { return !vacant(id) })
}
