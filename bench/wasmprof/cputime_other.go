//go:build !linux

package main

import "time"

var epoch = time.Now()

// threadCPU is wall time where the thread's CPU clock is not read.
func threadCPU() time.Duration { return time.Since(epoch) }
