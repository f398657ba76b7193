package main

import (
	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/flow"
	"github.com/egressguard/egressguard/internal/moderation"
	"github.com/egressguard/egressguard/internal/policy"
	"github.com/egressguard/egressguard/internal/posture"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// pluginContext holds the compiled configuration shared by all requests of one plugin instance.
type pluginContext struct {
	types.DefaultPluginContext
	flow   *flow.Planner
	mod    *moderator   // nil: moderation off
	limits *flow.Limits // nil: no rate limits
}

// OnPluginStart parses and validates the configuration once. An invalid configuration
// stops the plugin with one log line naming every bad field.
func (p *pluginContext) OnPluginStart(int) (st types.OnPluginStartStatus) {
	defer func() {
		if r := recover(); r != nil {
			hostcalls.LogCritical("egressguard: plugin start failed: " + panicText(r))
			st = types.OnPluginStartStatusFailed
		}
	}()
	hostcalls.ResetMetrics()
	raw, err := hostcalls.PluginConfiguration()
	if err != nil {
		hostcalls.LogCritical("egressguard: cannot read plugin configuration: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	cfg, err := config.Parse(raw)
	var pol *policy.Policy
	if err == nil {
		pol, err = policy.New(cfg)
	}
	var modWarn []string
	if err == nil {
		p.mod, modWarn, err = newModerator(cfg, credentials.OSEnv{}, hostcalls.SharedData{})
	}
	if err == nil {
		inspect := pol.ResponseRedactor() != nil || p.mod.on(moderation.Output) || cfg.RateLimits.Active(cfg.Clients.Tenants)
		p.flow, err = flow.New(cfg, pol, credentials.OSEnv{}, hostcalls.SharedData{}, inspect)
	}
	if err != nil {
		hostcalls.LogCritical("egressguard: invalid configuration, plugin not started: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	var limWarn string
	p.limits, limWarn = flow.NewLimits(cfg, hostcalls.SharedData{})
	for _, w := range append(append(p.flow.Warnings, modWarn...), limWarn) {
		if w != "" {
			hostcalls.LogWarn("egressguard: " + w)
		}
	}
	hostcalls.LogInfo("egressguard: started; flow=" + p.flow.Mode.String() + "; " + posture.Report(cfg).String())
	return types.OnPluginStartStatusOK
}

// NewHttpContext implements types.PluginContext.
func (p *pluginContext) NewHttpContext(uint32) types.HttpContext { return &httpContext{p: p} }
