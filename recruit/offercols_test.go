package recruit

import (
	"testing"
	"time"
)

// An open offer is due soon from 24 hours before its deadline on, also
// once the deadline has passed and before the job expires it; no other
// offer is.
func TestOfferDueSoon(t *testing.T) {
	deadline := time.Date(2025, time.July, 15, 1, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		state OfferState
		now   time.Time
		want  bool
	}{
		{OfferOpen, deadline.Add(-OfferDueWindow - time.Second), false},
		{OfferOpen, deadline.Add(-OfferDueWindow), false},
		{OfferOpen, deadline.Add(-OfferDueWindow + time.Second), true},
		{OfferOpen, deadline.Add(-time.Minute), true},
		{OfferOpen, deadline.Add(time.Minute), true},
		{OfferAccepted, deadline.Add(-time.Minute), false},
		{OfferDeclined, deadline.Add(-time.Minute), false},
		{OfferNone, deadline.Add(-time.Minute), false},
	} {
		app := Application{OfferState: c.state, OfferDeadline: deadline}
		if got := app.OfferDueSoon(c.now); got != c.want {
			t.Errorf("%q offer %v before its deadline: due soon %v, want %v", c.state, deadline.Sub(c.now), got, c.want)
		}
	}
}

// The lists show an open offer with its deadline (Shanghai time), the
// others by their state, none as nothing.
func TestOfferSummary(t *testing.T) {
	deadline := time.Date(2025, time.July, 15, 1, 0, 0, 0, time.UTC)
	for state, want := range map[OfferState]string{
		OfferOpen: "待确认 · 截止 2025年07月15日 09:00", OfferAccepted: "已接受", OfferDeclined: "已放弃",
		OfferExpired: "已过期", OfferVoided: "已作废", OfferNone: "",
	} {
		if got := (Application{OfferState: state, OfferDeadline: deadline}).OfferSummary(); got != want {
			t.Errorf("OfferSummary of %q = %q, want %q", state, got, want)
		}
	}
}

func TestParseOfferFilter(t *testing.T) {
	if got, err := ParseOfferFilter(""); got != nil || err != nil {
		t.Errorf(`ParseOfferFilter("") = %v, %v; want no filter`, got, err)
	}
	if got, err := ParseOfferFilter("none"); err != nil || got == nil || *got != OfferNone {
		t.Errorf(`ParseOfferFilter("none") = %v, %v; want OfferNone`, got, err)
	}
	for _, o := range OfferStates {
		if got, err := ParseOfferFilter(string(o)); err != nil || got == nil || *got != o {
			t.Errorf("ParseOfferFilter(%q) = %v, %v", o, got, err)
		}
	}
	for _, bad := range []string{"Open", "pending", " open", "待确认"} {
		if _, err := ParseOfferFilter(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseOfferFilter(%q) = %v, want EINVALID", bad, err)
		}
	}
}

// Tally puts the offers into their program and the total, for the year or
// one round; Bases sums them per base; SortCounts orders them.
func TestTallyOffers(t *testing.T) {
	progs := []Program{
		{ID: 1, BaseID: 10, BaseName: "甲", Plan: 4},
		{ID: 2, BaseID: 10, BaseName: "甲", Plan: 2},
		{ID: 3, BaseID: 20, BaseName: "乙", Plan: 2},
	}
	c := ApplicationCounts{Offers: []OfferCount{
		{3, PhaseRound1, OfferOpen, 1}, {1, PhaseRound2, OfferAccepted, 1}, {1, PhaseRound1, OfferOpen, 2},
		{1, PhaseRound1, OfferDeclined, 1}, {2, PhaseRound1, OfferExpired, 3}, {2, PhaseAdjustment, OfferVoided, 1},
		{99, PhaseRound1, OfferOpen, 5},
	}}
	SortCounts(&c)
	if c.Offers[0] != (OfferCount{1, PhaseRound1, OfferDeclined, 1}) || c.Offers[1] != (OfferCount{1, PhaseRound1, OfferOpen, 2}) ||
		c.Offers[2] != (OfferCount{1, PhaseRound2, OfferAccepted, 1}) || c.Offers[6].ProgramID != 99 {
		t.Errorf("sorted offers = %v", c.Offers)
	}
	all := Tally(progs, c, "", nil)
	if got, want := all.Programs[0].Offers, (OfferCounts{Open: 2, Accepted: 1, Declined: 1}); got != want {
		t.Errorf("program 1 offers = %+v, want %+v", got, want)
	}
	if got, want := all.Total.Offers, (OfferCounts{Open: 3, Accepted: 1, Declined: 1, Expired: 3, Voided: 1}); got != want || got.Total() != 9 {
		t.Errorf("total offers = %+v (%d), want %+v", got, got.Total(), want)
	}
	r1 := Tally(progs, c, PhaseRound1, nil)
	if got, want := r1.Total.Offers, (OfferCounts{Open: 3, Declined: 1, Expired: 3}); got != want {
		t.Errorf("round1 offers = %+v, want %+v", got, want)
	}
	bases := all.Bases()
	if got, want := bases[0].Offers, (OfferCounts{Open: 2, Accepted: 1, Declined: 1, Expired: 3, Voided: 1}); got != want {
		t.Errorf("base 甲 offers = %+v, want %+v", got, want)
	}
	if got := bases[1].Offers; got != (OfferCounts{Open: 1}) {
		t.Errorf("base 乙 offers = %+v", got)
	}
}
