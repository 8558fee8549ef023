package recruit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// The review queue (审核列表): what the base staff filter, sort and flag
// applications by. The applicant-side values a queue filters on (name,
// phone, personnel type, schools, the ID number's suffixes) live in the
// profile; a store keeps them as a Search record written with the profile
// in the same transaction or document, so that no query needs a join across
// collections and the ID number is never stored in clear: its suffixes are
// kept as blind indexes (IDSearchKeys).

// Search is what the queue knows of an applicant besides the application:
// built by NewSearch from the profile and the identity when the profile is
// saved.
type Search struct {
	Name          string   `json:"name"`
	Phone         string   `json:"phone"`
	Email         string   `json:"email"` // lower-cased
	PersonnelType string   `json:"personnel_type"`
	School        string   `json:"school"`  // of the highest completed education, else the first record
	Schools       []string `json:"schools"` // of every education record
	Diplomas      []string `json:"diplomas"`
	PhotoID       string   `json:"photo_id"`
	PhotoHash     string   `json:"photo_hash"` // SHA-256 of the photo's bytes, hex
	IDKeys        []string `json:"id_keys"`    // IDSearchKeys of the ID number
	DateIssues    []string `json:"date_issues"`
}

// Duplicate-key kinds: the values two applicants should not share.
const (
	DupPhone   = "phone"
	DupEmail   = "email"
	DupDiploma = "diploma"
	DupPhoto   = "photo"
)

// dupLabels name the kinds in flags.
var dupLabels = map[string]string{
	DupPhone:   "手机号与其他报名人相同",
	DupEmail:   "邮箱与其他报名人相同",
	DupDiploma: "学历证书编号与其他报名人相同",
	DupPhoto:   "照片与其他报名人相同",
}

// DupKeys returns the keys ("kind:value") under which s must not meet
// another applicant's Search, without repeats.
func (s Search) DupKeys() []string {
	var out []string
	add := func(kind, v string) {
		if v == "" {
			return
		}
		k := kind + ":" + v
		for _, o := range out {
			if o == k {
				return
			}
		}
		out = append(out, k)
	}
	add(DupPhone, s.Phone)
	add(DupEmail, s.Email)
	for _, d := range s.Diplomas {
		add(DupDiploma, d)
	}
	add(DupPhoto, s.PhotoHash)
	return out
}

// DupKind is the kind of a key of DupKeys.
func DupKind(key string) string {
	kind, _, _ := strings.Cut(key, ":")
	return kind
}

// idSuffixLengths are the lengths of the ID-number suffixes a keyword may
// give (the whole number matches too).
var idSuffixLengths = []int{4, 5, 6, 7, 8}

// idKeyword is what a keyword must look like to be tried as an ID number
// or its suffix.
var idKeyword = regexp.MustCompile(`^[0-9A-Z]{4,20}$`)

// IDSearchKeys returns the blind indexes of the suffixes of an ID number
// (the last 4 to 8 characters and the whole number): a keyword is matched
// against them by IDSearchKey, so the number itself is never stored in
// clear. The keys are keyed HMACs: without the key they tell nothing but
// which applicants share a suffix.
func IDSearchKeys(s IDSealer, number string) []string {
	number = NormalizeCode(number)
	r := []rune(number)
	var out []string
	for _, n := range idSuffixLengths {
		if n < len(r) {
			out = append(out, s.Index("id-suffix:"+string(r[len(r)-n:])))
		}
	}
	if len(r) > 0 {
		out = append(out, s.Index("id-suffix:"+number))
	}
	return out
}

// IDSearchKey returns the key a keyword is looked up with among
// IDSearchKeys, "" when the keyword cannot be part of an ID number.
func IDSearchKey(s IDSealer, keyword string) string {
	k := NormalizeCode(keyword)
	if !idKeyword.MatchString(k) {
		return ""
	}
	return s.Index("id-suffix:" + k)
}

// NewSearch builds the Search of a profile: number is the identity's ID
// number (of type idType), name the bound name (the basic section's wins
// when filled), photoHash the hash of the photo the basic section names.
func NewSearch(s IDSealer, p Profile, name, idType, number, photoHash string) Search {
	out := Search{Name: name, IDKeys: IDSearchKeys(s, number)}
	birth := ""
	if b, _, ok := IDBirthGender(NormalizeCode(number)); ok && idType == IDTypeResident {
		birth = b
	}
	if b := p.Basic; b != nil {
		if strings.TrimSpace(b.Name) != "" {
			out.Name = strings.TrimSpace(b.Name)
		}
		out.Phone = strings.TrimSpace(b.Phone)
		out.Email = strings.ToLower(strings.TrimSpace(b.Email))
		out.PersonnelType = b.PersonnelType
		out.PhotoID = b.PhotoID
		if b.PhotoID != "" {
			out.PhotoHash = photoHash
		}
		if birth == "" {
			birth = b.BirthDate
		}
	}
	for _, e := range p.Education {
		if school := strings.TrimSpace(e.School); school != "" {
			out.Schools = append(out.Schools, school)
		}
		if d := NormalizeCode(e.DiplomaNo); d != "" {
			out.Diplomas = append(out.Diplomas, d)
		}
	}
	if h, ok := HighestEducation(p.Education); ok {
		out.School = strings.TrimSpace(h.School)
	} else if len(p.Education) > 0 {
		out.School = strings.TrimSpace(p.Education[0].School)
	}
	out.DateIssues = EducationDateIssues(birth, p.Education)
	return out
}

// BuildSearch builds the Search of profile p of identity id (IDNumber in
// clear) as a store saves it: the photo's hash is old's when the photo is
// the same, else read with file; a photo that no longer exists has none.
func BuildSearch(ctx context.Context, s IDSealer, p Profile, id Identity, old Search, file func(ctx context.Context, id string) (File, error)) (Search, error) {
	hash := ""
	if p.Basic != nil && p.Basic.PhotoID != "" {
		if p.Basic.PhotoID == old.PhotoID {
			hash = old.PhotoHash
		} else {
			f, err := file(ctx, p.Basic.PhotoID)
			switch {
			case err == nil:
				sum := sha256.Sum256(f.Data)
				hash = hex.EncodeToString(sum[:])
			case ErrorCode(err) != ENOTFOUND:
				return Search{}, err
			}
		}
	}
	return NewSearch(s, p, id.Name, id.IDType, id.IDNumber, hash), nil
}

// MinSchoolAge is the youngest age at which an education record's dates
// are believable (the start of 中专 at the earliest).
const MinSchoolAge = 14

// EducationDateIssues returns, in Chinese, the dates of the education
// records that contradict the birth date ("2006-01-02"; none when it is
// not a date): a date before the birth or before the MinSchoolAge-th
// birthday.
func EducationDateIssues(birth string, records []Education) []string {
	b, err := ParseDate(birth)
	if err != nil {
		return nil
	}
	adult := b.AddDate(MinSchoolAge, 0, 0)
	var out []string
	for _, e := range records {
		for _, d := range []struct{ label, v string }{
			{"入学时间", e.StartDate}, {"毕业时间", e.GraduationDate},
			{"取得学历时间", e.QualificationDate}, {"取得学位时间", e.DegreeDate},
		} {
			t, err := ParseDate(d.v)
			if err != nil {
				continue
			}
			what := fmt.Sprintf("教育经历（%s%s）的%s %s", e.Level, schoolSuffix(e.School), d.label, d.v)
			switch {
			case !t.After(b):
				out = append(out, what+"早于出生日期 "+birth)
			case t.Before(adult):
				out = append(out, fmt.Sprintf("%s时不满%d周岁（出生日期 %s）", what, MinSchoolAge, birth))
			}
		}
	}
	return out
}

func schoolSuffix(school string) string {
	if school = strings.TrimSpace(school); school != "" {
		return "，" + school
	}
	return ""
}

// Flag is one thing a reviewer should look at twice.
type Flag struct {
	Kind  string `json:"kind"` // phone, email, diploma, photo, dates
	Label string `json:"label"`
}

// FlagDates is the kind of a date-contradiction flag.
const FlagDates = "dates"

// Flags returns the flags of a queue row: the duplicate kinds it shares
// with another applicant (in the order phone, email, diploma, photo) and
// its date contradictions.
func Flags(dupKinds []string, dateIssues []string) []Flag {
	var out []Flag
	for _, k := range []string{DupPhone, DupEmail, DupDiploma, DupPhoto} {
		for _, d := range dupKinds {
			if d == k {
				out = append(out, Flag{Kind: k, Label: dupLabels[k]})
				break
			}
		}
	}
	for _, issue := range dateIssues {
		out = append(out, Flag{Kind: FlagDates, Label: issue})
	}
	return out
}

// ActiveStates are the states the queue lists (State.Active), in order.
var ActiveStates = []State{StatePending, StateApproved, StateRejected, StateProvisional, StateAdmitted}

// Sorts of the queue.
const (
	SortSubmittedAsc  = "submitted_asc"
	SortSubmittedDesc = "submitted_desc"
)

// RoundWindow is the window of StateAt that makes an application part of
// a round: round1 until round2 begins (registration's submissions are
// reviewed in round1), round2 until adjustment, adjustment from then on
// (a zero time is open).
func RoundWindow(cal Calendar, round Phase) (from, to time.Time) {
	switch round {
	case PhaseRound1:
		return time.Time{}, cal.Round2
	case PhaseRound2:
		return cal.Round2, cal.Adjustment
	}
	return cal.Adjustment, time.Time{}
}

// Page sizes of the queue.
const (
	DefaultQueuePage = 20
	MaxQueuePage     = 200
)

// AppQuery selects a page of the review queue: active applications of one
// year matching every non-zero field.
type AppQuery struct {
	Year          int
	ApplicationID int64 // 0: every application
	BaseID        int64 // 0: every base
	SpecialtyCode string
	State         State // "": every active state
	// StateFrom and StateTo bound StateAt (from ≤ StateAt < to; zero: open):
	// the round an application is in is the window in which its current
	// state was set.
	StateFrom, StateTo time.Time
	PersonnelType      string
	AcceptsAdjustment  *bool
	School             string // part of the school of any education record
	// Keyword matches a part of the name or the phone, or the end of the
	// ID number (IDSearchKey).
	Keyword string
	Flagged bool // only rows with a duplicate key or a date issue
	Sort    string
	Offset  int
	Limit   int

	// Offer, when not nil, keeps the rows whose offer is in that state
	// (OfferNone: those without one).
	Offer *OfferState
}

// MaxStorePage bounds the rows of one QueryApplications (an export's
// batch); a screen's pages are at most MaxQueuePage.
const MaxStorePage = 1000

// PageSize is q.Limit clamped to 1..MaxStorePage, DefaultQueuePage when 0.
func (q AppQuery) PageSize() int { return pageSize(q.Limit, DefaultQueuePage, MaxStorePage) }

// pageSize is limit clamped to 1..most, def when not positive.
func pageSize(limit, def, most int) int {
	if limit <= 0 {
		return def
	}
	return min(limit, most)
}

// AppRow is one row of the queue: the application, its program and the
// applicant's Search, with the ID number opened (the caller masks it) and
// the kinds of the keys it shares with another applicant (DupKeys).
type AppRow struct {
	Application
	BaseID        int64    `json:"base_id"`
	BaseName      string   `json:"base_name"`
	SpecialtyCode string   `json:"specialty_code"`
	SpecialtyName string   `json:"specialty_name"`
	IDType        string   `json:"id_type"`
	IDNumber      string   `json:"-"`
	Search        Search   `json:"-"`
	DupKinds      []string `json:"-"`
}

// AppPage is a page of the queue and the number of rows matching in all.
type AppPage struct {
	Rows  []AppRow
	Total int
}

// MaxBulkReview bounds the applications of one bulk review.
const MaxBulkReview = 500

// BulkReview is a review of several applications at once, all or nothing.
type BulkReview struct {
	IDs    []int64
	To     State // approved or rejected
	Remark string
	Now    time.Time
	// Visible refuses an application (as stored when the batch is
	// checked) the reviewer may not see, as a missing one; Allowed one
	// that the phase and state rules refuse (nil: Transition only). Rows
	// already done (BulkDone) are not asked Allowed.
	Visible func(app Application) error
	Allowed func(app Application) error
	// Note builds each reviewed application's notification; Audit its
	// audit entry from the application before and after.
	Note  Note
	Audit func(before, after Application) (AuditEntry, error)
}

// BulkRefusal is the error of a bulk review with failing rows: ECONFLICT
// (EINVALID when only missing or malformed rows fail) naming each failing
// application and why, in the message and in Fields ("<id>" → reason).
func BulkRefusal(failed map[int64]string) error {
	ids := make([]int64, 0, len(failed))
	for id := range failed {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	parts := make([]string, 0, len(ids))
	fields := make(map[string]string, len(ids))
	for i, id := range ids {
		if i < 10 {
			parts = append(parts, fmt.Sprintf("报名 %d：%s", id, failed[id]))
		}
		fields[fmt.Sprint(id)] = failed[id]
	}
	msg := fmt.Sprintf("%d 份报名无法审核，本次批量审核未作任何修改。%s", len(ids), strings.Join(parts, "；"))
	if len(ids) > 10 {
		msg += fmt.Sprintf("；另有 %d 份", len(ids)-10)
	}
	return &Error{Code: ECONFLICT, Message: msg, Fields: fields}
}

// CheckBulkIDs refuses an empty batch, one above MaxBulkReview and repeated
// or non-positive ids.
func CheckBulkIDs(ids []int64) error {
	if len(ids) == 0 {
		return Errorf(EINVALID, "请选择要审核的报名")
	}
	if len(ids) > MaxBulkReview {
		return Errorf(EINVALID, "一次最多审核 %d 份报名，本次选择了 %d 份", MaxBulkReview, len(ids))
	}
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return Errorf(EINVALID, "报名编号无效：%d", id)
		}
		if seen[id] {
			return Errorf(EINVALID, "报名 %d 重复出现", id)
		}
		seen[id] = true
	}
	return nil
}

// BulkDone reports whether app is already what the batch would make of it
// (reviewed with the same result and remark), as after a batch that was
// cut short: such a row is left as it is, so a retry completes the batch.
func (r BulkReview) BulkDone(app Application) bool {
	return app.State == r.To && app.ReviewRemark == r.Remark
}

// BulkReason says why app may not be part of batch r, "" when it may:
// r.Visible's refusal first (so that another base's row reads as a
// missing one), then, unless the row is done already (BulkDone),
// Transition's and r.Allowed's.
func BulkReason(r BulkReview, app Application) string {
	if r.Visible != nil {
		if err := r.Visible(app); err != nil {
			return errorMessage(err)
		}
	}
	if r.BulkDone(app) {
		return ""
	}
	if err := Transition(app.State, r.To); err != nil {
		return errorMessage(err)
	}
	if r.Allowed != nil {
		if err := r.Allowed(app); err != nil {
			return errorMessage(err)
		}
	}
	return ""
}

// errorMessage is what a user may read of err.
func errorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return internalMessage
}

// Queue is the review queue's part of the store.
type Queue interface {
	// QueryApplications returns a page of the active applications
	// matching q, ordered by submission time (q.Sort; ties by id), and
	// their total. DupKinds are computed over every applicant's Search.
	QueryApplications(ctx context.Context, q AppQuery) (AppPage, error)
	// SearchOf returns an applicant's Search (zero when none saved).
	SearchOf(ctx context.Context, identityID int64) (Search, error)
	// ReviewMany reviews every application of r or none: each is read and
	// checked (BulkReason) first; when any fails nothing is
	// written and the error is BulkRefusal. Rows already done (BulkDone)
	// are left as they are and returned as stored. Each reviewed row gets
	// its notification and audit entry with its change (see the backends
	// for what holds when the process dies midway).
	ReviewMany(ctx context.Context, r BulkReview) ([]Application, error)
}
