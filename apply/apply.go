// Package apply holds the applicant's use-cases: real-name binding
// (实名认证: the verifier, the 30-day windows and the attempt limits),
// unbinding, loading what an applicant sees, saving the four profile
// sections with their uploads (each save a history entry and, once a choice
// is submitted, a new application version), submitting or changing the
// choice (志愿) with its history entry and notification, ranking vacancies
// in the adjustment phase (调剂志愿), the result page, answering an offer
// (AnswerOffer: 确认接受 or 放弃), the history and the
// inbox (我的消息).
//
// A Service is built once by New and is safe for concurrent use. Its
// methods take the request's context and the actor as the transport
// authenticated it: the WeChat account (openid) for binding, the bound
// identity for reads, and for saves the *Applicant that Service.Applicant
// loaded for that identity in the same request (a save updates it). Every
// error they return is a *recruit.Error naming the operation (apply.Choose,
// …), which the transport logs for internal ones. The field rules, phase
// and state rules and the photo and scan checks are recruit's; this package
// applies them to the stored data and holds the rest.
package apply

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"zhupei/recruit"
)

// Store is the part of the store the applicant's use-cases need.
type Store interface {
	recruit.Catalogue
	recruit.Identities
	recruit.Applications
	recruit.Profiles
	recruit.Files
	recruit.Forms // whether the newest registration form is outdated (Result)
	recruit.KV
	recruit.BaseDatesStore // the chosen base's dates on the result page
	recruit.Outbox         // the inbox (Messages)
	recruit.Offers         // answering an offer (AnswerOffer)
	recruit.StaffStore     // the base's staff told of a declined offer
	// the ranked vacancies of the adjustment phase (RankVacancies)
	recruit.AdjustmentStore
}

// Deps are the dependencies of a Service.
type Deps struct {
	Store Store
	// Now is the domain clock; time.Now when nil.
	Now func() time.Time
	// Logger gets the failures that do not fail a request (a replaced file
	// that could not be deleted); slog.Default() when nil.
	Logger *slog.Logger
	// Sealer gives the blind index of ID numbers for the binding windows;
	// required.
	Sealer recruit.IDSealer
	// Verifier checks a real name; FormatVerifier (format and checksum only)
	// when nil.
	Verifier Verifier
	// ConfirmReattach (live mode) re-attaches the unbound identity of an ID
	// number, with its profile, files and applications, to a new account
	// only when the Verifier Confirms; without it (sandbox) the stored
	// name suffices.
	ConfirmReattach bool
}

// Service runs the applicant's use-cases.
type Service struct {
	store    Store
	now      func() time.Time
	log      *slog.Logger
	sealer   recruit.IDSealer
	verifier Verifier
	// confirmReattach is Deps.ConfirmReattach.
	confirmReattach bool
}

// New returns the service over d; it panics without d.Store or d.Sealer.
func New(d Deps) *Service {
	if d.Store == nil || d.Sealer == nil {
		panic("apply: Deps.Store and Deps.Sealer are required")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Verifier == nil {
		d.Verifier = FormatVerifier{Now: d.Now}
	}
	return &Service{store: d.Store, now: d.Now, log: d.Logger, sealer: d.Sealer, verifier: d.Verifier,
		confirmReattach: d.ConfirmReattach}
}

// Sections of the profile and the choice, as the revision kinds and the
// routes name them.
const (
	SectionBasic        = "basic"
	SectionWork         = "work"
	SectionEducation    = "education"
	SectionCertificates = "certificates"
	SectionChoice       = "choice"
)

// SectionLabel is the Chinese name of a section or the choice, "" for an
// unknown one.
func SectionLabel(section string) string {
	switch section {
	case SectionBasic:
		return "基本信息"
	case SectionWork:
		return "工作信息"
	case SectionEducation:
		return "教育经历"
	case SectionCertificates:
		return "证书信息"
	case SectionChoice:
		return "报考志愿"
	}
	return ""
}

// Applicant is what the applicant's pages and saves need, loaded once per
// request by Service.Applicant; the saves update it.
type Applicant struct {
	Identity recruit.Identity
	Year     recruit.Year
	Phase    recruit.Phase
	// Profile holds the bound name and ID in its Basic section.
	Profile recruit.Profile
	// App is this year's application, nil before the first choice.
	App *recruit.Application
}

// Applicant loads the applicant who: the latest year, its phase now, the
// profile and this year's application.
func (s *Service) Applicant(ctx context.Context, who recruit.Identity) (a *Applicant, err error) {
	defer func() { err = recruit.WithOp("apply.Applicant", err) }()
	y, err := s.store.LatestYear(ctx)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return nil, recruit.Errorf(recruit.ENOTFOUND, "招录年度尚未设置")
	}
	if err != nil {
		return nil, err
	}
	p, err := s.store.GetProfile(ctx, who.ID)
	if err != nil {
		return nil, err
	}
	a = &Applicant{Identity: who, Year: y, Phase: y.Calendar.PhaseAt(s.now())}
	a.setProfile(p)
	app, err := s.store.GetApplication(ctx, y.Year, who.ID)
	switch {
	case err == nil:
		a.App = &app
	case recruit.ErrorCode(err) != recruit.ENOTFOUND:
		return nil, err
	}
	return a, nil
}

// setProfile makes p the applicant's profile, with the bound name and ID.
func (a *Applicant) setProfile(p recruit.Profile) {
	if p.Basic != nil {
		b := *p.Basic
		b.Name, b.IDType, b.IDNumber = a.Identity.Name, a.Identity.IDType, a.Identity.IDNumber
		p.Basic = &b
	}
	a.Profile = p
}

// May applies the phase and state rules to action.
func (a *Applicant) May(action recruit.Action) error {
	return recruit.ApplicantMay(a.Phase, a.App, action)
}

// Submitted reports whether the applicant has an application that counts.
func (a *Applicant) Submitted() bool { return a.App != nil && a.App.State.Active() }

// Done reports whether a section of the profile is filled or, for
// SectionChoice, the choice submitted.
func (a *Applicant) Done(section string) bool {
	p := a.Profile
	switch section {
	case SectionBasic:
		return p.Basic != nil
	case SectionWork:
		return p.Work != nil
	case SectionEducation:
		return len(p.Education) > 0
	case SectionCertificates:
		return p.Certificates != nil
	case SectionChoice:
		return a.Submitted()
	}
	return false
}

// EditRefusal says why the profile cannot be edited now, nil when it can.
func (a *Applicant) EditRefusal() error { return a.May(recruit.ActionEditProfile) }

// History returns the saved versions of who's profile and choice, newest
// first.
func (s *Service) History(ctx context.Context, who recruit.Identity) ([]recruit.Revision, error) {
	revs, err := s.store.History(ctx, who.ID)
	return revs, recruit.WithOp("apply.History", err)
}

// randomID returns 16 random bytes, hex-encoded: the id of an upload.
func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
