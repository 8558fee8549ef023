package sandbox

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

// Fault makes the next Count calls of Endpoint fail: answered with errcode
// Code (see faultCodes), or, with Hang, held for Options.HangFor so that the
// caller times out. With Codes, each failure is one of Codes or (with Hang)
// a hang, chosen at random. With Rate (0 < Rate < 1) only that fraction of
// the calls fail, at random, until Count have failed.
//
// On the pseudo-endpoint EventJobFinish the fault does not touch the call:
// the next Count successful template messages (or that fraction of them)
// are reported failed by a TEMPLATESENDJOBFINISH event with Status
// (StatusUserBlock or StatusSystemFailed), posted to the callback by
// FlushReports.
type Fault struct {
	Endpoint string  `json:"endpoint"`
	Code     int     `json:"code"`
	Codes    []int   `json:"codes,omitempty"`
	Hang     bool    `json:"hang"`
	Count    int     `json:"count"`
	Rate     float64 `json:"rate,omitempty"`
	Status   string  `json:"status,omitempty"`
}

// EventJobFinish is the pseudo-endpoint of delivery-report faults.
const EventJobFinish = "TEMPLATESENDJOBFINISH"

// Delivery report statuses of TEMPLATESENDJOBFINISH failures.
const (
	StatusUserBlock    = "failed:user block"
	StatusSystemFailed = "failed: system failed"
)

var faultEndpoints = []string{EndpointToken, EndpointStableToken, EndpointOAuthToken, EndpointQRCreate,
	EndpointTemplate, EndpointMenu, EndpointJSCode, EndpointSubscribe, EventJobFinish}

var faultCodes = []int{-1, 40001, 40003, 42001, 43004, 43101, 45009}

// Inject arms a fault, replacing any armed on the same endpoint.
func (s *Sandbox) Inject(f Fault) error {
	fe := recruit.FieldErrors{}
	if !slices.Contains(faultEndpoints, f.Endpoint) {
		fe.Add("endpoint", "不支持的接口，可选："+strings.Join(faultEndpoints, "、"))
	}
	codes := f.Codes
	if len(codes) == 0 && !f.Hang {
		codes = []int{f.Code}
	}
	for _, c := range codes {
		if f.Endpoint != EventJobFinish && !slices.Contains(faultCodes, c) {
			fe.Add("code", "错误码只能是 -1、40001、40003、42001、43004、43101 或 45009")
		}
	}
	if f.Endpoint == EventJobFinish && f.Status != StatusUserBlock && f.Status != StatusSystemFailed {
		fe.Add("status", "送达报告只能是 "+StatusUserBlock+" 或 "+StatusSystemFailed)
	}
	if f.Rate < 0 || f.Rate >= 1 {
		fe.Add("rate", "失败比例须在 0 到 1 之间（0 表示每次都失败）")
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
	if f == nil || f.Rate > 0 && s.rand.Float64() >= f.Rate {
		return nil
	}
	f.Count--
	if f.Count == 0 {
		delete(s.faults, endpoint)
	}
	out := *f
	if len(f.Codes) > 0 {
		n := len(f.Codes)
		if f.Hang {
			n++
		}
		i := s.rand.IntN(n)
		out.Hang = i == len(f.Codes)
		if !out.Hang {
			out.Code = f.Codes[i]
		}
	}
	return &out
}

// postFault serves POST /faults with a JSON Fault.
func (s *Sandbox) postFault(c *fiber.Ctx) error {
	var f Fault
	if err := c.BodyParser(&f); err != nil {
		return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"error": "请求格式错误，需要 JSON：endpoint、code、codes、hang、count、rate、status"})
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
