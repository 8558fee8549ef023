package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"

	"zhupei/internal/sim"
)

// staffMember is a staff account logged in through the mini-program:
// its bearer token calls the admin API.
type staffMember struct {
	hc    *http.Client
	url   string
	token string
	role  string
	base  int64
}

// loginCode finds the login code on the sandbox's mini-program page.
var loginCode = regexp.MustCompile(`<code>([^<]+)</code>`)

// newStaff logs a new sandbox user nickname into the mini-program from
// address addr (the mini-program login is limited per address) and binds
// it with the invitation code; role and base are what the code grants.
func newStaff(tr http.RoundTripper, server, nickname, addr, code, role string, base int64) (*staffMember, error) {
	hc := &http.Client{Transport: sim.ForwardedFor{Next: tr, Addr: addr}, Timeout: requestTimeout}
	resp, err := hc.PostForm(server+"/sandbox/minicode", url.Values{"nickname": {nickname}})
	page, err := sim.Expect("sandbox login code", resp, err, http.StatusOK)
	if err != nil {
		return nil, err
	}
	m := loginCode.FindSubmatch(page)
	if m == nil {
		return nil, fmt.Errorf("sandbox login code: no code on the page")
	}
	s := &staffMember{hc: hc, url: server, role: role, base: base}
	var login struct {
		Token string `json:"token"`
	}
	if err := s.call("mp login", http.MethodPost, "/api/v1/mp/login", map[string]string{"code": string(m[1])}, &login, http.StatusOK); err != nil {
		return nil, err
	}
	s.token = login.Token
	if err := s.call("mp bind", http.MethodPost, "/api/v1/mp/bind", map[string]string{"invite": code}, nil, http.StatusOK); err != nil {
		return nil, err
	}
	return s, nil
}

// call sends a JSON request with the bearer token and decodes the answer
// into out (when not nil); any status but want fails.
func (s *staffMember) call(step, method, path string, body, out any, want int) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.hc.Do(req)
	raw, err := sim.Expect(step, resp, err, want)
	if err != nil || out == nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	return nil
}

// invite creates an invitation (createInvitation) for role at base (0 for
// the province).
func (s *staffMember) invite(role string, base int64, name string) (string, error) {
	body := map[string]any{"role": role, "name": name}
	if base != 0 {
		body["base_id"] = base
	}
	var out struct {
		Code string `json:"code"`
	}
	err := s.call("createInvitation", http.MethodPost, "/api/v1/admin/invitations", body, &out, http.StatusCreated)
	return out.Code, err
}

// queueRow is the part of a listApplications row the season reads.
type queueRow struct {
	ID            int64  `json:"id"`
	State         string `json:"state"`
	BaseID        int64  `json:"base_id"`
	SpecialtyCode string `json:"specialty_code"`
}

// queuePage is the page size of listApplications (its maximum).
const queuePage = 200

// list lists every application in state that the member sees, page by page
// (listApplications; base 0: all the member may see), with the total the
// API counts.
func (s *staffMember) list(state string, base int64) ([]queueRow, int, error) {
	var rows []queueRow
	for page := 1; ; page++ {
		q := url.Values{"state": {state}, "size": {fmt.Sprint(queuePage)}, "page": {fmt.Sprint(page)}}
		if base != 0 {
			q.Set("base", fmt.Sprint(base))
		}
		var out struct {
			Rows  []queueRow `json:"rows"`
			Total int        `json:"total"`
		}
		if err := s.call("listApplications", http.MethodGet, "/api/v1/admin/applications?"+q.Encode(), nil, &out, http.StatusOK); err != nil {
			return nil, 0, err
		}
		rows = append(rows, out.Rows...)
		if len(out.Rows) < queuePage || len(rows) >= out.Total {
			return rows, out.Total, nil
		}
	}
}

// maxBulk is the most applications one reviewApplications call takes.
const maxBulk = 500

// review reviews ids in bulk (reviewApplications), maxBulk at a time.
func (s *staffMember) review(ids []int64, decision, remark string) error {
	for len(ids) > 0 {
		n := min(len(ids), maxBulk)
		body := map[string]any{"ids": ids[:n], "decision": decision}
		if remark != "" {
			body["remark"] = remark
		}
		var out struct {
			Reviewed int `json:"reviewed"`
		}
		if err := s.call("reviewApplications", http.MethodPost, "/api/v1/admin/applications/review", body, &out, http.StatusOK); err != nil {
			return err
		}
		if out.Reviewed != n {
			return fmt.Errorf("reviewApplications: %d reviewed of %d", out.Reviewed, n)
		}
		ids = ids[n:]
	}
	return nil
}
