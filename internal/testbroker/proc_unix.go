//go:build unix

package testbroker

import "syscall"

const terminateSignal = syscall.SIGTERM

// killGroup kills a process group started with sysProcAttr. Errors (the group
// is already gone) do not matter.
func killGroup(pgid int) {
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}
