package forms

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"zhupei/recruit"
)

const (
	codeLen      = 10
	codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ" // no 0/O, 1/I
	// codeAttempts bounds the draws of a verification code not in use yet;
	// with 32^10 codes a second draw practically never happens.
	codeAttempts = 3
)

// Verification is what the public verification of a printed form shows:
// only what a holder of the printout may see, the name and ID number
// masked, the choice, the states and versions.
type Verification struct {
	Code           string
	Current        bool // the printout shows the current version
	Withdrawn      bool // the application no longer counts
	Version        int  // printed on the form
	CurrentVersion int
	GeneratedAt    time.Time
	Name           string // masked
	IDNumber       string // masked
	BaseName       string
	SpecialtyName  string
	State          recruit.State
}

// Verify checks the verification code printed on a form (case and
// surrounding spaces do not matter) and says whether that printout is still
// the newest version of an active application: EINVALID for a code of the
// wrong shape, ENOTFOUND for an unknown one.
func (s *Service) Verify(ctx context.Context, code string) (Verification, error) {
	v, err := s.verify(ctx, code)
	return v, recruit.WithOp("forms.Verify", err)
}

func (s *Service) verify(ctx context.Context, code string) (Verification, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !validCode(code) {
		return Verification{}, recruit.Errorf(recruit.EINVALID, "校验码格式不正确：应为报名表上印制的 %d 位字母和数字", codeLen)
	}
	rec, err := s.store.FormByCode(ctx, code)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return Verification{}, recruit.Errorf(recruit.ENOTFOUND, "未找到校验码为 %s 的报名表，请核对报名表上的校验码", code)
	}
	if err != nil {
		return Verification{}, err
	}
	app, err := s.store.GetApplicationByID(ctx, rec.ApplicationID)
	if err != nil {
		return Verification{}, err
	}
	id, prog, err := s.applicantAndProgram(ctx, app)
	if err != nil {
		return Verification{}, err
	}
	return Verification{
		Code: code,
		// Versions only grow and a form shows the version it was made
		// from: a form of the current version has no newer form.
		Current:        rec.Version == app.Version && app.State.Active(),
		Withdrawn:      !app.State.Active(),
		Version:        rec.Version,
		CurrentVersion: app.Version,
		GeneratedAt:    rec.GeneratedAt,
		Name:           recruit.MaskName(id.Name),
		IDNumber:       recruit.MaskID(id.IDNumber),
		BaseName:       prog.BaseName,
		SpecialtyName:  prog.SpecialtyName,
		State:          app.State,
	}, nil
}

// newCode draws a verification code not used by any form yet.
func (s *Service) newCode(ctx context.Context) (string, error) {
	for range codeAttempts {
		code := randomCode()
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

// randomCode returns codeLen characters of codeAlphabet; the alphabet has
// 32 letters, so every random byte's low 5 bits pick one without bias.
func randomCode() string {
	b := make([]byte, codeLen)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	for i := range b {
		b[i] = codeAlphabet[b[i]&31]
	}
	return string(b)
}

// validCode reports whether code has the shape of a verification code.
func validCode(code string) bool {
	if len(code) != codeLen {
		return false
	}
	for i := 0; i < len(code); i++ {
		if strings.IndexByte(codeAlphabet, code[i]) < 0 {
			return false
		}
	}
	return true
}
