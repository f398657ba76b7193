//go:build wasip1

package hostcalls

import (
	"runtime"
	"sync"
	"unsafe"
)

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

// writeBarrier is the runtime's write barrier switch, on exactly while a collection
// marks. The runtime keeps its layout for packages that read it (go.dev/issue/67401).
//
//go:linkname writeBarrier runtime.writeBarrier
var writeBarrier struct {
	enabled bool
	pad     [3]byte
	alignme uint64
}

// FinishCollection yields to the Go scheduler while a collection is marking, so that its
// background mark worker runs. In a reactor the scheduler only runs between calls when
// a call yields: otherwise a mark phase, once started, stays open across requests and
// every pointer write of every request pays the write barrier and mark assists until
// allocation alone has finished it. Call it where the exchange's latency no longer
// matters (at stream end). Without a mark phase it costs one load.
func FinishCollection() {
	if writeBarrier.enabled && CanCollect() {
		runtime.Gosched()
	}
}
