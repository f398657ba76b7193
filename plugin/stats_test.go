package main

import (
	"strings"
	"testing"

	"github.com/egressguard/egressguard/hostcalls"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// hostcalls' stat cache finds a stat by the name's address first: a name with the same text
// built elsewhere, more names than the cache holds, and a reset must all still reach
// the right stat.
func TestCountAndRecordByName(t *testing.T) {
	host, reset := proxytest.NewHostEmulator(proxytest.NewEmulatorOption().WithVMContext(&types.DefaultVMContext{}))
	defer reset()
	hostcalls.ResetMetrics()
	names := make([]string, 12) // more than the cache's recent entries
	for i := range names {
		names[i] = "egressguard.test.n" + strings.Repeat("x", i)
	}
	for round := 1; round <= 3; round++ {
		for i, n := range names {
			hostcalls.Count(n, uint64(i+1))
			hostcalls.Count(strings.Clone(n), 1) // same text, another address
		}
	}
	for i, n := range names {
		if got, err := host.GetCounterMetric(n); err != nil || got != uint64(3*(i+2)) {
			t.Errorf("counter %s = %d, %v; want %d", n, got, err, 3*(i+2))
		}
	}
	hostcalls.Record("egressguard.test.h", 7)
	hostcalls.Record(strings.Clone("egressguard.test.h"), 9)
	if got, err := host.GetHistogramMetric("egressguard.test.h"); err != nil || got != 9 { // the emulator keeps the last sample
		t.Errorf("histogram = %d, %v; want 9", got, err)
	}
	hostcalls.ResetMetrics() // ids are defined again, not taken from the cache
	hostcalls.Count(names[0], 1)
	if got, _ := host.GetCounterMetric(names[0]); got != 7 {
		t.Errorf("counter after reset = %d, want 7", got)
	}
}
