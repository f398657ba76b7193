//go:build !wasip1

package hostcalls

import (
	"time"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
)

// Map types of the proxy-wasm ABI.
const (
	mapRequestHeaders  = 0
	mapResponseHeaders = 2
)

// headerMap reads a header map through the SDK (its emulator outside the VM).
func headerMap(mapType uint32) (Headers, error) {
	var hs [][2]string
	var err error
	if mapType == mapRequestHeaders {
		hs, err = proxywasm.GetHttpRequestHeaders()
	} else {
		hs, err = proxywasm.GetHttpResponseHeaders()
	}
	return Headers{pairs: hs}, err
}

// Buffer types of the proxy-wasm ABI.
const (
	bufRequestBody  = 0
	bufResponseBody = 1
)

// buffer reads at most size bytes of a body buffer through the SDK.
func buffer(bufType uint32, size int) ([]byte, error) {
	if bufType == bufRequestBody {
		return proxywasm.GetHttpRequestBody(0, size)
	}
	return proxywasm.GetHttpResponseBody(0, size)
}

// WallClock reads the wall clock (outside the VM: time.Now without its monotonic
// reading, like the VM's).
func WallClock() time.Time { return time.Now().Round(0) }

// defineMetric defines a stat through the SDK (its emulator outside the VM); false
// when the host refused.
func defineMetric(kind uint32, name string) (id uint32, ok bool) {
	defer func() {
		if recover() != nil {
			id, ok = 0, false
		}
	}()
	if kind == metricHistogram {
		return uint32(proxywasm.DefineHistogramMetric(name)), true
	}
	return uint32(proxywasm.DefineCounterMetric(name)), true
}

func incrementMetric(id uint32, n uint64) {
	defer func() { _ = recover() }()
	proxywasm.MetricCounter(id).Increment(n)
}

func recordMetric(id uint32, v uint64) {
	defer func() { _ = recover() }()
	proxywasm.MetricHistogram(id).Record(v)
}

// replaceHeader replaces (or adds) a header of a map through the SDK.
func replaceHeader(mapType uint32, name, value string) error {
	if mapType == mapRequestHeaders {
		return proxywasm.ReplaceHttpRequestHeader(name, value)
	}
	return proxywasm.ReplaceHttpResponseHeader(name, value)
}

// removeHeader deletes a header of a map through the SDK.
func removeHeader(mapType uint32, name string) error {
	if mapType == mapRequestHeaders {
		return proxywasm.RemoveHttpRequestHeader(name)
	}
	return proxywasm.RemoveHttpResponseHeader(name)
}
