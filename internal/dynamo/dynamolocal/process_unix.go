//go:build unix

package dynamolocal

import (
	"errors"
	"os"
	"syscall"
)

// processAttributes puts DynamoDB Local in a process group of its own, so that it can be killed
// with everything it starts, and, where the system supports it, has it killed when its parent
// dies.
func processAttributes() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	setParentDeathSignal(attr)
	return attr
}

// killGroup kills the process group led by p.
func killGroup(p *os.Process) error {
	err := syscall.Kill(-p.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}
