package recruit

import (
	"slices"
	"testing"
	"time"
)

func TestCheckCalendar(t *testing.T) {
	good := DefaultCalendar(2025)
	utc := good
	utc.Round2 = utc.Round2.UTC()
	zero := good
	zero.Adjustment = time.Time{}
	same := good
	same.Round2 = same.Round1
	back := good
	back.Closed = good.Registration.Add(-time.Hour)
	for _, c := range []struct {
		name  string
		cal   Calendar
		field string // "" when valid
	}{
		{"the default", good, ""},
		{"a start in UTC", utc, "round2"},
		{"a missing start", zero, "adjustment"},
		{"two phases starting together", same, "round2"},
		{"closed before registration", back, "closed"},
	} {
		got, err := CheckCalendar(c.cal)
		if c.field == "" {
			if err != nil || got != c.cal {
				t.Errorf("%s: %+v, %v", c.name, got, err)
			}
			continue
		}
		e, ok := err.(*Error)
		if !ok || e.Code != EINVALID || e.Fields[c.field] == "" {
			t.Errorf("%s: %v, want EINVALID on %s", c.name, err, c.field)
		}
	}
}

func TestBegunMovedLater(t *testing.T) {
	old := DefaultCalendar(2025)
	now := old.Round1.Add(time.Hour)
	later := old
	later.Round1 = now.Add(time.Hour)
	earlier := old
	earlier.Round1 = old.Round1.Add(-time.Hour)
	future := old
	future.Round2 = old.Round2.Add(48 * time.Hour)
	for _, c := range []struct {
		name string
		next Calendar
		want []Phase
	}{
		{"unchanged", old, nil},
		{"a begun phase moved later but still begun", earlier, nil},
		{"a begun phase moved into the future", later, []Phase{PhaseRound1}},
		{"a future phase moved", future, nil},
	} {
		if got := BegunMovedLater(old, c.next, now); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCheckBaseDates(t *testing.T) {
	cal := DefaultCalendar(2025)
	at := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 9, 0, 0, 0, Shanghai) }
	for _, c := range []struct {
		name  string
		d     BaseDates
		field string
	}{
		{"inside round1", BaseDates{Round: PhaseRound1, ReviewDeadline: at(time.July, 15), Interview: at(time.July, 31)}, ""},
		{"nothing set", BaseDates{Round: PhaseAdjustment}, ""},
		{"an interview after round1", BaseDates{Round: PhaseRound1, Interview: at(time.August, 1)}, "interview"},
		{"a deadline before round2", BaseDates{Round: PhaseRound2, ReviewDeadline: at(time.July, 31)}, "review_deadline"},
		{"an admission after adjustment", BaseDates{Round: PhaseAdjustment, ProvisionalAdmission: at(time.August, 16)}, "provisional_admission"},
		{"a round that is no round", BaseDates{Round: PhaseConfirmation}, "-"},
	} {
		_, err := CheckBaseDates(c.d, cal)
		switch e, _ := err.(*Error); {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field == "-" && (e == nil || e.Code != EINVALID):
			t.Errorf("%s: %v, want EINVALID", c.name, err)
		case c.field != "" && c.field != "-" && (e == nil || e.Fields[c.field] == ""):
			t.Errorf("%s: %v, want a message on %s", c.name, err, c.field)
		}
	}
}

func TestDatesRounds(t *testing.T) {
	for p, want := range map[Phase][]Phase{
		PhaseRegistration: {PhaseRound1},
		PhaseRound1:       {PhaseRound1},
		PhaseRound2:       {PhaseRound2},
		PhaseAdjustment:   {PhaseAdjustment},
		PhaseConfirmation: {PhaseAdjustment, PhaseRound2, PhaseRound1},
		PhaseClosed:       {PhaseAdjustment, PhaseRound2, PhaseRound1},
	} {
		if got := DatesRounds(p); !slices.Equal(got, want) {
			t.Errorf("DatesRounds(%s) = %v, want %v", p, got, want)
		}
	}
}
