package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

// statusOf is the one place where recruit error codes become HTTP statuses.
var statusOf = map[string]int{
	recruit.EINVALID:      http.StatusBadRequest,
	recruit.EUNAUTHORIZED: http.StatusUnauthorized,
	recruit.EFORBIDDEN:    http.StatusForbidden,
	recruit.ENOTFOUND:     http.StatusNotFound,
	recruit.ECONFLICT:     http.StatusConflict,
	recruit.ETOOMANY:      http.StatusTooManyRequests,
	recruit.EUPSTREAM:     http.StatusBadGateway,
	recruit.EINTERNAL:     http.StatusInternalServerError,
	recruit.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// fiberMessages are the Chinese messages of the errors Fiber raises itself.
var fiberMessages = map[int]string{
	http.StatusBadRequest:            "请求格式错误",
	http.StatusForbidden:             "无权访问该页面",
	http.StatusNotFound:              "您访问的页面不存在",
	http.StatusMethodNotAllowed:      "不支持该请求方法",
	http.StatusRequestTimeout:        "请求超时，请稍后重试",
	http.StatusRequestEntityTooLarge: "提交的内容过大（照片、扫描件每个不超过10MB，每次提交的文件合计不超过20MB），本次未保存",
	http.StatusTooManyRequests:       "请求过于频繁，请稍后再试",
	http.StatusServiceUnavailable:    "服务暂时不可用，请稍后重试",
}

// apiError is the JSON error body: {"error": {...}}.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields"`
	RequestID string            `json:"request_id"`
}

// classify returns the HTTP status and the user-facing body of err.
func classify(err error) (int, apiErrorBody) {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Code, apiErrorBody{Code: codeOfStatus(fe.Code), Message: fiberMessage(fe.Code), Fields: map[string]string{}}
	}
	code := recruit.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		code, status = recruit.EINTERNAL, http.StatusInternalServerError
	}
	body := apiErrorBody{Code: code, Message: recruit.ErrorMessage(err), Fields: map[string]string{}}
	var re *recruit.Error
	if errors.As(err, &re) && code != recruit.EINTERNAL {
		for k, v := range re.Fields {
			body.Fields[k] = v
		}
	}
	return status, body
}

// codeOfStatus names a Fiber-raised status with the closest recruit code.
func codeOfStatus(status int) string {
	for code, s := range statusOf {
		if s == status {
			return code
		}
	}
	if status >= 500 {
		return recruit.EINTERNAL
	}
	return recruit.EINVALID
}

func fiberMessage(status int) string {
	if m, ok := fiberMessages[status]; ok {
		return m
	}
	if status >= 500 {
		return "系统内部错误，请稍后重试"
	}
	return "请求无法处理"
}

// handleError is the application's only error handler: JSON under /api/,
// a Chinese HTML page elsewhere. Only internal errors are logged, with the
// request id; their cause never reaches the client.
func (s *server) handleError(c *fiber.Ctx, err error) error {
	status, body := classify(s.outage(c, err))
	if status == http.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, retryAfter)
	}
	body.RequestID = requestIDOf(c)
	if status >= 500 {
		s.log.Error("internal error",
			"request_id", body.RequestID,
			"method", c.Method(),
			"route", c.Route().Path,
			"status", status,
			"op", recruit.ErrorOp(err),
			"err", err)
	}
	if isAPI(c) {
		return c.Status(status).JSON(apiError{Error: body})
	}
	ep := errorPage{Status: status, Message: body.Message, RequestID: body.RequestID}
	if status == http.StatusRequestEntityTooLarge && strings.HasPrefix(c.Path(), "/apply/") {
		// The body was not read: the browser's Back still holds what was
		// typed, the form's page what is saved.
		ep.Back = c.Path()
	}
	return s.render(c, status, "error.html", page{Title: "出错了", Body: ep})
}

// retryAfter is the Retry-After of a 503, in seconds.
const retryAfter = "10"

// outage returns err as EUNAVAILABLE when it is an internal error and
// either it ran out of time (a deadline passed: the machine or the store is
// overloaded, whichever backend) or the store does not answer a ping
// either: the request failed because the database is away (restarted,
// failing over, out of reach). The user is told as such, not as a bug. The
// ping gets its own readyTimeout, as the request's deadline may have
// passed.
func (s *server) outage(c *fiber.Ctx, err error) error {
	var fe *fiber.Error
	if recruit.ErrorCode(err) != recruit.EINTERNAL || errors.As(err, &fe) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return recruit.Overloaded(err)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), readyTimeout)
	defer cancel()
	if s.store.Ping(ctx) == nil {
		return err
	}
	return recruit.Unavailable(err)
}

// isAPI reports whether the request is for the JSON API.
func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

// errorPage is the data of error.html.
type errorPage struct {
	Status    int
	Message   string
	RequestID string
	Back      string // the form to return to after a refused upload
}
