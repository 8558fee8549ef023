// Package forms holds the use-cases of the registration form (报名表, seed
// 6.7, 6.9, 7.19): a PDF rendered by package regform once per application
// version, stored with a record carrying a short verification code (printed
// on the form with a QR code of <public URL>/verify/<code>), and served from
// storage until the applicant changes something, so that anyone holding a
// printout can check whether it is still the newest version.
//
// A Service serves the applicant's own form (Current), the form and the
// uploaded files of an application to the staff of its chosen base
// (ForStaff, StaffFile; every call is written to the audit log) and the
// public verification of a printed code (Verify). Recently served forms are
// kept in memory by application, and generation is serialised per
// application, so that simultaneous requests render a version once. Every
// error a method returns is a *recruit.Error naming the operation.
package forms

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"zhupei/recruit"
	"zhupei/regform"
)

// Renderer renders a registration form as PDF; *regform.Renderer is the
// real one.
type Renderer interface {
	Render(regform.Form) ([]byte, error)
}

// Store is the part of the store the form's use-cases need.
type Store interface {
	recruit.Catalogue
	recruit.Identities
	recruit.Applications
	recruit.Profiles
	recruit.Files
	recruit.Forms
}

// Deps are the dependencies of a Service.
type Deps struct {
	Store Store
	// Renderer is nil when no usable font was found (pdf.font_path):
	// generating a form then fails with a clear EUPSTREAM error, while
	// stored forms are still served and verified.
	Renderer Renderer
	Now      func() time.Time // time.Now when nil
	// PublicURL is the service's public base URL (https://zp.example.cn),
	// printed in the verification QR code.
	PublicURL string
	Logger    *slog.Logger // slog.Default() when nil
}

// Service is the registration form's use-cases; it is safe for concurrent
// use.
type Service struct {
	store     Store
	renderer  Renderer
	now       func() time.Time
	publicURL string
	log       *slog.Logger
	// locks serialise generation per application (striped by id), so that
	// two simultaneous requests do not both render the same version.
	locks [64]sync.Mutex
	cache cache
}

// New returns the Service of d; d.Store is required.
func New(d Deps) *Service {
	if d.Store == nil {
		panic("forms: Deps.Store is required")
	}
	s := &Service{
		store:     d.Store,
		renderer:  d.Renderer,
		now:       d.Now,
		publicURL: strings.TrimRight(d.PublicURL, "/"),
		log:       d.Logger,
		cache:     cache{entries: map[int64]Form{}},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// MediaType is the content type of a form's file.
const MediaType = "application/pdf"

// fileKind is the File.Kind of a form's PDF.
const fileKind = "form"

// Form is a form record with its PDF and the applicant's name.
type Form struct {
	Record recruit.FormRecord
	File   recruit.File
	Name   string
}

// Disposition is the Content-Disposition of the form ("inline" or
// "attachment"): the real name 报名表-<姓名>-v<版本>.pdf in RFC 5987 encoding
// (the filename* parameter), which current browsers prefer, and an ASCII
// fallback for the others.
func (f Form) Disposition(disposition string) string {
	version := strconv.Itoa(f.Record.Version)
	return ContentDisposition(disposition, "form-v"+version+".pdf", "报名表-"+f.Name+"-v"+version+".pdf")
}

// ContentDisposition is a Content-Disposition value ("inline" or
// "attachment") naming a file name in RFC 5987 encoding (filename*), with
// fallback, which must be plain ASCII without quotes, for older clients.
func ContentDisposition(disposition, fallback, name string) string {
	return disposition + `; filename="` + fallback + `"; filename*=UTF-8''` + rfc5987(name)
}

// rfc5987 percent-encodes s as an RFC 5987 value-chars: UTF-8 bytes outside
// attr-char become %XX.
func rfc5987(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attrChar, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

var (
	// errFont is returned when no usable font was loaded at start-up.
	errFont = recruit.Errorf(recruit.EUPSTREAM,
		"报名表暂时无法生成：未找到可用的中文字体（配置项 pdf.font_path），请联系系统管理员")
	errNoForm = recruit.Errorf(recruit.ENOTFOUND, "未找到您的报名表")
	errNoYear = recruit.Errorf(recruit.ENOTFOUND, "招录年度尚未设置")
)

// Current returns the form of the current version of the applicant's
// application in the latest year, generating it first when there is none
// (or its file is gone); it is idempotent: a form of an unchanged version
// is kept, so printouts of it stay valid. The rules decide whether the
// applicant may have a form (recruit.ApplicantMay, ActionGenerateForm).
func (s *Service) Current(ctx context.Context, identityID int64) (Form, error) {
	f, err := s.own(ctx, identityID)
	return f, recruit.WithOp("forms.Current", err)
}

func (s *Service) own(ctx context.Context, identityID int64) (Form, error) {
	y, err := s.store.LatestYear(ctx)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return Form{}, errNoYear
	}
	if err != nil {
		return Form{}, err
	}
	var app *recruit.Application
	got, err := s.store.GetApplication(ctx, y.Year, identityID)
	switch {
	case err == nil:
		app = &got
	case recruit.ErrorCode(err) != recruit.ENOTFOUND:
		return Form{}, err
	}
	if err := recruit.ApplicantMay(y.Calendar.PhaseAt(s.now()), app, recruit.ActionGenerateForm); err != nil {
		return Form{}, err
	}
	f, err := s.current(ctx, *app)
	if err != nil {
		return Form{}, err
	}
	// Defence in depth: the file must belong to the applicant.
	if f.File.OwnerID != identityID {
		return Form{}, errNoForm
	}
	return f, nil
}

// current returns the form of app's version: from memory, else from the
// store, else newly generated. Only the newest form's file is kept:
// generating a new version deletes the previous file, while the records
// stay for verification.
func (s *Service) current(ctx context.Context, app recruit.Application) (Form, error) {
	if f, ok := s.cache.get(app); ok {
		return f, nil
	}
	mu := &s.locks[uint64(app.ID)%uint64(len(s.locks))]
	mu.Lock()
	defer mu.Unlock()

	prevFile := ""
	latest, err := s.store.LatestForm(ctx, app.ID)
	switch {
	case err == nil:
		prevFile = latest.FileID
		if latest.Version == app.Version {
			f, err := s.stored(ctx, latest)
			if err == nil {
				s.cache.put(f)
				return f, nil
			}
			if recruit.ErrorCode(err) != recruit.ENOTFOUND {
				return Form{}, err
			}
		}
	case recruit.ErrorCode(err) != recruit.ENOTFOUND:
		return Form{}, err
	}

	form, err := s.generate(ctx, app)
	if err != nil {
		return Form{}, err
	}
	if prevFile != "" {
		if err := s.store.DeleteFile(ctx, prevFile); err != nil {
			s.log.Warn("could not delete the previous form file", "application_id", app.ID, "err", err)
		}
	}
	s.cache.put(form)
	return form, nil
}

// stored loads the file of rec and the applicant's name.
func (s *Service) stored(ctx context.Context, rec recruit.FormRecord) (Form, error) {
	f, err := s.store.GetFile(ctx, rec.FileID)
	if err != nil {
		return Form{}, err
	}
	id, err := s.store.GetIdentity(ctx, f.OwnerID)
	if err != nil {
		return Form{}, err
	}
	return Form{Record: rec, File: f, Name: id.Name}, nil
}

// generate renders the application's current data, stores the PDF and
// records the form. The application is read before its data, so a change
// racing with generation can only make the form look older than it is.
func (s *Service) generate(ctx context.Context, app recruit.Application) (Form, error) {
	if s.renderer == nil {
		return Form{}, errFont
	}
	f, err := s.data(ctx, app)
	if err != nil {
		return Form{}, err
	}
	if f.VerifyCode, err = s.newCode(ctx); err != nil {
		return Form{}, err
	}
	f.VerifyURL = s.publicURL + "/verify/" + f.VerifyCode
	f.GeneratedAt = s.now()
	pdf, err := s.renderer.Render(f)
	if err != nil {
		return Form{}, err
	}
	file := recruit.File{
		ID: "form-" + randomHex(16), OwnerID: app.IdentityID, Kind: fileKind,
		ContentType: MediaType, Size: int64(len(pdf)), Data: pdf, CreatedAt: f.GeneratedAt,
	}
	if err := s.store.PutFile(ctx, file); err != nil {
		return Form{}, err
	}
	rec := recruit.FormRecord{
		Code: f.VerifyCode, ApplicationID: app.ID, Version: app.Version,
		FileID: file.ID, GeneratedAt: f.GeneratedAt,
	}
	if err := s.store.AddForm(ctx, rec); err != nil {
		_ = s.store.DeleteFile(ctx, file.ID)
		return Form{}, err
	}
	return Form{Record: rec, File: file, Name: f.Profile.Basic.Name}, nil
}

// data gathers what the form prints: the profile with the ID number from
// the binding (profiles do not store it), the photo, the program names.
func (s *Service) data(ctx context.Context, app recruit.Application) (regform.Form, error) {
	id, prog, err := s.applicantAndProgram(ctx, app)
	if err != nil {
		return regform.Form{}, err
	}
	profile, err := s.store.GetProfile(ctx, app.IdentityID)
	if err != nil {
		return regform.Form{}, err
	}
	basic := recruit.Basic{}
	if profile.Basic != nil {
		basic = *profile.Basic
	}
	basic.Name, basic.IDType, basic.IDNumber = id.Name, id.IDType, id.IDNumber
	profile.Basic = &basic
	photo, err := s.photoOf(ctx, app.IdentityID, basic.PhotoID)
	if err != nil {
		return regform.Form{}, err
	}
	return regform.Form{
		Year: app.Year, Version: app.Version, Profile: profile, Photo: photo,
		BaseName: prog.BaseName, SpecialtyName: prog.SpecialtyName,
		AcceptsAdjustment: app.AcceptsAdjustment, State: app.State,
	}, nil
}

// applicantAndProgram returns the binding of app's applicant and the
// program app chooses.
func (s *Service) applicantAndProgram(ctx context.Context, app recruit.Application) (recruit.Identity, recruit.Program, error) {
	id, err := s.store.GetIdentity(ctx, app.IdentityID)
	if err != nil {
		return recruit.Identity{}, recruit.Program{}, err
	}
	prog, err := s.store.GetProgram(ctx, app.ProgramID)
	return id, prog, err
}

// photoOf returns the applicant's own uploaded photo, nil when there is none.
func (s *Service) photoOf(ctx context.Context, owner int64, fileID string) ([]byte, error) {
	if fileID == "" {
		return nil, nil
	}
	f, err := s.store.GetFile(ctx, fileID)
	switch {
	case recruit.ErrorCode(err) == recruit.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, err
	case f.OwnerID != owner:
		return nil, nil
	}
	return f.Data, nil
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// cacheSize bounds the forms kept in memory (about 100 KB each).
const cacheSize = 128

// cache keeps recently served forms in memory by application, so that
// repeated downloads of an unchanged version read nothing from the store
// but the year and the application. A version's form never changes, so an
// entry is valid exactly while its version is the application's.
type cache struct {
	mu      sync.Mutex
	entries map[int64]Form
}

func (fc *cache) get(app recruit.Application) (Form, bool) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	f, ok := fc.entries[app.ID]
	return f, ok && f.Record.Version == app.Version
}

// put stores f, evicting an arbitrary entry when full.
func (fc *cache) put(f Form) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if _, ok := fc.entries[f.Record.ApplicationID]; !ok && len(fc.entries) >= cacheSize {
		for k := range fc.entries {
			delete(fc.entries, k)
			break
		}
	}
	fc.entries[f.Record.ApplicationID] = f
}
