// Package testcal makes year calendars for tests that need a given phase.
package testcal

import (
	"time"

	"zhupei/recruit"
)

// phases in calendar order.
var phases = []recruit.Phase{recruit.PhaseBefore, recruit.PhaseRegistration, recruit.PhaseRound1, recruit.PhaseRound2,
	recruit.PhaseAdjustment, recruit.PhaseConfirmation, recruit.PhaseClosed}

// In returns a calendar whose phase at now is phase: the phase began 12
// hours before now and each later one begins a day after the one before.
func In(now time.Time, phase recruit.Phase) recruit.Calendar {
	k := 0
	for i, p := range phases {
		if p == phase {
			k = i
		}
	}
	start := func(i int) time.Time { return now.Add(time.Duration(i-k+1)*24*time.Hour - 12*time.Hour) }
	return recruit.Calendar{Registration: start(0), Round1: start(1), Round2: start(2), Adjustment: start(3),
		Confirmation: start(4), Closed: start(5)}
}
