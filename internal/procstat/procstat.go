// Package procstat reads a process's CPU time from /proc, for the load tools
// (bench/surge, bench/season) to measure the server they drive.
package procstat

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of the CPU times in /proc/PID/stat (USER_HZ, 100
// on Linux).
const clockTick = 10 * time.Millisecond

// CPUTime returns the user and system CPU time process pid has used so far,
// from /proc/PID/stat; 0 and an error when pid is 0 or unreadable.
func CPUTime(pid int) (time.Duration, error) {
	if pid == 0 {
		return 0, fmt.Errorf("no process id")
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStat(string(raw))
}

// parseStat reads utime and stime (fields 14 and 15) of a /proc/PID/stat
// line; the command name (field 2) is in parentheses and may hold spaces.
func parseStat(line string) (time.Duration, error) {
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed stat line")
	}
	f := strings.Fields(line[i+1:]) // from field 3 on
	if len(f) < 13 {
		return 0, fmt.Errorf("malformed stat line")
	}
	var total time.Duration
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("malformed stat line: %w", err)
		}
		total += time.Duration(n) * clockTick
	}
	return total, nil
}
