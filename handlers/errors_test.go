package handlers

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

func decode(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		err     error
		status  int
		code    string
		message string
	}{
		{recruit.Errorf(recruit.EINVALID, "坏"), 400, "invalid", "坏"},
		{recruit.Errorf(recruit.EUNAUTHORIZED, "请先登录"), 401, "unauthorized", "请先登录"},
		{recruit.Errorf(recruit.EFORBIDDEN, "不允许"), 403, "forbidden", "不允许"},
		{recruit.Errorf(recruit.ENOTFOUND, "没有"), 404, "not_found", "没有"},
		{recruit.Errorf(recruit.ECONFLICT, "已满"), 409, "conflict", "已满"},
		{recruit.Errorf(recruit.ETOOMANY, "太快"), 429, "too_many", "太快"},
		{recruit.Errorf(recruit.EUPSTREAM, "微信失败"), 502, "upstream", "微信失败"},
		{recruit.Internal(errors.New("disk on fire")), 500, "internal", "系统内部错误，请稍后重试"},
		{errors.New("plain"), 500, "internal", "系统内部错误，请稍后重试"},
		{recruit.Errorf("weird", "奇怪"), 500, "internal", "奇怪"},
		{fiber.ErrNotFound, 404, "not_found", "您访问的页面不存在"},
		{fiber.ErrMethodNotAllowed, 405, "invalid", "不支持该请求方法"},
		{fiber.ErrRequestEntityTooLarge, 413, "invalid", "提交的内容过大（照片、扫描件每个不超过10MB，每次提交的文件合计不超过20MB），本次未保存"},
		{recruit.Unavailable(errors.New("no server")), 503, "unavailable", "数据库暂时无法访问，请稍后重试"},
		{fiber.ErrServiceUnavailable, 503, "unavailable", "服务暂时不可用，请稍后重试"},
		{fiber.ErrTeapot, 418, "invalid", "请求无法处理"},
	}
	for _, c := range cases {
		status, body := classify(c.err)
		if status != c.status || body.Code != c.code || body.Message != c.message {
			t.Errorf("classify(%v) = %d %+v, want %d %s %s", c.err, status, body, c.status, c.code, c.message)
		}
	}
}

func TestClassifyFields(t *testing.T) {
	fe := recruit.FieldErrors{}
	fe.Add("base", "培训基地参数无效")
	_, body := classify(fe.Err())
	if body.Fields["base"] != "培训基地参数无效" {
		t.Errorf("fields = %v", body.Fields)
	}
	internal := &recruit.Error{Code: recruit.EINTERNAL, Message: "x", Fields: map[string]string{"secret": "y"}}
	if _, body := classify(internal); len(body.Fields) != 0 {
		t.Errorf("internal error leaked fields %v", body.Fields)
	}
}

// TestBodyTooLargeKeepsStatus goes through a real listener: the body limit is
// enforced by the server before routing, which app.Test reports as an error.
// The request announces a body over the limit; the server answers before
// reading it.
func TestBodyTooLargeKeepsStatus(t *testing.T) {
	f := newFixture(t, false)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = f.app.Listener(ln) }()
	t.Cleanup(func() { _ = f.app.Shutdown() })

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/programs HTTP/1.1\r\nHost: test\r\nContent-Length: %d\r\n\r\n", bodyLimit+1)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e apiError
	decode(t, string(raw), &e)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || e.Error.Message != fiberMessage(http.StatusRequestEntityTooLarge) {
		t.Errorf("status %d, body %s", resp.StatusCode, raw)
	}
}
