package main

import (
	"runtime"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/policy"
	"github.com/egressguard/egressguard/internal/posture"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// pluginContext holds the compiled policy shared by all requests of one plugin instance.
type pluginContext struct {
	types.DefaultPluginContext
	policy *policy.Policy
	creds  *credentialSet
	mod    *moderator // nil: moderation off
	limit  *limiter   // nil: no rate limits
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
func (p *pluginContext) OnPluginStart(int) types.OnPluginStartStatus {
	runtime.GC()
	defer runtime.GC()
	hostcalls.ResetMetrics()
	raw, err := hostcalls.PluginConfiguration()
	if err != nil {
		hostcalls.LogCritical("egressguard: cannot read plugin configuration: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	cfg, err := config.Parse(raw)
	if err != nil {
		hostcalls.LogCritical("egressguard: invalid configuration, plugin not started: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	if p.policy, err = policy.New(cfg); err != nil {
		hostcalls.LogCritical("egressguard: invalid configuration, plugin not started: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	if p.creds, err = newCredentialSet(cfg, credentials.OSEnv{}, hostcalls.SharedData{}); err != nil {
		hostcalls.LogCritical("egressguard: invalid configuration, plugin not started: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	var modWarn []string
	if p.mod, modWarn, err = newModerator(cfg, credentials.OSEnv{}, hostcalls.SharedData{}); err != nil {
		hostcalls.LogCritical("egressguard: invalid configuration, plugin not started: moderation: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	for _, w := range append(p.creds.startupWarn, modWarn...) {
		hostcalls.LogWarn("egressguard: " + w)
	}
	p.limit = newLimiter(cfg, hostcalls.SharedData{})
	hostcalls.LogInfo("egressguard: started; " + posture.Report(cfg).String())
	return types.OnPluginStartStatusOK
}

// NewHttpContext implements types.PluginContext.
func (p *pluginContext) NewHttpContext(uint32) types.HttpContext {
	return &httpContext{policy: p.policy, creds: p.creds, mod: p.mod, limiter: p.limit}
}
