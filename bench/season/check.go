package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"zhupei/internal/sim"
	"zhupei/recruit"
	"zhupei/wechat/sandbox"
)

// notifyStall bounds the wait for the sender to deliver everything: it
// fails after this long without one more notification sent.
const notifyStall = 3 * time.Minute

// expectedNotes is what the simulation says was notified, by kind.
func (w *world) expectedNotes() map[recruit.NoticeKind]int {
	want := maps.Clone(w.staffNotes)
	for _, p := range w.people {
		for k, n := range p.notes {
			want[k] += n
		}
	}
	return want
}

// outbox reads the outbox rows by kind and state from /metrics.
func (w *world) outbox() (map[recruit.NoticeKind]map[recruit.NoticeState]int, error) {
	resp, err := w.hc.Get(w.url + "/metrics")
	raw, err := sim.Expect("metrics", resp, err, http.StatusOK)
	if err != nil {
		return nil, err
	}
	out := map[recruit.NoticeKind]map[recruit.NoticeState]int{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), `zhupei_notifications{kind="`)
		if !ok {
			continue
		}
		kind, rest, _ := strings.Cut(rest, `",state="`)
		state, value, _ := strings.Cut(rest, `"} `)
		n, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil, fmt.Errorf("metrics line %q", sc.Text())
		}
		if out[recruit.NoticeKind(kind)] == nil {
			out[recruit.NoticeKind(kind)] = map[recruit.NoticeState]int{}
		}
		out[recruit.NoticeKind(kind)][recruit.NoticeState(state)] = int(n)
	}
	return out, sc.Err()
}

// awaitNotifications waits until the outbox holds exactly the expected
// notifications, each sent, as long as the sender makes progress.
func (w *world) awaitNotifications() (string, error) {
	want := w.expectedNotes()
	total := 0
	for _, n := range want {
		total += n
	}
	deadline, lastSent := time.Now().Add(notifyStall), -1
	for {
		rows, err := w.outbox()
		if err != nil {
			return "", err
		}
		got := map[recruit.NoticeKind]int{}
		sent, rest := 0, 0
		for kind, states := range rows {
			for st, n := range states {
				switch {
				case st == recruit.NoticeSent:
					got[kind] += n
					sent += n
				case n > 0 && st.Final():
					return "", fmt.Errorf("%d %s notifications ended %s", n, kind, st)
				case n > 0:
					rest += n
				}
			}
		}
		if rest == 0 && maps.Equal(got, want) {
			return fmt.Sprintf("%d notifications sent (%s)", sent, kinds(want)), nil
		}
		if sent != lastSent {
			deadline, lastSent = time.Now().Add(notifyStall), sent
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no notification sent for %s; the outbox holds %v, want every one sent: %s", notifyStall, rows, kinds(want))
		}
		time.Sleep(time.Second)
	}
}

// kinds formats counts by kind.
func kinds(m map[recruit.NoticeKind]int) string {
	var parts []string
	for _, k := range recruit.NoticeKinds {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	return strings.Join(parts, ", ")
}

// sandboxMessage is an entry of the sandbox's message log.
type sandboxMessage struct {
	OpenID      string `json:"openid"`
	TemplateID  string `json:"template_id"`
	URL         string `json:"url"`
	ClientMsgID string `json:"client_msg_id"`
}

// noteID is the notification a message links to: its inbox entry
// (/messages/N) for applicants, the mini-program page's ?id=N for staff.
func (m sandboxMessage) noteID() (int64, error) {
	u, err := url.Parse(m.URL)
	if err != nil {
		return 0, err
	}
	s := u.Query().Get("id")
	if s == "" {
		s = path.Base(u.Path)
	}
	return strconv.ParseInt(s, 10, 64)
}

// checkLive checks, with the server running, that every applicant's own
// view is what the simulation says, that every notification was sent once
// through the sandbox and is in its applicant's inbox, and the board.
func (w *world) checkLive() (string, error) {
	var log struct {
		Messages []sandboxMessage `json:"messages"`
	}
	if err := w.getJSON("/sandbox/api/messages", &log); err != nil {
		return "", err
	}
	var calls struct {
		Calls map[string]int `json:"calls"`
	}
	if err := w.getJSON("/sandbox/api/calls", &calls); err != nil {
		return "", err
	}
	sent := map[int64]sandboxMessage{} // applicants' messages by notification
	clientIDs := map[string]bool{}
	staff := map[recruit.NoticeKind]int{}
	templates := 0
	for _, m := range log.Messages {
		id, err := m.noteID()
		if err != nil {
			return "", fmt.Errorf("sandbox message %+v: %v", m, err)
		}
		kind := recruit.NoticeKind(strings.TrimPrefix(m.TemplateID, "sandbox-"))
		if kind.ToStaff() {
			staff[kind]++
			continue
		}
		templates++
		if _, dup := sent[id]; dup || clientIDs[m.ClientMsgID] || m.ClientMsgID == "" {
			return "", fmt.Errorf("notification %d sent twice or without a client_msg_id (%q)", id, m.ClientMsgID)
		}
		sent[id], clientIDs[m.ClientMsgID] = m, true
	}
	if n := calls.Calls[sandbox.EndpointTemplate]; n != templates {
		return "", fmt.Errorf("%d template calls for %d template messages: some were sent more than once", n, templates)
	}
	if !maps.Equal(staff, w.staffNotes) {
		return "", fmt.Errorf("staff subscribe messages %s, want %s", kinds(staff), kinds(w.staffNotes))
	}

	var mu sync.Mutex
	owner := map[string]int{} // openid → applicant
	inboxes := 0
	err := parallel(w, w.people, func(p *person) error {
		m, err := p.Fetch()
		if err != nil {
			return fmt.Errorf("applicant %d: %w", p.Index, err)
		}
		if err := p.matches(m); err != nil {
			return err
		}
		ids, err := p.Inbox()
		if err != nil {
			return fmt.Errorf("applicant %d: %w", p.Index, err)
		}
		got := map[recruit.NoticeKind]int{}
		mu.Lock()
		defer mu.Unlock()
		inboxes += len(ids)
		for _, id := range ids {
			msg, ok := sent[id]
			if !ok {
				return fmt.Errorf("applicant %d: notification %d is in the inbox but was not sent through the sandbox", p.Index, id)
			}
			if i, seen := owner[msg.OpenID]; seen && i != p.Index {
				return fmt.Errorf("applicants %d and %d received messages at one openid", i, p.Index)
			}
			owner[msg.OpenID] = p.Index
			got[recruit.NoticeKind(strings.TrimPrefix(msg.TemplateID, "sandbox-"))]++
		}
		if !maps.Equal(got, p.notes) {
			return fmt.Errorf("applicant %d: inbox and sandbox hold %s, the simulation %s", p.Index, kinds(got), kinds(p.notes))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if inboxes != len(sent) {
		return "", fmt.Errorf("%d messages sent to applicants, %d in their inboxes", len(sent), inboxes)
	}
	if err := w.checkBoard(); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d applicants' own views and inboxes match; %d template messages, each once; %d staff messages; board counts match",
		len(w.people), templates, len(log.Messages)-templates), nil
}

// matches compares the applicant's own view with the simulation.
func (p *person) matches(m sim.Mine) error {
	a := m.Application
	switch {
	case a == nil:
		return fmt.Errorf("applicant %d: no application", p.Index)
	case a.ID != p.AppID || a.ProgramID != p.Program || a.AcceptsAdjustment != p.adjust:
		return fmt.Errorf("applicant %d: application %d for program %d (adjustment %t), acknowledged %d for %d (%t)",
			p.Index, a.ID, a.ProgramID, a.AcceptsAdjustment, p.AppID, p.Program, p.adjust)
	case a.State != p.state || a.OfferState != p.offer:
		return fmt.Errorf("applicant %d: %s with offer %q, the simulation %s with %q", p.Index, a.State, a.OfferState, p.state, p.offer)
	case m.Version != p.ProfileVersion:
		return fmt.Errorf("applicant %d: profile version %d, acknowledged %d", p.Index, m.Version, p.ProfileVersion)
	}
	return nil
}

// checkBoard compares the public board's counts with the simulation.
func (w *world) checkBoard() error {
	registered := map[int64]int{}
	for _, p := range w.people {
		registered[p.Program]++
	}
	var board struct {
		Programs []recruit.Program `json:"programs"`
	}
	deadline := time.Now().Add(10 * time.Second) // the board is a snapshot of a few seconds
	for {
		if err := w.getJSON("/api/v1/programs", &board); err != nil {
			return err
		}
		var wrong []string
		for _, b := range board.Programs {
			p := w.programs[b.ID]
			if p == nil || b.Registered != registered[b.ID] || b.Admitted != p.held || b.Final != p.final || b.Admitted > b.Plan || b.Plan != p.Plan {
				wrong = append(wrong, fmt.Sprintf("program %d: board %d/%d/%d of %d", b.ID, b.Registered, b.Admitted, b.Final, b.Plan))
			}
		}
		if len(wrong) == 0 && len(board.Programs) == len(w.programs) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d programs on the board differ from the simulation (registered/admitted/final of plan): %s", len(wrong), strings.Join(wrong[:min(5, len(wrong))], "; "))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// checkStore reads the stopped server's store: every counter equals its
// recount, no program holds more than its plan, and every application is
// in the simulated state.
func checkStore(w *world, dataDir, mongoURI string) (string, error) {
	ctx := context.Background()
	st, err := openStore(ctx, dataDir, mongoURI)
	if err != nil {
		return "", err
	}
	defer st.Close()
	y, err := st.LatestYear(ctx)
	if err != nil {
		return "", err
	}
	counts, err := st.Recount(ctx, y.Year)
	if err != nil {
		return "", err
	}
	programs, err := st.ListPrograms(ctx, recruit.ProgramFilter{Year: y.Year})
	if err != nil {
		return "", err
	}
	if diffs := recruit.CountDiffs(programs, counts); len(diffs) > 0 {
		return "", fmt.Errorf("%d programs' counters differ from the recount, e.g. %+v", len(diffs), diffs[0])
	}
	apps, seats := 0, 0
	for _, prog := range programs {
		if prog.Admitted > prog.Plan {
			return "", fmt.Errorf("program %d holds %d seats of a plan of %d", prog.ID, prog.Admitted, prog.Plan)
		}
		seats += prog.Admitted
		list, err := st.ListApplications(ctx, prog.ID)
		if err != nil {
			return "", err
		}
		for _, a := range list {
			p := w.byApp[a.ID]
			if p == nil || a.ProgramID != p.Program || a.State != p.state || a.OfferState != p.offer {
				return "", fmt.Errorf("stored application %d (program %d, %s, offer %q) is not the simulated one", a.ID, a.ProgramID, a.State, a.OfferState)
			}
			apps++
		}
	}
	if apps != len(w.people) {
		return "", fmt.Errorf("the store holds %d applications of the year, the simulation %d", apps, len(w.people))
	}
	return fmt.Sprintf("%d programs: counters equal the recount, none over its plan (%d seats held); %d applications as simulated (%s)",
		len(programs), seats, apps, w.states()), nil
}

// states lists the simulation's final states, for the report.
func (w *world) states() string {
	n := map[string]int{}
	for _, p := range w.people {
		k := string(p.state)
		if p.offer != recruit.OfferNone {
			k += "/" + string(p.offer)
		}
		n[k]++
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(n)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, n[k]))
	}
	return strings.Join(parts, ", ")
}
