//go:build linux

package testbroker

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// sysProcAttr puts rabbitmq-server in a process group of its own, so that one
// signal reaches the script, the Erlang VM and its helpers. Pdeathsig sends
// the script SIGTERM if the test binary dies without cleaning up (a -timeout
// panic, say); the script then stops the broker, which would otherwise run on
// forever with its ports bound.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// findVM returns the pid of the Erlang VM (beam.smp) in the process group
// pgid: the process to stop for a frozen broker, leaving the script and
// the helpers around it alone.
func findVM(pgid int) (int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces, so split
		// after its closing parenthesis.
		s := string(data)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 3 || fields[2] != strconv.Itoa(pgid) {
			continue
		}
		if strings.HasPrefix(s[open+1:end], "beam") {
			return pid, nil
		}
	}
	return 0, fmt.Errorf("no Erlang VM (beam.smp) in process group %d", pgid)
}
