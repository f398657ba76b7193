package main

import (
	"runtime"
	"runtime/debug"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/flow"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// requestGCPercent is the collector's target while requests run. A cycle's cost is
// mostly fixed (the module's roots and the compiled configuration), and what requests
// allocate is garbage by the end of the exchange, so a target above the default halves
// the cycles for little more memory: the heap stays within what the start already
// reserved (measured with bench/wasmprof at 16 KiB; 400 grew the VM's memory by a
// quarter).
const requestGCPercent = 200

// pluginContext holds the compiled configuration shared by all requests of one plugin instance.
type pluginContext struct {
	types.DefaultPluginContext
	flow *flow.Planner
	mod  *flow.Moderation // nil: moderation off
}

// OnPluginStart parses and validates the configuration once. An invalid configuration
// stops the plugin with one log line naming every bad field.
//
// Envoy restarts the plugin in the same VM on every configuration-only update, and a
// wasm VM's Go heap never shrinks. The collector's mark workers only run while a call
// into the VM blocks, so collecting before the start finishes a pending cycle, and
// collecting after it leaves the start's garbage free for requests instead of growing
// the heap (where the host lets a call block: see hostcalls.CanCollect).
func (p *pluginContext) OnPluginStart(int) (st types.OnPluginStartStatus) {
	defer func() {
		if r := recover(); r != nil {
			hostcalls.LogCritical("egressguard: plugin start failed: " + flow.PanicText(r))
			st = types.OnPluginStartStatusFailed
		}
	}()
	debug.SetGCPercent(100) // the start's garbage at the runtime's default target
	defer debug.SetGCPercent(requestGCPercent)
	if hostcalls.CanCollect() {
		runtime.GC()
		defer runtime.GC()
	}
	hostcalls.ResetMetrics()
	raw, err := hostcalls.PluginConfiguration()
	if err != nil {
		hostcalls.LogCritical("egressguard: cannot read plugin configuration: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	pl, mod, warns, posture, err := flow.Compile(raw, nil, hostcalls.SharedData{})
	if err != nil {
		hostcalls.LogCritical("egressguard: invalid configuration, plugin not started: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	p.flow, p.mod = pl, mod
	for _, w := range warns {
		hostcalls.LogWarn("egressguard: " + w)
	}
	hostcalls.LogInfo("egressguard: started; " + posture)
	return types.OnPluginStartStatusOK
}

// NewHttpContext implements types.PluginContext.
func (p *pluginContext) NewHttpContext(uint32) types.HttpContext { return &httpContext{p: p} }
