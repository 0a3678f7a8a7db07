//go:build unix && !linux

package testbroker

import (
	"errors"
	"syscall"
)

// sysProcAttr puts rabbitmq-server in a process group of its own, so that one
// signal reaches the script, the Erlang VM and its helpers.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// findVM is only implemented on Linux, where /proc tells a process's
// group; Freeze fails elsewhere.
func findVM(pgid int) (int, error) {
	return 0, errors.New("testbroker: freezing a node needs Linux")
}
