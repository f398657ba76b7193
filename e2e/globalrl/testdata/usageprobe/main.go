// Command usageprobe is a minimal proxy-wasm filter used only by the globalrl e2e test to
// prove the stream-completion charging path before the egressguard plugin sets it: at the
// end of the response it copies the request header x-probe-usage (a token count chosen by
// the test) into the filter state property named by the plugin configuration (default
// "egressguard_usage_tokens"), which Envoy stores as filter state "wasm.<name>". The
// ratelimit filter's apply_on_stream_done descriptor reads it with
// %FILTER_STATE(wasm.<name>:PLAIN)%.
//
// It lives under testdata so `go build ./...` skips it; the test builds it with
// GOOS=wasip1 GOARCH=wasm -buildmode=c-shared.
package main

import (
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

func main() {}

func init() { proxywasm.SetVMContext(&vm{}) }

type vm struct{ types.DefaultVMContext }

func (*vm) NewPluginContext(uint32) types.PluginContext {
	return &plugin{property: "egressguard_usage_tokens"}
}

type plugin struct {
	types.DefaultPluginContext
	property string
}

func (p *plugin) OnPluginStart(int) types.OnPluginStartStatus {
	if b, err := proxywasm.GetPluginConfiguration(); err == nil && len(b) > 0 {
		p.property = string(b)
	}
	return types.OnPluginStartStatusOK
}

func (p *plugin) NewHttpContext(uint32) types.HttpContext { return &stream{property: p.property} }

type stream struct {
	types.DefaultHttpContext
	property string
	usage    string
}

func (s *stream) OnHttpRequestHeaders(int, bool) types.Action {
	s.usage, _ = proxywasm.GetHttpRequestHeader("x-probe-usage")
	for _, h := range [][2]string{{"x-probe-tenant", "egressguard_tenant"}, {"x-probe-cost", "egressguard_token_cost"}} {
		if v, err := proxywasm.GetHttpRequestHeader(h[0]); err == nil && v != "" {
			if err := proxywasm.SetProperty([]string{h[1]}, []byte(v)); err != nil {
				proxywasm.LogWarnf("usageprobe: set_property %s: %v", h[1], err)
			}
		}
		proxywasm.RemoveHttpRequestHeader(h[0])
	}
	proxywasm.RemoveHttpRequestHeader("x-probe-usage")
	return types.ActionContinue
}

// OnHttpResponseHeaders forgets the usage unless the upstream answered 200: a local reply
// (e.g. the ratelimit filter's 429) consumed no tokens, and the real plugin only reports
// usage it read from a provider response.
func (s *stream) OnHttpResponseHeaders(int, bool) types.Action {
	if st, _ := proxywasm.GetHttpResponseHeader(":status"); st != "200" {
		s.usage = ""
	}
	return types.ActionContinue
}

func (s *stream) OnHttpResponseBody(_ int, end bool) types.Action {
	if end && s.usage != "" {
		if err := proxywasm.SetProperty([]string{s.property}, []byte(s.usage)); err != nil {
			proxywasm.LogWarnf("usageprobe: set_property %s: %v", s.property, err)
		}
	}
	return types.ActionContinue
}
