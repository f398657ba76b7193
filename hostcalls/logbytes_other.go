//go:build !wasip1

package hostcalls

import "github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"

// LogInfoBytes logs msg at info level. Outside WebAssembly the host is the SDK's
// emulator, which keeps the string: it gets a copy.
func LogInfoBytes(msg []byte) {
	if len(msg) > 0 {
		proxywasm.LogInfo(string(msg))
	}
}
