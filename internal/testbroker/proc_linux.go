//go:build linux

package testbroker

import "syscall"

// sysProcAttr puts rabbitmq-server in a process group of its own, so that one
// signal reaches the script, the Erlang VM and its helpers. Pdeathsig sends
// the script SIGTERM if the test binary dies without cleaning up (a -timeout
// panic, say); the script then stops the broker, which would otherwise run on
// forever with its ports bound.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
