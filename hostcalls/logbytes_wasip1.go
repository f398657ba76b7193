//go:build wasip1

package hostcalls

import (
	"unsafe"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
)

// LogInfoBytes logs msg at info level without copying it into a string first: the host
// copies the bytes out of the VM during the call, so msg may be reused afterwards.
func LogInfoBytes(msg []byte) {
	if len(msg) > 0 {
		proxywasm.LogInfo(unsafe.String(&msg[0], len(msg)))
	}
}
