package sqlite

import (
	"context"
	"database/sql"
	sqlitelib "modernc.org/sqlite/lib"

	"zhupei/recruit"
)

const yearColumns = `year, title, notice, registration, round1, round2, adjustment, confirmation, closed, offers_require_acceptance`

// PutYear creates or replaces a recruitment year.
func (db *DB) PutYear(ctx context.Context, y recruit.Year) error {
	if err := recruit.CheckYear(y.Year); err != nil {
		return err
	}
	c := y.Calendar
	_, err := db.write.ExecContext(ctx, `INSERT OR REPLACE INTO years (`+yearColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		y.Year, y.Title, y.Notice, nanos(c.Registration), nanos(c.Round1), nanos(c.Round2),
		nanos(c.Adjustment), nanos(c.Confirmation), nanos(c.Closed), y.Offers.RequireAcceptance)
	return storeErr(err)
}

// GetYear returns one year.
func (db *DB) GetYear(ctx context.Context, year int) (recruit.Year, error) {
	return db.queryYear(ctx, `SELECT `+yearColumns+` FROM years WHERE year = ?`, year)
}

// LatestYear returns the year with the largest number.
func (db *DB) LatestYear(ctx context.Context) (recruit.Year, error) {
	return db.queryYear(ctx, `SELECT `+yearColumns+` FROM years ORDER BY year DESC LIMIT 1`)
}

func (db *DB) queryYear(ctx context.Context, query string, args ...any) (recruit.Year, error) {
	var (
		y recruit.Year
		t [6]int64
	)
	err := db.read.QueryRowContext(ctx, query, args...).Scan(&y.Year, &y.Title, &y.Notice, &t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &y.Offers.RequireAcceptance)
	if err != nil {
		return recruit.Year{}, notFound(err, recruit.MsgNoYear)
	}
	y.Calendar = recruit.Calendar{
		Registration: fromNanos(t[0]), Round1: fromNanos(t[1]), Round2: fromNanos(t[2]),
		Adjustment: fromNanos(t[3]), Confirmation: fromNanos(t[4]), Closed: fromNanos(t[5]),
	}
	return y, nil
}

// ImportPlan upserts the bases, specialties and programs of rows in one
// transaction. A plan below the program's admitted count is refused by the
// table's CHECK constraint.
func (db *DB) ImportPlan(ctx context.Context, year int, rows []recruit.PlanRow) error {
	rows, err := recruit.CleanPlan(year, rows)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			var baseID int64
			err := tx.QueryRowContext(ctx, `INSERT INTO bases (name, city) VALUES (?, ?)
				ON CONFLICT (name) DO UPDATE SET city = excluded.city RETURNING id`, r.BaseName, r.City).Scan(&baseID)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO specialties (code, name, grp) VALUES (?, ?, ?)
				ON CONFLICT (code) DO UPDATE SET name = excluded.name,
				grp = CASE WHEN excluded.grp = '' THEN specialties.grp ELSE excluded.grp END`,
				r.SpecialtyCode, r.SpecialtyName, r.SpecialtyGroup); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO programs (year, base_id, specialty_code, plan) VALUES (?, ?, ?, ?)
				ON CONFLICT (year, base_id, specialty_code) DO UPDATE SET plan = excluded.plan`,
				year, baseID, r.SpecialtyCode, r.Plan)
			if isConstraint(err, sqlitelib.SQLITE_CONSTRAINT_CHECK) {
				var admitted int
				if err := tx.QueryRowContext(ctx, `SELECT admitted FROM programs WHERE year = ? AND base_id = ? AND specialty_code = ?`,
					year, baseID, r.SpecialtyCode).Scan(&admitted); err != nil {
					return err
				}
				return recruit.ErrPlanBelowAdmitted(r.Line, r.Plan, admitted)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ListBases returns every base ordered by id.
func (db *DB) ListBases(ctx context.Context) ([]recruit.Base, error) {
	return queryAll(ctx, db.read, `SELECT id, name, city FROM bases ORDER BY id`, nil,
		func(s scanner) (recruit.Base, error) {
			var b recruit.Base
			return b, s.Scan(&b.ID, &b.Name, &b.City)
		})
}

// ListSpecialties returns every specialty ordered by code.
func (db *DB) ListSpecialties(ctx context.Context) ([]recruit.Specialty, error) {
	return queryAll(ctx, db.read, `SELECT code, name, grp FROM specialties ORDER BY code`, nil,
		func(s scanner) (recruit.Specialty, error) {
			var sp recruit.Specialty
			return sp, s.Scan(&sp.Code, &sp.Name, &sp.Group)
		})
}

const programQuery = `SELECT p.id, p.year, p.base_id, b.name, p.specialty_code, s.name, p.plan, p.registered, p.admitted, p.final
	FROM programs p JOIN bases b ON b.id = p.base_id JOIN specialties s ON s.code = p.specialty_code `

func scanProgram(s scanner) (recruit.Program, error) {
	var p recruit.Program
	err := s.Scan(&p.ID, &p.Year, &p.BaseID, &p.BaseName, &p.SpecialtyCode, &p.SpecialtyName, &p.Plan, &p.Registered, &p.Admitted, &p.Final)
	return p, err
}

// ListPrograms returns the programs matching f ordered by base id and
// specialty code (then year).
func (db *DB) ListPrograms(ctx context.Context, f recruit.ProgramFilter) ([]recruit.Program, error) {
	return queryAll(ctx, db.read, programQuery+`
		WHERE (?1 = 0 OR p.year = ?1) AND (?2 = 0 OR p.base_id = ?2) AND (?3 = '' OR p.specialty_code = ?3)
		ORDER BY p.base_id, p.specialty_code, p.year`,
		[]any{f.Year, f.BaseID, f.SpecialtyCode}, scanProgram)
}

// GetProgram returns one program.
func (db *DB) GetProgram(ctx context.Context, id int64) (recruit.Program, error) {
	p, err := scanProgram(db.read.QueryRowContext(ctx, programQuery+`WHERE p.id = ?`, id))
	if err != nil {
		return recruit.Program{}, notFound(err, recruit.MsgNoProgram)
	}
	return p, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// queryer is the read pool or a write transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryAll runs query and scans every row with scan.
func queryAll[T any](ctx context.Context, q queryer, query string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, recruit.Internal(err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, recruit.Internal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, recruit.Internal(err)
	}
	return out, nil
}
