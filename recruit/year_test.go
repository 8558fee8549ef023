package recruit

import (
	"testing"
	"time"
)

func TestRegistrationWindow(t *testing.T) {
	c := DefaultCalendar(2025)
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, Shanghai) }
	cases := []struct {
		at         time.Time
		start, end time.Time
		ok         bool
	}{
		{day(time.June, 20), c.Registration, c.Round1, true},
		{day(time.July, 5), c.Registration, c.Round1, true},
		{day(time.July, 20), c.Round2, c.Confirmation, true},
		{day(time.August, 12), c.Round2, c.Confirmation, true},
		{day(time.August, 20), time.Time{}, time.Time{}, false},
	}
	for _, tc := range cases {
		start, end, ok := c.RegistrationWindow(tc.at)
		if !start.Equal(tc.start) || !end.Equal(tc.end) || ok != tc.ok {
			t.Errorf("RegistrationWindow(%v) = %v, %v, %v; want %v, %v, %v", tc.at, start, end, ok, tc.start, tc.end, tc.ok)
		}
		for _, p := range []time.Time{start, end.Add(-time.Second)} {
			if ok && registrationOpen(c.PhaseAt(p)) != nil {
				t.Errorf("window of %v: registration is closed at %v", tc.at, p)
			}
		}
	}
}
