package handlers

// The registration form (报名表, seed 6.7, 6.9, 7.19): a PDF generated once
// per application version, stored, and served from storage until the
// applicant changes something. Every generated form gets a record with a
// short verification code printed on it (with a QR code of /verify/<code>,
// see verify.go), so that anyone holding a printout can check whether it is
// still the newest version.
//
// Routes (all for the logged-in, bound applicant; everything is derived
// from the session, no route carries an id, so no applicant can name
// another's form):
//
//	GET  /form           查看报名表: the current version's form inline,
//	                     generated first when there is none
//	GET  /form/download  the same as an attachment 报名表-<姓名>-v<版本>.pdf
//	POST /form/generate  重新生成报名表: idempotent. A new form is made only
//	                     when the newest one shows an older application
//	                     version (or its file is gone); otherwise the existing
//	                     one is kept, so printouts of the current version stay
//	                     valid. Redirects to /form.
//
// Staff of the chosen base open the same stored form through
// GET /api/v1/mp/applications/:id/form (staff.go), also via currentForm.

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
	"zhupei/regform"
)

// FormRenderer renders a registration form as PDF; *regform.Renderer is the
// real one.
type FormRenderer interface {
	Render(regform.Form) ([]byte, error)
}

const (
	formFileKind   = "form"
	formMediaType  = "application/pdf"
	verifyCodeLen  = 10
	verifyAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ" // no 0/O, 1/I
	// codeAttempts bounds the draws of a verification code not in use yet;
	// with 32^10 codes a second draw practically never happens.
	codeAttempts = 3
)

// errFormFont is returned when no usable font was loaded at start-up.
var errFormFont = recruit.Errorf(recruit.EUPSTREAM,
	"报名表暂时无法生成：未找到可用的中文字体（配置项 pdf.font_path），请联系系统管理员")

// formState is what the form routes keep besides the server's store.
type formState struct {
	renderer FormRenderer // nil when the font could not be loaded
	baseURL  string       // base of the printed verification URL; the request's when empty
	// locks serialise generation per application (striped by id), so that
	// two simultaneous requests do not both render the same version.
	locks [64]sync.Mutex
	cache formCache
}

// formRoutes registers the applicant's form routes and the public
// verification page.
func (s *server) formRoutes(app *fiber.App, cfg Config) {
	s.forms = &formState{
		renderer: cfg.Forms,
		baseURL:  strings.TrimRight(cfg.PublicURL, "/"),
		cache:    formCache{entries: map[int64]storedForm{}},
	}
	app.Get("/form", s.requireIdentity, s.formView)
	app.Get("/form/download", s.requireIdentity, s.formDownload)
	app.Post("/form/generate", s.requireIdentity, s.formGenerate)
	app.Get("/verify/:code", s.verifyPage)
}

// storedForm is a form record with its PDF and the applicant's name.
type storedForm struct {
	Record recruit.FormRecord
	File   recruit.File
	Name   string
}

// formCacheSize bounds the forms kept in memory (about 100 KB each).
const formCacheSize = 128

// formCache keeps recently served forms in memory by application, so that
// repeated downloads of an unchanged version read nothing from the store
// but the session and the application. A version's form never changes, so
// an entry is valid exactly while its version is the application's.
type formCache struct {
	mu      sync.Mutex
	entries map[int64]storedForm
}

func (fc *formCache) get(app recruit.Application) (storedForm, bool) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	f, ok := fc.entries[app.ID]
	return f, ok && f.Record.Version == app.Version
}

// put stores f, evicting an arbitrary entry when full.
func (fc *formCache) put(f storedForm) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if _, ok := fc.entries[f.Record.ApplicationID]; !ok && len(fc.entries) >= formCacheSize {
		for k := range fc.entries {
			delete(fc.entries, k)
			break
		}
	}
	fc.entries[f.Record.ApplicationID] = f
}

func (s *server) formView(c *fiber.Ctx) error { return s.serveForm(c, "inline") }

func (s *server) formDownload(c *fiber.Ctx) error { return s.serveForm(c, "attachment") }

// formGenerate makes sure a form of the current version exists and shows it.
func (s *server) formGenerate(c *fiber.Ctx) error {
	app, err := s.myApplication(c)
	if err != nil {
		return err
	}
	if _, err := s.currentForm(c.UserContext(), app, s.verifyBase(c)); err != nil {
		return err
	}
	return c.Redirect("/form", fiber.StatusSeeOther)
}

// serveForm sends the current form of the session's applicant.
func (s *server) serveForm(c *fiber.Ctx, disposition string) error {
	app, err := s.myApplication(c)
	if err != nil {
		return err
	}
	form, err := s.currentForm(c.UserContext(), app, s.verifyBase(c))
	if err != nil {
		return err
	}
	// Defence in depth: the file must belong to the session's applicant.
	if form.File.OwnerID != sessionOf(c).IdentityID {
		return errNoForm
	}
	return sendForm(c, form, disposition)
}

// sendForm sends a form's PDF as 报名表-<姓名>-v<版本>.pdf, inline or as an
// attachment.
func sendForm(c *fiber.Ctx, form storedForm, disposition string) error {
	c.Set(fiber.HeaderContentType, formMediaType)
	c.Set(fiber.HeaderContentDisposition, formDisposition(disposition, form.Name, form.Record.Version))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	// The pages' policy (object-src 'none') could keep a browser's built-in
	// PDF viewer, a plugin, from showing the file inline.
	c.Response().Header.Del(fiber.HeaderContentSecurityPolicy)
	return c.Send(form.File.Data)
}

var errNoForm = recruit.Errorf(recruit.ENOTFOUND, "未找到您的报名表")

// myApplication returns the session applicant's application in the current
// year if the rules allow generating its form.
func (s *server) myApplication(c *fiber.Ctx) (recruit.Application, error) {
	ctx := c.UserContext()
	snap, err := s.public.get(ctx)
	if err != nil {
		return recruit.Application{}, err
	}
	if snap.Year == nil {
		return recruit.Application{}, noYear()
	}
	var app *recruit.Application
	got, err := s.store.GetApplication(ctx, snap.Year.Year, sessionOf(c).IdentityID)
	switch {
	case err == nil:
		app = &got
	case recruit.ErrorCode(err) != recruit.ENOTFOUND:
		return recruit.Application{}, err
	}
	if err := recruit.ApplicantMay(snap.Year.Calendar.PhaseAt(s.now()), app, recruit.ActionGenerateForm); err != nil {
		return recruit.Application{}, err
	}
	return *app, nil
}

// verifyBase is the base of the verification URL printed on a form.
func (s *server) verifyBase(c *fiber.Ctx) string {
	if s.forms.baseURL != "" {
		return s.forms.baseURL
	}
	return c.BaseURL()
}

// currentForm returns the form of app's version: from memory, else from
// the store, else newly generated. Only the newest form's file is kept:
// generating a new version deletes the previous file, while the records
// stay for verification.
func (s *server) currentForm(ctx context.Context, app recruit.Application, base string) (storedForm, error) {
	if f, ok := s.forms.cache.get(app); ok {
		return f, nil
	}
	mu := &s.forms.locks[uint64(app.ID)%uint64(len(s.forms.locks))]
	mu.Lock()
	defer mu.Unlock()

	prevFile := ""
	latest, err := s.store.LatestForm(ctx, app.ID)
	switch {
	case err == nil:
		prevFile = latest.FileID
		if latest.Version == app.Version {
			f, err := s.storedForm(ctx, latest)
			if err == nil {
				s.forms.cache.put(f)
				return f, nil
			}
			if recruit.ErrorCode(err) != recruit.ENOTFOUND {
				return storedForm{}, err
			}
		}
	case recruit.ErrorCode(err) != recruit.ENOTFOUND:
		return storedForm{}, err
	}

	form, err := s.generateForm(ctx, app, base)
	if err != nil {
		return storedForm{}, err
	}
	if prevFile != "" {
		if err := s.store.DeleteFile(ctx, prevFile); err != nil {
			s.log.Warn("could not delete the previous form file", "application_id", app.ID, "err", err)
		}
	}
	s.forms.cache.put(form)
	return form, nil
}

// storedForm loads the file of rec and the applicant's name.
func (s *server) storedForm(ctx context.Context, rec recruit.FormRecord) (storedForm, error) {
	f, err := s.store.GetFile(ctx, rec.FileID)
	if err != nil {
		return storedForm{}, err
	}
	id, err := s.store.GetIdentity(ctx, f.OwnerID)
	if err != nil {
		return storedForm{}, err
	}
	return storedForm{Record: rec, File: f, Name: id.Name}, nil
}

// generateForm renders the application's current data, stores the PDF and
// records the form. The application is read before its data, so a change
// racing with generation can only make the form look older than it is.
func (s *server) generateForm(ctx context.Context, app recruit.Application, base string) (storedForm, error) {
	if s.forms.renderer == nil {
		return storedForm{}, errFormFont
	}
	f, err := s.formData(ctx, app)
	if err != nil {
		return storedForm{}, err
	}
	if f.VerifyCode, err = s.newVerifyCode(ctx); err != nil {
		return storedForm{}, err
	}
	f.VerifyURL = base + "/verify/" + f.VerifyCode
	f.GeneratedAt = s.now()
	pdf, err := s.forms.renderer.Render(f)
	if err != nil {
		return storedForm{}, err
	}
	file := recruit.File{
		ID: "form-" + randomToken(16), OwnerID: app.IdentityID, Kind: formFileKind,
		ContentType: formMediaType, Size: int64(len(pdf)), Data: pdf, CreatedAt: f.GeneratedAt,
	}
	if err := s.store.PutFile(ctx, file); err != nil {
		return storedForm{}, err
	}
	rec := recruit.FormRecord{
		Code: f.VerifyCode, ApplicationID: app.ID, Version: app.Version,
		FileID: file.ID, GeneratedAt: f.GeneratedAt,
	}
	if err := s.store.AddForm(ctx, rec); err != nil {
		_ = s.store.DeleteFile(ctx, file.ID)
		return storedForm{}, err
	}
	return storedForm{Record: rec, File: file, Name: f.Profile.Basic.Name}, nil
}

// formData gathers what the form prints: the profile with the ID number
// from the binding (profiles do not store it), the photo, the program names.
func (s *server) formData(ctx context.Context, app recruit.Application) (regform.Form, error) {
	id, err := s.store.GetIdentity(ctx, app.IdentityID)
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
	prog, err := s.store.GetProgram(ctx, app.ProgramID)
	if err != nil {
		return regform.Form{}, err
	}
	return regform.Form{
		Year: app.Year, Version: app.Version, Profile: profile, Photo: photo,
		BaseName: prog.BaseName, SpecialtyName: prog.SpecialtyName,
		AcceptsAdjustment: app.AcceptsAdjustment, State: app.State,
	}, nil
}

// photoOf returns the applicant's own uploaded photo, nil when there is none.
func (s *server) photoOf(ctx context.Context, owner int64, fileID string) ([]byte, error) {
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

// newVerifyCode draws a verification code not used by any form yet.
func (s *server) newVerifyCode(ctx context.Context) (string, error) {
	for range codeAttempts {
		code := randomVerifyCode()
		_, err := s.store.FormByCode(ctx, code)
		switch {
		case recruit.ErrorCode(err) == recruit.ENOTFOUND:
			return code, nil
		case err != nil:
			return "", err
		}
	}
	return "", recruit.Internal(fmt.Errorf("no free verification code in %d draws", codeAttempts))
}

// randomVerifyCode returns verifyCodeLen characters of verifyAlphabet; the
// alphabet has 32 letters, so every random byte's low 5 bits pick one
// without bias.
func randomVerifyCode() string {
	b := make([]byte, verifyCodeLen)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	for i := range b {
		b[i] = verifyAlphabet[b[i]&31]
	}
	return string(b)
}

// validVerifyCode reports whether code has the shape of a verification code.
func validVerifyCode(code string) bool {
	if len(code) != verifyCodeLen {
		return false
	}
	for i := 0; i < len(code); i++ {
		if strings.IndexByte(verifyAlphabet, code[i]) < 0 {
			return false
		}
	}
	return true
}

// formDisposition is the Content-Disposition of the form of version v of
// name's application: the real name 报名表-<姓名>-v<版本>.pdf in RFC 5987
// encoding (the filename* parameter), which current browsers prefer, and
// an ASCII fallback for the others.
func formDisposition(disposition, name string, v int) string {
	version := strconv.Itoa(v)
	return disposition + `; filename="form-v` + version + `.pdf"; filename*=UTF-8''` +
		rfc5987("报名表-"+name+"-v"+version+".pdf")
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
