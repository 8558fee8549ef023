package recruit

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes. Each maps to one HTTP status in package handlers.
const (
	EINVALID      = "invalid"      // bad input: 400 / 422
	ENOTFOUND     = "not_found"    // 404
	ECONFLICT     = "conflict"     // 409: duplicate, full, stale version
	EFORBIDDEN    = "forbidden"    // 403: not allowed in this phase/state, not the owner
	EUNAUTHORIZED = "unauthorized" // 401: not logged in
	ETOOMANY      = "too_many"     // 429: rate limited
	EUPSTREAM     = "upstream"     // 502: WeChat or a verifier failed
	EINTERNAL     = "internal"     // 500: a bug or a broken store; logged
	EUNAVAILABLE  = "unavailable"  // 503: the store does not answer for now; logged
)

// Error is the one error type of the service. Message is Chinese and shown to
// users as it is; Fields carries field-level messages for forms. Op names the
// operation that failed ("apply.SaveBasic", "sqlite.SubmitChoice"); Err, when
// set, is the internal cause. Op and Err are logged, never shown.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	Op      string
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Code)
	b.WriteString(": ")
	b.WriteString(e.Message)
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "; %s: %s", k, e.Fields[k])
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, target) match an *Error of the same code and
// message: a refusal such as ErrInviteUsed is recognised whichever backend
// built it.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Message == e.Message
}

// Errorf returns an *Error with the given code and a formatted Chinese message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// internalMessage is what users see of an internal error.
const internalMessage = "系统内部错误，请稍后重试"

// Internal wraps an unexpected error as EINTERNAL; the cause is kept for the log.
func Internal(err error) *Error {
	return &Error{Code: EINTERNAL, Message: internalMessage, Err: err}
}

// unavailableMessage is what users see while the store does not answer.
const unavailableMessage = "数据库暂时无法访问，请稍后重试"

// overloadedMessage is what users see when a request ran out of time.
const overloadedMessage = "系统繁忙，请稍后重试"

// Overloaded wraps the error of an operation that ran out of time (its
// context's deadline passed, as when the store's queue is long under
// overload) as EUNAVAILABLE; the cause is kept for the log.
func Overloaded(err error) *Error {
	return &Error{Code: EUNAVAILABLE, Message: overloadedMessage, Op: ErrorOp(err), Err: err}
}

// Unavailable wraps the error of an operation that failed because the store
// does not answer as EUNAVAILABLE; the cause is kept for the log.
func Unavailable(err error) *Error {
	return &Error{Code: EUNAVAILABLE, Message: unavailableMessage, Op: ErrorOp(err), Err: err}
}

// WithOp returns err with the operation op recorded: an *Error without an
// Op gets a copy naming op, any other error becomes an EINTERNAL *Error
// wrapping it. Errors that already name an operation keep the innermost
// one, which is where the failure happened. WithOp(op, nil) is nil.
func WithOp(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		return &Error{Code: EINTERNAL, Message: internalMessage, Op: op, Err: err}
	}
	if e.Op != "" {
		return err
	}
	c := *e
	c.Op = op
	return &c
}

// ErrorOp returns the operation named by err, "" when none is.
func ErrorOp(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Op
	}
	return ""
}

// ErrorCode returns the code of err, EINTERNAL for errors not of type *Error,
// and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return internalMessage
}

// FieldErrors collects field-level validation messages.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when there are no messages, else an EINVALID *Error whose
// message lists the first few problems.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	msgs := make([]string, 0, 3)
	for _, k := range keys {
		if len(msgs) == 3 {
			msgs = append(msgs, "……")
			break
		}
		msgs = append(msgs, f[k])
	}
	return &Error{Code: EINVALID, Message: strings.Join(msgs, "；"), Fields: map[string]string(f)}
}
