package main

import (
	"time"

	"github.com/egressguard/egressguard/internal/wasmbench"
)

// threadCPU returns the CPU time of the calling OS thread. The compiled guest and the
// host functions run on the calling goroutine's thread, locked to it (run), so this
// is the guest's own work, not time lost to other processes on a shared machine.
func threadCPU() time.Duration { return wasmbench.ThreadCPU() }
