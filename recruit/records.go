package recruit

import (
	"context"
	"time"
)

// Revision is one entry of an applicant's history: every saved profile
// section and every submitted choice, with a snapshot of what was saved.
type Revision struct {
	ID         int64     `json:"id"`
	IdentityID int64     `json:"identity_id"`
	Kind       string    `json:"kind"` // basic, work, education, certificates, choice
	Summary    string    `json:"summary"`
	Snapshot   string    `json:"-"` // JSON of the saved value
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// File is an uploaded file (photo, certificate scan) or a generated PDF.
type File struct {
	ID          string    `json:"id"`
	OwnerID     int64     `json:"owner_id"` // identity id of the applicant
	Kind        string    `json:"kind"`     // photo, qual_scan, practising_scan, degree_scan, form
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Data        []byte    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}

// Notification is an outbox row: a message to send to an applicant through
// WeChat, sent and retried by the scheduler.
type Notification struct {
	ID          int64     `json:"id"`
	IdentityID  int64     `json:"identity_id"`
	Kind        string    `json:"kind"` // registered, reviewed, provisional, admitted
	ClientMsgID string    `json:"client_msg_id"`
	Payload     string    `json:"payload"` // JSON of the template fields
	State       string    `json:"state"`   // queued, sent, failed, gave_up
	Attempts    int       `json:"attempts"`
	NextAt      time.Time `json:"next_at"`
	CreatedAt   time.Time `json:"created_at"`
}

// FormRecord is one generated registration form (报名表): the application
// version it shows and the code printed on it for verification.
type FormRecord struct {
	Code          string    `json:"code"`
	ApplicationID int64     `json:"application_id"`
	Version       int       `json:"version"`
	FileID        string    `json:"file_id"`
	GeneratedAt   time.Time `json:"generated_at"`
}

// ProfileStore keeps profiles, their history, files, the notification
// outbox and generated forms.
type ProfileStore interface {
	// UnbindIdentity detaches the WeChat account from an identity. The
	// person's record, profile and applications stay: binding the same ID
	// number again (from any account) re-attaches them.
	UnbindIdentity(ctx context.Context, identityID int64) error

	// GetProfile returns the profile of an identity; an identity without one
	// gets an empty profile with Version 0 and no error.
	GetProfile(ctx context.Context, identityID int64) (Profile, error)
	// SaveProfile stores p if p.Version equals the stored version (0 for a
	// new profile), else ECONFLICT; the stored version becomes p.Version+1
	// and rev is appended to the history with it. touchApp, when not 0, is
	// the identity's submitted application, whose version grows with the
	// save so that forms printed before it become outdated: in the same
	// transaction where the backend has them (store/sqlite), right after
	// otherwise (store/mongo).
	SaveProfile(ctx context.Context, p Profile, rev Revision, touchApp int64) (Profile, error)
	// AddRevision appends a history entry (used for choices).
	AddRevision(ctx context.Context, rev Revision) error
	// History returns an identity's revisions, newest first.
	History(ctx context.Context, identityID int64) ([]Revision, error)
	// TouchApplication bumps an application's version after its profile
	// changed, so earlier forms become outdated.
	TouchApplication(ctx context.Context, appID int64, now time.Time) (Application, error)
	// GetApplicationByID returns one application.
	GetApplicationByID(ctx context.Context, appID int64) (Application, error)

	// PutFile stores a file under f.ID (replacing one with the same id).
	PutFile(ctx context.Context, f File) error
	// GetFile returns a file with its data.
	GetFile(ctx context.Context, id string) (File, error)
	// DeleteFile removes a file; an absent one is not an error.
	DeleteFile(ctx context.Context, id string) error

	// AddNotification queues a notification; ClientMsgID is unique.
	AddNotification(ctx context.Context, n Notification) (Notification, error)
	// ListNotifications returns an identity's notifications, newest first.
	ListNotifications(ctx context.Context, identityID int64) ([]Notification, error)

	// AddForm records a generated form; Code is unique.
	AddForm(ctx context.Context, f FormRecord) error
	// FormByCode returns the form printed with code.
	FormByCode(ctx context.Context, code string) (FormRecord, error)
	// LatestForm returns the newest form of an application.
	LatestForm(ctx context.Context, appID int64) (FormRecord, error)
}
