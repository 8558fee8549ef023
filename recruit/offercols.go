package recruit

import "time"

// The offer in the staff's lists (DESIGN.md, Offers and adjustment): the
// review queue shows, filters and exports each application's offer, and
// the statistics count the offers of each program by state.

// OfferDueWindow is how near its deadline an open offer is marked for the
// reviewer (即将到期).
const OfferDueWindow = 24 * time.Hour

// OfferDueSoon reports whether app's offer is open and its deadline is
// less than OfferDueWindow after now (or has passed and the expiry job has
// not expired it yet).
func (app Application) OfferDueSoon(now time.Time) bool {
	return app.OfferState == OfferOpen && app.OfferDeadline.Sub(now) < OfferDueWindow
}

// OfferSummary is app's offer as a list shows it: the state, with the
// deadline for an open one (待确认 · 截止 2026年12月05日 10:00); "" when it
// has none.
func (app Application) OfferSummary() string {
	if app.OfferState == OfferOpen {
		return OfferOpen.Label() + " · 截止 " + offerTime(app.OfferDeadline)
	}
	return app.OfferState.Label()
}

// OfferStates are the states an offer can be in, in the order the lists
// and the statistics name them.
var OfferStates = []OfferState{OfferOpen, OfferAccepted, OfferDeclined, OfferExpired, OfferVoided}

// OfferFilterNone is the queue's offer filter for applications that have
// no offer.
const OfferFilterNone = "none"

// ParseOfferFilter reads the queue's offer filter: nil for "" (any offer or
// none), OfferNone for OfferFilterNone, else one of OfferStates; anything
// else is EINVALID.
func ParseOfferFilter(s string) (*OfferState, error) {
	if s == "" {
		return nil, nil
	}
	o := OfferState(s)
	if s == OfferFilterNone {
		o = OfferNone
	} else if !o.Known() {
		return nil, Errorf(EINVALID, "拟录取确认状态只能是 none（无）、open（待确认）、accepted（已接受）、declined（已放弃）、expired（已过期）或 voided（已作废）：%s", s)
	}
	return &o, nil
}

// Known reports whether o is one of OfferStates.
func (o OfferState) Known() bool {
	for _, k := range OfferStates {
		if o == k {
			return true
		}
	}
	return false
}

// OfferCounts count offers by state (ProgramStats.Offers).
type OfferCounts struct {
	Open     int `json:"open"`     // 待确认
	Accepted int `json:"accepted"` // 已接受
	Declined int `json:"declined"` // 已放弃
	Expired  int `json:"expired"`  // 已过期
	Voided   int `json:"voided"`   // 已作废
}

// of returns the counter of offers in state o, nil for none.
func (c *OfferCounts) of(o OfferState) *int {
	switch o {
	case OfferOpen:
		return &c.Open
	case OfferAccepted:
		return &c.Accepted
	case OfferDeclined:
		return &c.Declined
	case OfferExpired:
		return &c.Expired
	case OfferVoided:
		return &c.Voided
	}
	return nil
}

// add counts n offers in state o (none: nothing).
func (c *OfferCounts) add(o OfferState, n int) {
	if p := c.of(o); p != nil {
		*p += n
	}
}

// plus adds the counts of d.
func (c *OfferCounts) plus(d OfferCounts) {
	for _, o := range OfferStates {
		*c.of(o) += *d.of(o)
	}
}

// Total is the number of offers counted.
func (c OfferCounts) Total() int {
	n := 0
	for _, o := range OfferStates {
		n += *c.of(o)
	}
	return n
}

// OfferCount is the number of applications of one program whose offer is
// in one state, counted in the round of their current state (StatsRound).
type OfferCount struct {
	ProgramID int64      `json:"program_id"`
	Round     Phase      `json:"round"`
	Offer     OfferState `json:"offer"`
	N         int        `json:"n"`
}
