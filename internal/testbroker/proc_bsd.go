//go:build unix && !linux

package testbroker

import "syscall"

// sysProcAttr puts rabbitmq-server in a process group of its own, so that one
// signal reaches the script, the Erlang VM and its helpers.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
