package main

import "strings"

// quietSysmonGODEBUG keeps the Go runtime's system monitor (sysmon) out of
// its deep sleep. sysmon sleeps deeply whenever no goroutine is running and
// the next system call wakes it again; a load generator at a fixed rate goes
// idle and wakes thousands of times a second, so each wake cost a futex
// wake-up and a 20 µs nap of sysmon's thread besides warren's own work.
// Measured with `warren bench` (case d, 1,000 msg/s, one thread): 250 µs of
// CPU per message with the runtime's default, 145 µs without the deep
// sleep, and the confirm latency's median fell from 290 to 150 µs because
// each write no longer waits behind the futex call. The runtime's only
// switch for it is a schedule trace (sysmon never sleeps deeply while one
// is on), read once at start; at this period, the longest there is (24.8
// days of monotonic time, the clock since boot), the trace prints nothing.
const quietSysmonGODEBUG = "schedtrace=2147483647"

// quietSysmonUptimeDays is the longest time since boot at which the trace
// is safe to turn on: it would print once the monotonic clock passes 24.8
// days, and a week is left for the run itself.
const quietSysmonUptimeDays = 17

// isLoadCommand tells the subcommands that drive traffic, whose CPU per
// message the quiet monitor lowers.
func isLoadCommand(name string) bool {
	switch name {
	case "run", "sweep", "capacity", "bench", "verify-durability":
		return true
	}
	return false
}

// wantQuietSysmon tells whether a command line should be re-executed with
// the quiet monitor: a load command, GODEBUG not already naming schedtrace
// (GODEBUG=schedtrace=0 keeps the runtime's default), and a machine up for
// less than quietSysmonUptimeDays.
func wantQuietSysmon(args []string, godebug string, uptimeDays float64) bool {
	if len(args) == 0 || !isLoadCommand(args[0]) {
		return false
	}
	if strings.Contains(godebug, "schedtrace=") {
		return false
	}
	return uptimeDays >= 0 && uptimeDays < quietSysmonUptimeDays
}

// withQuietSysmon returns environ with the quiet monitor added to GODEBUG.
func withQuietSysmon(environ []string) []string {
	out := make([]string, 0, len(environ)+1)
	found := false
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok {
			found = true
			if v != "" {
				kv = "GODEBUG=" + v + "," + quietSysmonGODEBUG
			} else {
				kv = "GODEBUG=" + quietSysmonGODEBUG
			}
		}
		out = append(out, kv)
	}
	if !found {
		out = append(out, "GODEBUG="+quietSysmonGODEBUG)
	}
	return out
}

// quietSysmonOn tells whether this process runs with the quiet monitor.
func quietSysmonOn(godebug string) bool {
	return strings.Contains(godebug, quietSysmonGODEBUG)
}
