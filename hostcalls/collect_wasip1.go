//go:build wasip1

package hostcalls

import (
	"os"
	"runtime/debug"
	"sync"
	"unsafe"
)

// gcPercent is the collector's target (GOGC) in the VM unless its environment sets GOGC.
// In a wasm VM a cycle's mark phase only advances through allocation assists (the mark
// workers run only while a call into the VM blocks, see CanCollect), so one cycle
// stretches over many requests that all run with write barriers and assists on:
// collecting less often is the largest saving per request. The plugin's start already
// grows the linear memory to most of what this heap goal needs (docs/benchmarks.md).
const gcPercent = 400

func init() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// pollOneoff is WASI's poll_oneoff, which the Go runtime calls whenever a call into the
// VM parks its goroutine while a timer is pending.
//
//go:wasmimport wasi_snapshot_preview1 poll_oneoff
//go:noescape
func pollOneoff(in, out unsafe.Pointer, nsubscriptions uint32, nevents unsafe.Pointer) uint32

// CanCollect reports whether runtime.GC may run inside a call into the VM. A forced
// collection parks the calling goroutine, the runtime's background scavenger then sleeps
// on a timer, and from that moment every stop of the world polls with poll_oneoff.
// Envoy 1.36-1.38 answer poll_oneoff with ENOSYS, which the runtime treats as fatal;
// Envoy 1.39 and later implement it. The host is probed once with a zero clock timeout.
var CanCollect = sync.OnceValue(func() bool {
	// One clock subscription (WASI preview 1 layout): userdata, tag 0 (clock), clock
	// id 1 (monotonic), timeout 0, precision 0, flags 0.
	sub := [6]uint64{0, 0, 1, 0, 0, 0}
	var ev [4]uint64 // one event: userdata, errno and type, two words of fd fields
	var n uint32
	return pollOneoff(unsafe.Pointer(&sub), unsafe.Pointer(&ev), 1, unsafe.Pointer(&n)) == 0
})
