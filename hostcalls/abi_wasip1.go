//go:build wasip1

package hostcalls

import (
	"time"
	"unsafe"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// proxyGetHeaderMapPairs is the proxy-wasm ABI's header map read, declared here rather
// than used through the SDK so the serialised map can be read in place (see Headers).
// The host places the map in memory it obtains from the SDK's proxy_on_memory_allocate
// export, as for every SDK read, and writes its address and size to retData and
// retSize.
//
//go:wasmimport env proxy_get_header_map_pairs
//go:noescape
func proxyGetHeaderMapPairs(mapType uint32, retData unsafe.Pointer, retSize unsafe.Pointer) uint32

// retData and retSize receive the results of the reads that call back into the VM to
// allocate. They are package variables, never on a goroutine stack: Go code runs
// during the call (the allocation), and a stack may move while Go code runs, but the
// host keeps the address it was given. The SDK's own reads put them on the heap, one
// allocation each per read. One VM serves one thread, and each read takes the results
// out before the next.
var (
	retData *byte
	retSize int32
)

// takeResult returns the last read's result and forgets it (the buffer belongs to the
// caller).
func takeResult() []byte {
	p, n := retData, retSize
	retData, retSize = nil, 0
	if p == nil || n < 0 {
		return nil
	}
	return unsafe.Slice(p, n)
}

// Map types of the proxy-wasm ABI.
const (
	mapRequestHeaders  = 0
	mapResponseHeaders = 2
)

func headerMap(mapType uint32) (Headers, error) {
	st := proxyGetHeaderMapPairs(mapType, unsafe.Pointer(&retData), unsafe.Pointer(&retSize))
	b := takeResult()
	switch {
	case st != 0:
		return Headers{}, statusError(st)
	case len(b) < 4:
		return Headers{}, types.ErrorStatusNotFound
	}
	return Headers{raw: b}, nil
}

// statusError is the SDK's error for a proxy-wasm status.
func statusError(st uint32) error {
	switch st {
	case 1:
		return types.ErrorStatusNotFound
	case 2:
		return types.ErrorStatusBadArgument
	case 7:
		return types.ErrorStatusEmpty
	case 8:
		return types.ErrorStatusCasMismatch
	case 10:
		return types.ErrorInternalFailure
	case 12:
		return types.ErrorUnimplemented
	}
	return types.ErrorInternalFailure
}

// proxyGetBufferBytes is the ABI's buffer read, declared here for the same reason as
// proxyGetHeaderMapPairs (results in retData and retSize).
//
//go:wasmimport env proxy_get_buffer_bytes
//go:noescape
func proxyGetBufferBytes(bufferType uint32, start, maxSize int32, retData unsafe.Pointer, retSize unsafe.Pointer) uint32

// Buffer types of the proxy-wasm ABI.
const (
	bufRequestBody  = 0
	bufResponseBody = 1
)

// buffer reads at most size bytes of a body buffer (a copy in the VM's memory).
func buffer(bufType uint32, size int) ([]byte, error) {
	st := proxyGetBufferBytes(bufType, 0, int32(min(size, 1<<31-1)), unsafe.Pointer(&retData), unsafe.Pointer(&retSize))
	b := takeResult()
	switch {
	case st != 0:
		return nil, statusError(st)
	case b == nil:
		return nil, types.ErrorStatusNotFound
	}
	return b, nil
}

// clockTimeGet is WASI's clock_time_get, which time.Now calls twice (the wall clock and
// the monotonic one).
//
//go:wasmimport wasi_snapshot_preview1 clock_time_get
//go:noescape
func clockTimeGet(id uint32, precision uint64, t unsafe.Pointer) uint32

// WallClock reads the wall clock alone: one host call where time.Now makes two. The
// time has no monotonic reading, so durations between two of them are wall-clock
// differences (what a per-request log line and histogram need).
func WallClock() time.Time {
	var ns int64
	if clockTimeGet(0, 1, unsafe.Pointer(&ns)) != 0 { // 0: CLOCK_REALTIME
		return time.Now()
	}
	return time.Unix(0, ns)
}

// The ABI's metric calls, declared here rather than used through the SDK, which turns
// a failed call into a panic (a stat must never take a request down: failures are
// dropped without a deferred recovery per sample).
//
//go:wasmimport env proxy_define_metric
//go:noescape
func proxyDefineMetric(metricType uint32, name unsafe.Pointer, nameSize int32, retID unsafe.Pointer) uint32

//go:wasmimport env proxy_increment_metric
func proxyIncrementMetric(id uint32, offset int64) uint32

//go:wasmimport env proxy_record_metric
func proxyRecordMetric(id uint32, value uint64) uint32

// defineMetric defines a stat of the ABI's metric type; false when the host refused.
func defineMetric(kind uint32, name string) (uint32, bool) {
	var id uint32
	return id, proxyDefineMetric(kind, unsafe.Pointer(unsafe.StringData(name)), int32(len(name)), unsafe.Pointer(&id)) == 0
}

func incrementMetric(id uint32, n uint64) { proxyIncrementMetric(id, int64(n)) }

func recordMetric(id uint32, v uint64) { proxyRecordMetric(id, v) }

// The ABI's header writes, declared here rather than used through the SDK: two calls
// fewer per header in the guest.
//
//go:wasmimport env proxy_replace_header_map_value
//go:noescape
func proxyReplaceHeaderMapValue(mapType uint32, key unsafe.Pointer, keySize int32, value unsafe.Pointer, valueSize int32) uint32

//go:wasmimport env proxy_remove_header_map_value
//go:noescape
func proxyRemoveHeaderMapValue(mapType uint32, key unsafe.Pointer, keySize int32) uint32

// replaceHeader replaces (or adds) a header of a map.
func replaceHeader(mapType uint32, name, value string) error {
	st := proxyReplaceHeaderMapValue(mapType, unsafe.Pointer(unsafe.StringData(name)), int32(len(name)),
		unsafe.Pointer(unsafe.StringData(value)), int32(len(value)))
	if st != 0 {
		return statusError(st)
	}
	return nil
}

// removeHeader deletes a header of a map.
func removeHeader(mapType uint32, name string) error {
	if st := proxyRemoveHeaderMapValue(mapType, unsafe.Pointer(unsafe.StringData(name)), int32(len(name))); st != 0 {
		return statusError(st)
	}
	return nil
}
