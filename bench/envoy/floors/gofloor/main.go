// Command gofloor is the benchmark's lower bound for a Go proxy-wasm filter: the same SDK
// and build as the guard (GOOS=wasip1 GOARCH=wasm -buildmode=c-shared), doing only the
// work no body-inspecting filter can avoid. The plugin configuration picks the mode:
//
//	{"mode":"empty"}                        no filter code per request (SDK defaults only)
//	{"mode":"body","cap":1024}              buffer the request body to its end, clamp a
//	                                        top-level max_tokens above cap, replace the body
//	{"mode":"body+response","cap":1024}     also copy every response body back: buffered
//	                                        to its end for JSON, chunk by chunk for SSE
//	{"mode":"guard-calls","cap":1024}       body+response's buffering, and on every exchange
//	                                        the host calls the guard makes on a clean JSON
//	                                        exchange (bench/wasmprof: 19), with no logic:
//	                                        the floor of any Go filter that makes them
//	{"mode":"calls","headers":20,"clocks":20,"logs":0}
//	                                        on the request headers, that many header reads,
//	                                        clock reads (time.Now) and 300-byte info log
//	                                        lines: the price of one host call
//
// It imports the SDK directly (not through the guard's hostcalls package) on purpose: it
// measures the SDK, not the product.
package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tidwall/gjson"
)

func main() {}

func init() {
	proxywasm.SetPluginContext(func(uint32) types.PluginContext { return &plugin{} })
}

type plugin struct {
	types.DefaultPluginContext
	mode     string
	tokenCap int64
	calls    [3]int64 // "calls" mode: header reads, clock reads, log lines per request
	counters [3]proxywasm.MetricCounter
	latency  proxywasm.MetricHistogram
}

// OnPluginStart reads the mode once; a bad configuration fails the plugin start.
func (p *plugin) OnPluginStart(int) types.OnPluginStartStatus {
	cfg, err := proxywasm.GetPluginConfiguration()
	if err != nil {
		proxywasm.LogCritical("gofloor: no configuration: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	p.mode = gjson.GetBytes(cfg, "mode").String()
	p.tokenCap = gjson.GetBytes(cfg, "cap").Int()
	p.calls = [3]int64{gjson.GetBytes(cfg, "headers").Int(), gjson.GetBytes(cfg, "clocks").Int(), gjson.GetBytes(cfg, "logs").Int()}
	switch {
	case p.mode == "empty", p.mode == "calls":
	case (p.mode == "body" || p.mode == "body+response") && p.tokenCap > 0:
	case p.mode == "guard-calls" && p.tokenCap > 0:
		p.counters = [3]proxywasm.MetricCounter{proxywasm.DefineCounterMetric("gofloor_requests_total"),
			proxywasm.DefineCounterMetric("gofloor_allowed_total"), proxywasm.DefineCounterMetric("gofloor_bytes_total")}
		p.latency = proxywasm.DefineHistogramMetric("gofloor_latency_ms")
	default:
		proxywasm.LogCritical("gofloor: want {\"mode\":\"empty\"|\"body\"|\"body+response\",\"cap\":N>0}, got " + string(cfg))
		return types.OnPluginStartStatusFailed
	}
	return types.OnPluginStartStatusOK
}

// NewHttpContext returns the SDK's no-op context in "empty" mode, so no code of this
// filter runs per request: what remains is the SDK's dispatch of every callback.
func (p *plugin) NewHttpContext(uint32) types.HttpContext {
	if p.mode == "empty" {
		return &types.DefaultHttpContext{}
	}
	if p.mode == "calls" {
		return &caller{n: p.calls}
	}
	if p.mode == "guard-calls" {
		return &guardCalls{exchange: exchange{tokenCap: p.tokenCap}, counters: p.counters, latency: p.latency}
	}
	return &exchange{tokenCap: p.tokenCap, response: p.mode == "body+response"}
}

type exchange struct {
	types.DefaultHttpContext
	tokenCap int64
	response bool
	stream   bool // the response is SSE: copied chunk by chunk instead of buffered
}

// OnHttpRequestHeaders holds the headers until the body has been seen, as a filter that
// decides on the body must.
func (x *exchange) OnHttpRequestHeaders(_ int, endOfStream bool) types.Action {
	if endOfStream {
		return types.ActionContinue
	}
	return types.ActionPause
}

// OnHttpRequestBody buffers to the end, then clamps max_tokens by splicing its bytes.
func (x *exchange) OnHttpRequestBody(size int, endOfStream bool) types.Action {
	if !endOfStream {
		return types.ActionPause
	}
	out := clampedBody(size, x.tokenCap)
	if out == nil {
		return types.ActionContinue
	}
	if err := proxywasm.ReplaceHttpRequestBody(out); err != nil {
		proxywasm.LogError("gofloor: " + err.Error())
		return types.ActionContinue
	}
	if err := proxywasm.ReplaceHttpRequestHeader("content-length", strconv.Itoa(len(out))); err != nil {
		proxywasm.LogError("gofloor: " + err.Error())
	}
	return types.ActionContinue
}

// clampedBody reads the buffered request body and returns it with a top-level
// max_tokens above tokenCap spliced down to it, or nil when it needs no change (or
// could not be read).
func clampedBody(size int, tokenCap int64) []byte {
	body, err := proxywasm.GetHttpRequestBody(0, size)
	if err != nil {
		proxywasm.LogError("gofloor: " + err.Error())
		return nil
	}
	mt := gjson.GetBytes(body, "max_tokens")
	if mt.Type != gjson.Number || mt.Int() <= tokenCap || mt.Index <= 0 {
		return nil
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:mt.Index]...)
	out = strconv.AppendInt(out, tokenCap, 10)
	return append(out, body[mt.Index+len(mt.Raw):]...)
}

// OnHttpResponseHeaders drops content-length (a filter that may change the body must)
// and notes whether the body is an event stream.
func (x *exchange) OnHttpResponseHeaders(int, bool) types.Action {
	if !x.response {
		return types.ActionContinue
	}
	ct, _ := proxywasm.GetHttpResponseHeader("content-type")
	x.stream = len(ct) >= 17 && ct[:17] == "text/event-stream"
	_ = proxywasm.RemoveHttpResponseHeader("content-length")
	return types.ActionContinue
}

// OnHttpResponseBody copies the body into the VM and back: JSON once at its end, SSE
// chunk by chunk.
func (x *exchange) OnHttpResponseBody(size int, endOfStream bool) types.Action {
	if !x.response || size == 0 {
		return types.ActionContinue
	}
	if !x.stream && !endOfStream {
		return types.ActionPause
	}
	body, err := proxywasm.GetHttpResponseBody(0, size)
	if err == nil {
		err = proxywasm.ReplaceHttpResponseBody(body)
	}
	if err != nil {
		proxywasm.LogError("gofloor: " + err.Error())
	}
	return types.ActionContinue
}

// caller makes a fixed number of host calls of each kind on the request headers.
type caller struct {
	types.DefaultHttpContext
	n [3]int64
}

var logLine = strings.Repeat("x", 300)

// OnHttpRequestHeaders makes the configured host calls; their results are dropped (a
// host call is never optimised away, whatever is done with what it returns).
func (c *caller) OnHttpRequestHeaders(int, bool) types.Action {
	for range c.n[0] {
		_, _ = proxywasm.GetHttpRequestHeader(":path")
	}
	for range c.n[1] {
		_ = time.Now() // clock_time_get
	}
	for range c.n[2] {
		proxywasm.LogInfo(logLine)
	}
	return types.ActionContinue
}

// guardCalls makes, phase by phase, the host calls bench/wasmprof counts for the guard on
// a clean 1 KiB JSON exchange (header maps read whole, the credential and encoding header
// edits, the clock reads, the response headers, the audit line and four metrics), with
// gofloor's own clamp as the only logic. The guard cannot cost less than this in Envoy
// whatever its Go code does.
type guardCalls struct {
	exchange
	counters [3]proxywasm.MetricCounter
	latency  proxywasm.MetricHistogram
	start    time.Time
}

var auditLine = strings.Repeat("a", 360)

func (g *guardCalls) OnHttpRequestHeaders(_ int, endOfStream bool) types.Action {
	g.start = time.Now() // two clock_time_get
	_, _ = proxywasm.GetHttpRequestHeaders()
	_ = proxywasm.RemoveHttpRequestHeader("authorization")
	_ = proxywasm.ReplaceHttpRequestHeader("accept-encoding", "identity")
	if endOfStream {
		return types.ActionContinue
	}
	return types.ActionPause
}

func (g *guardCalls) OnHttpRequestBody(size int, endOfStream bool) types.Action {
	if !endOfStream {
		return types.ActionPause
	}
	_ = time.Since(g.start) // one clock_time_get
	if out := clampedBody(size, g.tokenCap); out != nil {
		if err := proxywasm.ReplaceHttpRequestBody(out); err != nil {
			proxywasm.LogError("gofloor: " + err.Error())
		}
	}
	return types.ActionContinue
}

func (g *guardCalls) OnHttpResponseHeaders(int, bool) types.Action {
	_, _ = proxywasm.GetHttpResponseHeaders()
	_ = proxywasm.RemoveHttpResponseHeader("content-length")
	_ = proxywasm.ReplaceHttpResponseHeader("x-request-id", "gofloor")
	_ = proxywasm.ReplaceHttpResponseHeader("x-upstream-request-id", "gofloor")
	return types.ActionContinue
}

func (g *guardCalls) OnHttpResponseBody(size int, endOfStream bool) types.Action {
	if !endOfStream {
		return types.ActionPause
	}
	if _, err := proxywasm.GetHttpResponseBody(0, size); err != nil {
		proxywasm.LogError("gofloor: " + err.Error())
	}
	return types.ActionContinue
}

func (g *guardCalls) OnHttpStreamDone() {
	for _, m := range g.counters {
		m.Increment(1)
	}
	g.latency.Record(uint64(time.Since(g.start).Milliseconds()))
	proxywasm.LogInfo(auditLine)
}
