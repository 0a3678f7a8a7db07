package main

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// reexecQuietSysmon replaces the process with itself under the quiet
// monitor when wantQuietSysmon says so. It returns only when it does not
// (or cannot: the run then goes on with the runtime's default).
func reexecQuietSysmon() {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return
	}
	uptimeDays := float64(ts.Nano()) / float64(24*3600*1e9)
	if !wantQuietSysmon(os.Args[1:], os.Getenv("GODEBUG"), uptimeDays) {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	_ = syscall.Exec(exe, os.Args, withQuietSysmon(os.Environ()))
}
