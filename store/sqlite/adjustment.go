package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"zhupei/recruit"
)

var _ recruit.AdjustmentStore = (*DB)(nil)

// SetShortageSpecialties replaces the year's shortage specialties.
func (db *DB) SetShortageSpecialties(ctx context.Context, year int, codes []string) error {
	codes, err := recruit.CleanShortage(codes)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM years WHERE year = ?`, year).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoYear)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM shortage_specialties WHERE year = ?`, year); err != nil {
			return err
		}
		for _, c := range codes {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM specialties WHERE code = ?`, c).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return recruit.ErrUnknownSpecialty(c)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO shortage_specialties (year, specialty_code) VALUES (?, ?)`, year, c); err != nil {
				return err
			}
		}
		return nil
	})
}

// ShortageSpecialties returns the year's shortage specialty codes in order.
func (db *DB) ShortageSpecialties(ctx context.Context, year int) ([]string, error) {
	return queryAll(ctx, db.read, `SELECT specialty_code FROM shortage_specialties WHERE year = ? ORDER BY specialty_code`, []any{year},
		func(s scanner) (string, error) {
			var c string
			return c, s.Scan(&c)
		})
}

// PutVacancyPrefs creates or replaces an application's ranked vacancies.
func (db *DB) PutVacancyPrefs(ctx context.Context, p recruit.VacancyPrefs) error {
	if err := recruit.CheckVacancyPrefs(p); err != nil {
		return err
	}
	ids, err := json.Marshal(p.ProgramIDs)
	if err != nil {
		return recruit.Internal(err)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var year int
		if err := tx.QueryRowContext(ctx, `SELECT year FROM applications WHERE id = ?`, p.AppID).Scan(&year); err != nil {
			return notFound(err, recruit.MsgNoApplication)
		}
		for _, id := range p.ProgramIDs {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM programs WHERE id = ? AND year = ?`, id, year).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return recruit.ErrNoPlanInYear(year)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO vacancy_prefs (application_id, year, program_ids, updated_at) VALUES (?, ?, ?, ?)`,
			p.AppID, year, string(ids), nanos(p.UpdatedAt))
		return err
	})
}

const vacancyPrefsColumns = `application_id, year, program_ids, updated_at`

func scanVacancyPrefs(s scanner) (recruit.VacancyPrefs, error) {
	var (
		p   recruit.VacancyPrefs
		ids string
		at  int64
	)
	if err := s.Scan(&p.AppID, &p.Year, &ids, &at); err != nil {
		return recruit.VacancyPrefs{}, err
	}
	p.UpdatedAt = fromNanos(at)
	return p, json.Unmarshal([]byte(ids), &p.ProgramIDs)
}

// GetVacancyPrefs returns an application's ranked vacancies.
func (db *DB) GetVacancyPrefs(ctx context.Context, appID int64) (recruit.VacancyPrefs, error) {
	p, err := scanVacancyPrefs(db.read.QueryRowContext(ctx, `SELECT `+vacancyPrefsColumns+` FROM vacancy_prefs WHERE application_id = ?`, appID))
	if err != nil {
		return recruit.VacancyPrefs{}, notFound(err, recruit.MsgNoVacancyPrefs)
	}
	return p, nil
}

// ListVacancyPrefs returns the ranked vacancies of the year's applications.
func (db *DB) ListVacancyPrefs(ctx context.Context, year int) ([]recruit.VacancyPrefs, error) {
	return queryAll(ctx, db.read, `SELECT `+vacancyPrefsColumns+` FROM vacancy_prefs WHERE year = ? ORDER BY application_id`, []any{year}, scanVacancyPrefs)
}

// PutBaseRanking creates or replaces a base's ranking of the year.
func (db *DB) PutBaseRanking(ctx context.Context, r recruit.BaseRanking) error {
	if err := recruit.CheckBaseRanking(r); err != nil {
		return err
	}
	ids, err := json.Marshal(orEmpty(r.AppIDs))
	if err != nil {
		return recruit.Internal(err)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := baseExists(ctx, tx, r.BaseID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO base_rankings (year, base_id, application_ids, updated_at) VALUES (?, ?, ?, ?)`,
			r.Year, r.BaseID, string(ids), nanos(r.UpdatedAt))
		return err
	})
}

// ListBaseRankings returns every base's ranking of the year.
func (db *DB) ListBaseRankings(ctx context.Context, year int) ([]recruit.BaseRanking, error) {
	return queryAll(ctx, db.read, `SELECT year, base_id, application_ids, updated_at FROM base_rankings WHERE year = ? ORDER BY base_id`, []any{year},
		func(s scanner) (recruit.BaseRanking, error) {
			var (
				r   recruit.BaseRanking
				ids string
				at  int64
			)
			if err := s.Scan(&r.Year, &r.BaseID, &ids, &at); err != nil {
				return recruit.BaseRanking{}, err
			}
			r.UpdatedAt = fromNanos(at)
			return r, json.Unmarshal([]byte(ids), &r.AppIDs)
		})
}

// orEmpty is ids, or an empty list for nil, so that it is stored as [].
func orEmpty(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// PlaceOffer places a pool member in a program (recruit.PlaceMove) in one
// transaction: the application is read and checked in it, the seat taken
// under the plan, the counters moved and the notification queued with it.
func (db *DB) PlaceOffer(ctx context.Context, appID, programID int64, deadline, now time.Time, note recruit.Note) (recruit.Application, error) {
	move, err := recruit.PlacementMove(ctx, db, appID, programID, deadline)
	if err != nil {
		return recruit.Application{}, err
	}
	return db.moveState(ctx, appID, move, now, note.Notes())
}
