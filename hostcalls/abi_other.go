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
