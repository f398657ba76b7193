// Command plugin is the egress guard's proxy-wasm filter. Build it as a WASI reactor:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o build/egressguard.wasm ./plugin
//
// The phases here only gather inputs from the host, ask the pure-Go policy for a
// decision and apply it.
package main

import (
	"os"
	"runtime/debug"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

func main() {}

// gcPercent is the collector's target (GOGC) unless the VM's environment sets GOGC. In a
// wasm VM a cycle's mark phase only advances through allocation assists (the mark
// workers run only while a call into the VM blocks), so one cycle stretches over many
// requests that all run with write barriers and assists on: collecting less often is
// the largest saving per request. The start-up already grows the linear memory to about
// the size this heap goal needs (docs/benchmarks.md has the figures).
const gcPercent = 400

func init() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	hostcalls.SetVMContext(&vmContext{})
}

// vmContext creates one pluginContext per configured plugin instance.
type vmContext struct{ types.DefaultVMContext }

// NewPluginContext implements types.VMContext.
func (*vmContext) NewPluginContext(uint32) types.PluginContext { return &pluginContext{} }
