//go:build unix

package testbroker

import "syscall"

const terminateSignal = syscall.SIGTERM

// killGroup kills a process group started with sysProcAttr. Errors (the group
// is already gone) do not matter.
func killGroup(pgid int) {
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// signalStop and signalCont stop and resume one process, as a debugger or
// a paused VM would: its sockets stay open and nothing answers on them.
func signalStop(pid int) error { return syscall.Kill(pid, syscall.SIGSTOP) }

func signalCont(pid int) error { return syscall.Kill(pid, syscall.SIGCONT) }
