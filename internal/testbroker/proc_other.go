//go:build !unix

package testbroker

import (
	"errors"
	"os"
	"syscall"
)

// Private nodes rely on the Unix scripts of rabbitmq-server and on process
// groups; elsewhere findInstall fails to find an installation first, and these
// keep the package compiling.

var terminateSignal = os.Kill

func sysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}

func findVM(pgid int) (int, error) {
	return 0, errors.New("testbroker: freezing a node needs Linux")
}

func signalStop(pid int) error { return errors.New("testbroker: freezing a node needs Linux") }

func signalCont(pid int) error { return errors.New("testbroker: freezing a node needs Linux") }
