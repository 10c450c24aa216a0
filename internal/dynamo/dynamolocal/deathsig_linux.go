package dynamolocal

import "syscall"

// setParentDeathSignal has the kernel kill the process when the thread that started it exits.
// That covers the Go program being killed: the Go runtime only ends a thread when a goroutine
// locked to it exits, which the callers of Start do not do.
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
