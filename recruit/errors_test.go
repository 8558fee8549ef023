package recruit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestErrorString(t *testing.T) {
	cause := errors.New("disk full")
	e := &Error{Code: EINVALID, Message: "输入有误", Fields: map[string]string{"phone": "手机号码错误", "email": "邮箱错误"}, Err: cause}
	want := "invalid: 输入有误; email: 邮箱错误; phone: 手机号码错误: disk full"
	if got := e.Error(); got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	if got := Errorf(ENOTFOUND, "未找到%s", "基地").Error(); got != "not_found: 未找到基地" {
		t.Fatalf("Errorf().Error() = %q", got)
	}
	if !errors.Is(e, cause) {
		t.Fatal("errors.Is must find the cause through Unwrap")
	}
}

func TestErrorCodeAndMessage(t *testing.T) {
	wrapped := fmt.Errorf("saving: %w", Errorf(ECONFLICT, "该专业已满"))
	internal := Internal(errors.New("secret=abc"))
	cases := []struct {
		err       error
		code, msg string
	}{
		{nil, "", ""},
		{errors.New("boom"), EINTERNAL, "系统内部错误，请稍后重试"},
		{wrapped, ECONFLICT, "该专业已满"},
		{internal, EINTERNAL, "系统内部错误，请稍后重试"},
		{&Error{Code: EINTERNAL, Message: "内部细节"}, EINTERNAL, "系统内部错误，请稍后重试"},
		{Errorf(EFORBIDDEN, "不允许"), EFORBIDDEN, "不允许"},
	}
	for _, c := range cases {
		if got := ErrorCode(c.err); got != c.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", c.err, got, c.code)
		}
		if got := ErrorMessage(c.err); got != c.msg {
			t.Errorf("ErrorMessage(%v) = %q, want %q", c.err, got, c.msg)
		}
	}
	if !strings.Contains(internal.Error(), "secret=abc") || internal.Unwrap() == nil {
		t.Fatal("Internal must keep the cause for the log")
	}
}

func TestFieldErrors(t *testing.T) {
	if err := (FieldErrors{}).Err(); err != nil {
		t.Fatalf("empty FieldErrors.Err() = %v, want nil", err)
	}
	f := FieldErrors{}
	f.Add("b", "乙")
	f.Add("b", "第二条")
	f.Add("a", "甲")
	err := f.Err()
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID {
		t.Fatalf("Err() = %v, want EINVALID", err)
	}
	if e.Message != "甲；乙" {
		t.Fatalf("message = %q, want the first message per field in key order", e.Message)
	}
	if e.Fields["b"] != "乙" || len(e.Fields) != 2 {
		t.Fatalf("fields = %v: Add must keep the first message", e.Fields)
	}
	for _, k := range []string{"c", "d", "e"} {
		f.Add(k, k)
	}
	if got := ErrorMessage(f.Err()); got != "甲；乙；c；……" {
		t.Fatalf("long message = %q, want three problems and an ellipsis", got)
	}
}

func TestWithOp(t *testing.T) {
	if WithOp("x", nil) != nil {
		t.Fatal("WithOp(nil) must be nil")
	}
	plain := errors.New("disk full")
	got := WithOp("sqlite.SubmitChoice", plain)
	if ErrorCode(got) != EINTERNAL || ErrorOp(got) != "sqlite.SubmitChoice" || !errors.Is(got, plain) {
		t.Fatalf("WithOp(plain) = %v: code %q, op %q", got, ErrorCode(got), ErrorOp(got))
	}
	if want := "sqlite.SubmitChoice: internal: 系统内部错误，请稍后重试: disk full"; got.Error() != want {
		t.Fatalf("Error() = %q, want %q", got.Error(), want)
	}
	orig := Errorf(ECONFLICT, "该专业已满")
	named := WithOp("apply.Choose", orig)
	if ErrorCode(named) != ECONFLICT || ErrorMessage(named) != "该专业已满" || ErrorOp(named) != "apply.Choose" {
		t.Fatalf("WithOp(*Error) = %v", named)
	}
	if orig.Op != "" {
		t.Fatal("WithOp must not change a shared error value")
	}
	if ErrorOp(WithOp("handlers.choice", named)) != "apply.Choose" {
		t.Fatal("the innermost operation must be kept")
	}
	if ErrorOp(plain) != "" {
		t.Fatal("a plain error names no operation")
	}
}

func TestRequestID(t *testing.T) {
	ctx := context.Background()
	if RequestID(ctx) != "" {
		t.Fatal("a bare context carries no request id")
	}
	if got := RequestID(WithRequestID(ctx, "r-1")); got != "r-1" {
		t.Fatalf("RequestID = %q", got)
	}
}
