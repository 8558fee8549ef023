package recruit

import (
	"context"
	"time"
)

// The store interfaces, one per aggregate. Every backend (package
// store/sqlite, store/mongo) implements them all, as Store, and passes the
// contract suite in store/storetest, which is the only definition of their
// behaviour; a consumer asks for the ones it uses. Errors are *Error:
// EINVALID for bad input, ENOTFOUND for missing records, ECONFLICT for
// uniqueness, capacity and stale-version violations, EFORBIDDEN for a move
// the state machine refuses (Transition), EINTERNAL otherwise.

// Catalogue holds the recruitment years and the plan: bases, specialties and
// the programs (base × specialty × year) with their counters.
type Catalogue interface {
	// PutYear creates or replaces a recruitment year.
	PutYear(ctx context.Context, y Year) error
	// GetYear returns one year, ENOTFOUND when it does not exist.
	GetYear(ctx context.Context, year int) (Year, error)
	// LatestYear returns the year with the largest number, ENOTFOUND if none.
	LatestYear(ctx context.Context) (Year, error)

	// ImportPlan upserts the bases, specialties and programs named by rows
	// for one year; plan numbers are replaced, counters are kept. The rows
	// are checked with CleanPlan first (EINVALID, nothing imported); a plan
	// below a program's admitted count is ECONFLICT and nothing is imported.
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
	// SetPlan sets the plan of one program, counters kept, and returns the
	// program before and after. EINVALID (CheckPlan) for a plan outside
	// 0–MaxPlan, ENOTFOUND (MsgNoProgram) for a missing program,
	// ECONFLICT (ErrPlanBelowSeats) when plan is below its admitted count
	// at the moment of the write: nothing changes then.
	SetPlan(ctx context.Context, programID int64, plan int) (before, after Program, err error)
}

// Identities holds the real-name bindings (实名认证) of WeChat accounts.
type Identities interface {
	// CreateIdentity binds an OpenID to a person. ECONFLICT when the OpenID
	// or the ID number (by type) is already bound.
	CreateIdentity(ctx context.Context, id Identity) (Identity, error)
	// IdentityByOpenID returns the binding of a WeChat account.
	IdentityByOpenID(ctx context.Context, openID string) (Identity, error)
	// GetIdentity returns a binding by id.
	GetIdentity(ctx context.Context, id int64) (Identity, error)
	// IdentityByNumber returns the identity of an ID number (of a type;
	// the number as NormalizeCode leaves it), bound or not: OpenID is empty
	// while it is unbound. ENOTFOUND when the number was never bound.
	IdentityByNumber(ctx context.Context, idType, number string) (Identity, error)
	// UnbindIdentity detaches the WeChat account from an identity. The
	// person's record, profile and applications stay: binding the same ID
	// number again (from any account) re-attaches them.
	UnbindIdentity(ctx context.Context, identityID int64) error
	// UnappliedIdentities returns, in increasing order, the ids greater
	// than after of up to limit bound identities (an OpenID attached) that
	// have no application in year: the people a round opening tells besides
	// the applicants. A caller pages on with the last id returned; fewer
	// than limit ids means the end. EINVALID (CheckPage) for a year or
	// limit that is not positive.
	UnappliedIdentities(ctx context.Context, year int, after int64, limit int) ([]int64, error)
}

// Applications holds the applications (报名) with their one choice, moved
// through the states by Transition, and keeps the program counters in step
// with them (State.Counts).
type Applications interface {
	// SubmitChoice creates the applicant's application for the year or
	// changes its choice; the new state is pending and Version grows by one.
	// version is the application version the caller read (0: no application
	// yet); the store compares it inside its conditional write, so of many
	// concurrent submissions with one version exactly one succeeds and the
	// others get ECONFLICT with MsgStaleChoice. ENOTFOUND when the identity or the program of that year does not
	// exist, EFORBIDDEN when Transition refuses. The registered counters of
	// the old and new program move with it (on a backend without
	// transactions a crash in between can leave them off: Recount reports
	// it, RepairCounts repairs it). When log is not nil, the
	// history entry and the notification it builds from the application to
	// be stored are recorded with the choice, atomically with it: a failing
	// log, or a notification whose Key is queued already
	// (ECONFLICT), records nothing.
	SubmitChoice(ctx context.Context, identityID int64, year, version int, c Choice, now time.Time, log ChoiceLog) (Application, error)
	// GetApplication returns the application of one applicant in one year.
	GetApplication(ctx context.Context, year int, identityID int64) (Application, error)
	// GetApplicationByID returns one application.
	GetApplicationByID(ctx context.Context, appID int64) (Application, error)
	// ListApplications returns the applications choosing one program.
	ListApplications(ctx context.Context, programID int64) ([]Application, error)
	// Review moves a pending application to approved or rejected (EINVALID
	// for any other result, see CheckReviewResult). When note is not nil,
	// the notification it builds from the reviewed application is queued
	// atomically with the review: a failing note, or a notification whose
	// ClientMsgID is queued already (ECONFLICT), reviews nothing.
	Review(ctx context.Context, appID int64, to State, remark string, now time.Time, note Note) (Application, error)
	// ProvisionallyAdmit marks an approved application 拟录取 and takes a seat;
	// ECONFLICT (MsgProgramFull) when the program is full, never exceeding
	// the plan under any concurrency. The notification of note (when not
	// nil) is queued atomically with the change, as Review's.
	ProvisionallyAdmit(ctx context.Context, appID int64, now time.Time, note Note) (Application, error)
	// UndoProvisional makes a provisionally admitted application approved
	// again and gives its seat back (CheckUndo refuses other states), with
	// note's notification as ProvisionallyAdmit. On a backend without
	// transactions the seat is given back after the state changed, so a
	// crash in between leaves a seat taken, never one too many.
	UndoProvisional(ctx context.Context, appID int64, now time.Time, note Note) (Application, error)
	// Admit confirms a provisional admission (录取: provisional → admitted,
	// Transition) and counts it as final, with note's notification as
	// ProvisionallyAdmit.
	Admit(ctx context.Context, appID int64, now time.Time, note Note) (Application, error)
	// ReopenApplications makes every application of the year in one of the
	// Reopened states whose state was set before before (StateAt) pending
	// again (its choice carried over), as happens at the start of round2 and
	// adjustment, and returns how many changed. So a re-run changes nothing
	// that was reviewed since the phase began. Counters do not move: these
	// states all count as registered. When note is not nil, each reopened
	// application's notification (nil: none) is queued atomically with its
	// change; one whose ClientMsgID is queued already is left out, not an
	// error.
	ReopenApplications(ctx context.Context, year int, before, now time.Time, note OptionalNote) (int, error)
	// Recount counts registered, admitted and final per program of the year from
	// the applications themselves (keyed by program id, zero counts
	// omitted). It only reads.
	Recount(ctx context.Context, year int) (map[int64]Counts, error)
	// RepairCounts sets the counters of every program of the year whose
	// stored counters differ from Recount to the recount, and returns what
	// it changed so that the caller logs it. It is the only operation that
	// sets counters outright; run it deliberately, not from a timer.
	RepairCounts(ctx context.Context, year int) ([]CountDiff, error)
}

// Profiles holds the applicants' profiles and their history.
type Profiles interface {
	// GetProfile returns the profile of an identity; an identity without one
	// gets an empty profile with Version 0 and no error.
	GetProfile(ctx context.Context, identityID int64) (Profile, error)
	// SaveProfile stores p if p.Version equals the stored version (0 for a
	// new profile), else ECONFLICT; the stored version becomes p.Version+1
	// and rev is appended to the history with it. touchApp, when not 0, is
	// the identity's submitted application (ENOTFOUND, nothing saved, when
	// it is not), whose version grows with the save so that forms printed
	// before it become outdated. The three are recorded atomically.
	SaveProfile(ctx context.Context, p Profile, rev Revision, touchApp int64) (Profile, error)
	// History returns an identity's revisions, newest first.
	History(ctx context.Context, identityID int64) ([]Revision, error)
}

// Files holds uploaded files and generated PDFs, their data sealed with
// the store's FileSealer (see Sealer): a backend seals on PutFile and opens
// on GetFile, so the database never holds a file in clear.
type Files interface {
	// PutFile stores a file under f.ID (replacing one with the same id).
	PutFile(ctx context.Context, f File) error
	// GetFile returns a file with its data.
	GetFile(ctx context.Context, id string) (File, error)
	// DeleteFile removes a file; an absent one is not an error.
	DeleteFile(ctx context.Context, id string) error
	// FileIDs returns up to limit file ids greater than after, in order:
	// a walk over every file.
	FileIDs(ctx context.Context, after string, limit int) ([]string, error)
	// ResealFile seals a file's data with the current file key unless it
	// already is (FileSealer.ResealFile) and reports whether it changed it.
	// It replaces the data only if the file was not replaced meanwhile, so
	// a concurrent upload is never overwritten; ENOTFOUND when the file
	// does not exist.
	ResealFile(ctx context.Context, id string) (bool, error)
}

// Forms records the generated registration forms (报名表).
type Forms interface {
	// AddForm records a generated form; Code is unique.
	AddForm(ctx context.Context, f FormRecord) error
	// FormByCode returns the form printed with code.
	FormByCode(ctx context.Context, code string) (FormRecord, error)
	// LatestForm returns the newest form of an application.
	LatestForm(ctx context.Context, appID int64) (FormRecord, error)
}

// Outbox holds the notifications to send.
type Outbox interface {
	// AddNotification queues a notification (state queued unless given);
	// ECONFLICT when its Key was queued before.
	AddNotification(ctx context.Context, n Notification) (Notification, error)
	// ListNotifications returns an applicant's notifications, newest first.
	ListNotifications(ctx context.Context, identityID int64) ([]Notification, error)
	// GetNotification returns one applicant's notification; ENOTFOUND when
	// it does not exist or is someone else's.
	GetNotification(ctx context.Context, identityID, id int64) (Notification, error)
	// MarkNotificationRead sets ReadAt (once; reading again keeps the first
	// time); ENOTFOUND as GetNotification.
	MarkNotificationRead(ctx context.Context, identityID, id int64, now time.Time) error
	// UnreadNotifications counts an applicant's unread notifications.
	UnreadNotifications(ctx context.Context, identityID int64) (int, error)

	// ClaimNotifications moves up to limit due rows — queued or retry with
	// NextAt <= now, or sending with an ended lease — to sending, held by
	// owner until now+lease, oldest due first, and returns them. Two
	// claimers never get the same row while its lease lasts.
	ClaimNotifications(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Notification, error)
	// FinishNotifications ends the attempts on rows owner holds (in one
	// transaction on SQLite; row by row on Mongo, where a failure part-way
	// leaves the rows before it ended and the rest to their lease): each row moves to its outcome's State (Attempts+1 when
	// Attempted) and its lease is released. A row owner no longer holds
	// (its lease ended and another sender claimed it, or it was finished
	// before) is left as it is and its id returned in lost; the others
	// land. EINVALID, and nothing written, when an outcome's State is not
	// one an attempt ends in. An empty batch writes nothing.
	FinishNotifications(ctx context.Context, owner string, rs []NoticeResult) (lost []int64, err error)
	// NotificationByMsgID returns the row WeChat accepted as msgID.
	NotificationByMsgID(ctx context.Context, msgID int64) (Notification, error)
	// ReportDelivery applies WeChat's late delivery report to a sent row:
	// it moves to o.State only while it is still sent with that msgID
	// (ECONFLICT otherwise, so a repeated report changes nothing).
	ReportDelivery(ctx context.Context, id, msgID int64, o NoticeOutcome) error
	// OutboxStats counts the rows by kind and state and finds the oldest
	// row due at now.
	OutboxStats(ctx context.Context, now time.Time) (OutboxStats, error)
	// Relay delivers the side effects a change recorded in the changed
	// record itself (history entries, notifications, application versions)
	// that a crash kept from reaching their own records, and returns how
	// many it delivered. It is idempotent; a backend that writes them in
	// the change's transaction has none and returns 0. The operations
	// relay their own side effects before returning, so Relay is for a
	// scheduler job that catches crashes.
	Relay(ctx context.Context) (int, error)
}

// KV holds small expiring records shared by all instances: sessions, login
// tickets, the WeChat access token, callback de-duplication keys, rate-limit
// windows and done markers. A record whose expiry is not after now is
// treated as absent. ttl <= 0 means no expiry.
type KV interface {
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
	// PurgeExpiredKV removes the records expired at now and returns how
	// many it removed.
	PurgeExpiredKV(ctx context.Context, now time.Time) (int, error)
	// ScanKV calls fn for every live record whose key starts with prefix,
	// in key order; expires is zero for a record without expiry. The
	// records are read before the first call, so fn may write to the store.
	// It serves the migration of records into aggregates
	// (miniprogram.MigrateStaff).
	ScanKV(ctx context.Context, prefix string, now time.Time, fn func(key, value string, expires time.Time) error) error
}

// Leases holds named leases, each with an owner and an expiry, shared by
// all instances: the scheduler runs a job only on the instance holding its
// lease. A lease whose expiry is not after now is free. Times are kept to
// the millisecond.
type Leases interface {
	// AcquireLease gives the lease name to owner until until when at now it
	// is free or already owner's (a renewal, which may also shorten it), and
	// reports whether owner holds it; of many concurrent callers with
	// different owners exactly one gets true. EINVALID (CheckLease) for an
	// empty name or owner or an until not after now.
	AcquireLease(ctx context.Context, name, owner string, until, now time.Time) (bool, error)
	// ReleaseLease frees owner's lease; a lease held by another owner or
	// absent is left as it is, and that is not an error.
	ReleaseLease(ctx context.Context, name, owner string) error
}

// Store is every aggregate of one database: what a backend implements and
// store.Open returns.
type Store interface {
	Catalogue
	Identities
	Applications
	Profiles
	Files
	Forms
	Outbox
	KV
	Leases
	StaffStore
	Audit
	BaseDatesStore
	Queue
	StatsStore
	Publications
	Offers
	AdjustmentStore

	// Ping reports whether the database is reachable.
	Ping(ctx context.Context) error
	// Close releases the database; it is safe to call once.
	Close() error
}

// IDSealer protects ID numbers at rest: Seal encrypts, Open decrypts and
// Index is a keyed blind index used for equality lookups.
type IDSealer interface {
	Seal(plain string) (string, error)
	Open(sealed string) (string, error)
	Index(plain string) string
}
