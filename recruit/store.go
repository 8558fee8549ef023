package recruit

import (
	"context"
	"time"
)

// Store is what the service needs from a database. Every backend (package
// store/sqlite, store/mongo) implements it and passes the contract suite in
// store/storetest. Errors are *Error: ENOTFOUND for missing records,
// ECONFLICT for uniqueness and capacity violations, EINTERNAL otherwise.
type Store interface {
	ProfileStore
	StaffStore

	// Ping reports whether the database is reachable.
	Ping(ctx context.Context) error
	// Close releases the database; it is safe to call once.
	Close() error

	// PutYear creates or replaces a recruitment year.
	PutYear(ctx context.Context, y Year) error
	// GetYear returns one year, ENOTFOUND when it does not exist.
	GetYear(ctx context.Context, year int) (Year, error)
	// LatestYear returns the year with the largest number, ENOTFOUND if none.
	LatestYear(ctx context.Context) (Year, error)

	// ImportPlan upserts the bases, specialties and programs named by rows
	// for one year; plan numbers are replaced, counters are kept.
	ImportPlan(ctx context.Context, year int, rows []PlanRow) error
	// ListBases returns every base ordered by id.
	ListBases(ctx context.Context) ([]Base, error)
	// ListSpecialties returns every specialty ordered by code.
	ListSpecialties(ctx context.Context) ([]Specialty, error)
	// ListPrograms returns the programs matching f ordered by base id and
	// specialty code, with base and specialty names filled in.
	ListPrograms(ctx context.Context, f ProgramFilter) ([]Program, error)
	// GetProgram returns one program, ENOTFOUND when it does not exist.
	GetProgram(ctx context.Context, id int64) (Program, error)

	// CreateIdentity binds an OpenID to a person. ECONFLICT when the OpenID
	// or the ID number (by type) is already bound.
	CreateIdentity(ctx context.Context, id Identity) (Identity, error)
	// IdentityByOpenID returns the binding of a WeChat account.
	IdentityByOpenID(ctx context.Context, openID string) (Identity, error)
	// GetIdentity returns a binding by id.
	GetIdentity(ctx context.Context, id int64) (Identity, error)

	// SubmitChoice creates the applicant's application for the year or
	// changes its choice; the new state is pending and Version grows by one.
	// The registered counters of the old and new program move with it.
	// When log is not nil, the history entry and the notification it builds
	// from the stored application are recorded with the choice: in the same
	// transaction where the backend has them (store/sqlite: a failure
	// records nothing), right after it otherwise (store/mongo).
	SubmitChoice(ctx context.Context, identityID int64, year int, c Choice, now time.Time, log ChoiceLog) (Application, error)
	// GetApplication returns the application of one applicant in one year.
	GetApplication(ctx context.Context, year int, identityID int64) (Application, error)
	// ListApplications returns the applications choosing one program.
	ListApplications(ctx context.Context, programID int64) ([]Application, error)
	// Review moves a pending application to approved or rejected.
	Review(ctx context.Context, appID int64, to State, remark string, now time.Time) (Application, error)
	// ProvisionallyAdmit marks an approved application 拟录取 and takes a seat;
	// ECONFLICT when the program is full, never exceeding the plan.
	ProvisionallyAdmit(ctx context.Context, appID int64, now time.Time) (Application, error)
	// ReopenApplications makes every approved or rejected application of
	// the year pending again (its choice carried over), as happens at the
	// start of round2 and adjustment; it returns how many changed. Counters
	// do not move: both states count as registered.
	ReopenApplications(ctx context.Context, year int, now time.Time) (int, error)
	// Recount counts registered and admitted per program from the
	// applications themselves (keyed by program id, zero counts omitted).
	Recount(ctx context.Context, year int) (map[int64]Counts, error)

	// The key-value part holds small expiring records shared by all
	// instances: sessions, login tickets, the WeChat access token, callback
	// de-duplication keys, rate-limit windows and job leases. A record whose
	// expiry is not after now is treated as absent. ttl <= 0 means no expiry.

	// SetKV creates or replaces a record.
	SetKV(ctx context.Context, key, value string, ttl time.Duration, now time.Time) error
	// GetKV returns a live record's value, ENOTFOUND when absent or expired.
	GetKV(ctx context.Context, key string, now time.Time) (string, error)
	// AddKV creates the record only if it is absent or expired and reports
	// whether it did; exactly one of many concurrent callers wins.
	AddKV(ctx context.Context, key, value string, ttl time.Duration, now time.Time) (bool, error)
	// IncrKV adds one to a counter and returns the new value; a new or
	// expired counter starts at 1 and expires ttl after that first increment.
	IncrKV(ctx context.Context, key string, ttl time.Duration, now time.Time) (int64, error)
	// DeleteKV removes a record; removing an absent one is not an error.
	DeleteKV(ctx context.Context, key string) error
}

// IDSealer protects ID numbers at rest: Seal encrypts, Open decrypts and
// Index is a keyed blind index used for equality lookups.
type IDSealer interface {
	Seal(plain string) (string, error)
	Open(sealed string) (string, error)
	Index(plain string) string
}
