package main

import (
	"runtime"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/flow"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// pluginContext holds the compiled configuration shared by all requests of one plugin instance.
type pluginContext struct {
	types.DefaultPluginContext
	flow *flow.Planner
	mod  *flow.Moderation // nil: moderation off
}

// OnPluginStart parses and validates the configuration once. An invalid configuration
// stops the plugin with one log line naming every bad field.
//
// Envoy restarts the plugin inside the same VM on every configuration-only update, and
// the Go heap of a wasm VM never gives memory back: whatever a start holds at its peak
// stays for the life of the VM. Inside a VM the collector's mark workers only run when a
// call into the VM blocks, so a cycle begun during an earlier call can stay unfinished
// and keep everything the start allocates alive. Collecting before the start finishes
// such a cycle (later cycles then complete while the engines compile), and collecting
// after it leaves the start's garbage free for requests instead of growing the heap.
func (p *pluginContext) OnPluginStart(int) (st types.OnPluginStartStatus) {
	defer func() {
		if r := recover(); r != nil {
			hostcalls.LogCritical("egressguard: plugin start failed: " + flow.PanicText(r))
			st = types.OnPluginStartStatusFailed
		}
	}()
	runtime.GC()
	defer runtime.GC()
	hostcalls.ResetMetrics()
	raw, err := hostcalls.PluginConfiguration()
	if err != nil {
		hostcalls.LogCritical("egressguard: cannot read plugin configuration: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	pl, mod, warns, posture, err := flow.Compile(raw, credentials.OSEnv{}, hostcalls.SharedData{})
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
