// Command plugin is the egress guard's proxy-wasm filter. Build it as a WASI reactor:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o build/egressguard.wasm ./plugin
//
// The phases here only gather inputs from the host, ask the pure-Go policy for a
// decision and apply it.
package main

import (
	"github.com/egressguard/egressguard/hostcalls"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

func main() {}

func init() { hostcalls.SetVMContext(&vmContext{}) }

// vmContext creates one pluginContext per configured plugin instance.
type vmContext struct{ types.DefaultVMContext }

// NewPluginContext implements types.VMContext.
func (*vmContext) NewPluginContext(uint32) types.PluginContext { return &pluginContext{} }
