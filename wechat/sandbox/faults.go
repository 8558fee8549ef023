package sandbox

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

// Fault makes the next Count calls of Endpoint fail: answered with errcode
// Code (40001, 42001, 45009, 43004 or -1), or, with Hang, held for
// Options.HangFor so that the caller times out.
type Fault struct {
	Endpoint string `json:"endpoint"`
	Code     int    `json:"code"`
	Hang     bool   `json:"hang"`
	Count    int    `json:"count"`
}

var faultEndpoints = []string{EndpointToken, EndpointStableToken, EndpointOAuthToken, EndpointQRCreate,
	EndpointTemplate, EndpointMenu, EndpointJSCode, EndpointSubscribe}

var faultCodes = []int{-1, 40001, 42001, 43004, 45009}

// Inject arms a fault, replacing any armed on the same endpoint.
func (s *Sandbox) Inject(f Fault) error {
	fe := recruit.FieldErrors{}
	if !slices.Contains(faultEndpoints, f.Endpoint) {
		fe.Add("endpoint", "不支持的接口，可选："+strings.Join(faultEndpoints, "、"))
	}
	if !f.Hang && !slices.Contains(faultCodes, f.Code) {
		fe.Add("code", "错误码只能是 -1、40001、42001、43004 或 45009")
	}
	if f.Count < 1 || f.Count > 1000 {
		fe.Add("count", "次数须为 1 到 1000")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.faults[f.Endpoint] = &f
	s.mu.Unlock()
	return nil
}

// takeFault counts a call of endpoint and returns the fault to apply to it.
func (s *Sandbox) takeFault(endpoint string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[endpoint]++
	f := s.faults[endpoint]
	if f == nil {
		return nil
	}
	f.Count--
	if f.Count == 0 {
		delete(s.faults, endpoint)
	}
	out := *f
	return &out
}

// postFault serves POST /faults with a JSON Fault.
func (s *Sandbox) postFault(c *fiber.Ctx) error {
	var f Fault
	if err := c.BodyParser(&f); err != nil {
		return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"error": "请求格式错误，需要 JSON：endpoint、code、hang、count"})
	}
	if err := s.Inject(f); err != nil {
		return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"error": recruit.ErrorMessage(err)})
	}
	return c.JSON(fiber.Map{"armed": f})
}

// getFaults serves GET /faults: the armed faults.
func (s *Sandbox) getFaults(c *fiber.Ctx) error {
	s.mu.Lock()
	out := make([]Fault, 0, len(s.faults))
	for _, f := range s.faults {
		out = append(out, *f)
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Fault) int { return strings.Compare(a.Endpoint, b.Endpoint) })
	return c.JSON(fiber.Map{"faults": out})
}
