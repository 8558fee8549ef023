package recruit

import "time"

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

// FormRecord is one generated registration form (报名表): the application
// version it shows and the code printed on it for verification.
type FormRecord struct {
	Code          string    `json:"code"`
	ApplicationID int64     `json:"application_id"`
	Version       int       `json:"version"`
	FileID        string    `json:"file_id"`
	GeneratedAt   time.Time `json:"generated_at"`
}
