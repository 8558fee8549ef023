package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"zhupei/recruit"
)

// Verifier checks a real name (实名核验): that the ID number of the given
// type is valid and, as far as the verifier can tell, belongs to the named
// person. A refusal is an EINVALID *recruit.Error with a Chinese message; a
// verifier that cannot answer returns EUPSTREAM.
type Verifier interface {
	Verify(ctx context.Context, name, idType, number string) error
	// Confirms reports whether a pass confirms that the number belongs to
	// the named person (an identity provider was asked), which re-attaching
	// an unbound identity needs in live mode; false when only the format is
	// checked.
	Confirms() bool
}

// FormatVerifier is the default: the format of the number and, for a
// 居民身份证, its birth date and GB 11643 check digit.
type FormatVerifier struct {
	Now func() time.Time
}

// Confirms is false: a well-formed number says nothing about its owner.
func (FormatVerifier) Confirms() bool { return false }

// Verify checks the number's format.
func (v FormatVerifier) Verify(_ context.Context, _, idType, number string) error {
	if err := recruit.ValidateIDNumberAt(idType, number, v.Now()); err != nil {
		return &recruit.Error{Code: recruit.EINVALID, Message: recruit.ErrorMessage(err),
			Fields: map[string]string{"id_number": recruit.ErrorMessage(err)}}
	}
	return nil
}

// HTTPVerifier asks an identity-verification provider after the format
// check (wechat.verifier_url). The contract, which an adapter in front of a
// commercial or government 实名核验 service implements:
//
//	POST URL
//	Content-Type: application/json
//	{"name": "张三", "id_type": "居民身份证", "id_number": "37010219900307123X"}
//
//	200 {"pass": true}                                  the number is the named person's
//	200 {"pass": false, "message": "姓名与证件号码不一致"}  refused; message (≤100 characters
//	                                                    shown) is shown to the applicant
//
// id_type is one of recruit.IDTypes, id_number is upper-case without
// spaces. Any other status, a body that is not JSON or lacks "pass", or no
// answer within the timeout is "the verifier is down" (EUPSTREAM: the
// applicant is asked to retry later; nothing is bound). The request
// carries personal data: use https, and the provider must not log it.
type HTTPVerifier struct {
	URL    string
	Client *http.Client // with the timeout; http.DefaultClient when nil
	Format FormatVerifier
}

// NewHTTPVerifier returns a verifier calling url with a request timeout.
func NewHTTPVerifier(url string, timeout time.Duration, now func() time.Time) *HTTPVerifier {
	return &HTTPVerifier{URL: url, Client: &http.Client{Timeout: timeout}, Format: FormatVerifier{Now: now}}
}

// errVerifierDown is shown when the provider cannot answer.
const errVerifierDown = "实名核验服务暂时不可用，请稍后重试"

// maxVerifierMessage bounds the provider's message shown to the user.
const maxVerifierMessage = 100

// Confirms is true: a pass is the provider's confirmation.
func (*HTTPVerifier) Confirms() bool { return true }

// Verify checks the format, then asks the provider.
func (v *HTTPVerifier) Verify(ctx context.Context, name, idType, number string) error {
	if err := v.Format.Verify(ctx, name, idType, number); err != nil {
		return err
	}
	body, err := json.Marshal(map[string]string{"name": name, "id_type": idType, "id_number": number})
	if err != nil {
		return recruit.Internal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.URL, bytes.NewReader(body))
	if err != nil {
		return recruit.Internal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := v.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return &recruit.Error{Code: recruit.EUPSTREAM, Message: errVerifierDown, Err: err}
	}
	defer resp.Body.Close()
	var res struct {
		Pass    *bool  `json:"pass"`
		Message string `json:"message"`
	}
	if resp.StatusCode != http.StatusOK {
		return &recruit.Error{Code: recruit.EUPSTREAM, Message: errVerifierDown, Err: fmt.Errorf("verifier: HTTP %d", resp.StatusCode)}
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&res); err != nil || res.Pass == nil {
		return &recruit.Error{Code: recruit.EUPSTREAM, Message: errVerifierDown, Err: fmt.Errorf("verifier: malformed answer: %v", err)}
	}
	if !*res.Pass {
		msg := "姓名与证件号码不一致"
		if r := []rune(res.Message); len(r) > 0 {
			msg = string(r[:min(len(r), maxVerifierMessage)])
		}
		return recruit.Errorf(recruit.EINVALID, "实名核验未通过：%s", msg)
	}
	return nil
}
