// Package hostcalls is the one thin place that talks to the proxy-wasm host. The plugin
// calls these functions; everything else in the guard is pure Go and never imports the
// SDK's proxywasm package.
package hostcalls

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/egressguard/egressguard/internal/ablate"
	"github.com/egressguard/egressguard/internal/audit"
	"github.com/egressguard/egressguard/internal/shareddata"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// SetVMContext registers the plugin's VM context; call it from main's init.
func SetVMContext(vm types.VMContext) {
	if ablate.HTTP {
		vm = noHTTP{vm}
	}
	proxywasm.SetVMContext(vm)
}

// noHTTP is the ablation build's VM without per-request code: every HTTP context is
// the SDK's no-op one.
type noHTTP struct{ types.VMContext }

func (v noHTTP) NewPluginContext(id uint32) types.PluginContext {
	return noHTTPPlugin{v.VMContext.NewPluginContext(id)}
}

type noHTTPPlugin struct{ types.PluginContext }

func (noHTTPPlugin) NewHttpContext(uint32) types.HttpContext { return &types.DefaultHttpContext{} }

// PluginConfiguration returns the plugin's configuration bytes (empty when none).
func PluginConfiguration() ([]byte, error) {
	b, err := proxywasm.GetPluginConfiguration()
	if errors.Is(err, types.ErrorStatusNotFound) {
		return nil, nil
	}
	return b, err
}

// RequestHeaders returns the request headers (nil when the host has none).
func RequestHeaders() Headers {
	hs, err := headerMap(mapRequestHeaders)
	logReadFailure("request headers", err)
	return hs
}

// logReadFailure logs a failed read other than "not found" (which means empty). The
// caller goes on with what it got: a missing header or body fails its own checks.
func logReadFailure(what string, err error) {
	if err != nil && !errors.Is(err, types.ErrorStatusNotFound) {
		LogWarn("egressguard: reading the " + what + " failed: " + err.Error())
	}
}

// RequestHeader returns one request header ("" when absent).
func RequestHeader(name string) string {
	v, err := proxywasm.GetHttpRequestHeader(name)
	if err != nil {
		return ""
	}
	return v
}

// SetRequestHeader replaces (or adds) a request header.
func SetRequestHeader(name, value string) error {
	return proxywasm.ReplaceHttpRequestHeader(name, value)
}

// RemoveRequestHeader deletes a request header.
func RemoveRequestHeader(name string) error {
	return proxywasm.RemoveHttpRequestHeader(name)
}

// RequestBody returns the buffered request body, at most size bytes (nil when empty).
func RequestBody(size int) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	b, err := buffer(bufRequestBody, size)
	if errors.Is(err, types.ErrorStatusNotFound) {
		return nil, nil
	}
	return b, err
}

// ReplaceRequestBody swaps the whole buffered request body (content-length is the
// caller's business: in the default flow the header has already left).
func ReplaceRequestBody(body []byte) error {
	return proxywasm.ReplaceHttpRequestBody(body)
}

// RemoveRequestTrailers deletes request trailers.
func RemoveRequestTrailers(names []string) error {
	for _, n := range names {
		if err := proxywasm.RemoveHttpRequestTrailer(n); err != nil {
			return err
		}
	}
	return nil
}

// ApplyRequest removes request headers, sets request headers, then sets filter state
// (in that order), stopping at the first failure.
func ApplyRequest(remove []string, set, state [][2]string) error {
	return apply(mapRequestHeaders, remove, set, state)
}

// ApplyResponse is ApplyRequest for the response headers.
func ApplyResponse(remove []string, set, state [][2]string) error {
	return apply(mapResponseHeaders, remove, set, state)
}

func apply(mapType uint32, remove []string, set, state [][2]string) error {
	for _, n := range remove {
		if err := removeHeader(mapType, n); err != nil {
			return err
		}
	}
	for _, hv := range set {
		if err := replaceHeader(mapType, hv[0], hv[1]); err != nil {
			return err
		}
	}
	for _, kv := range state {
		if err := SetFilterState(kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// ResponseHeaders returns the response headers (nil when the host has none).
func ResponseHeaders() Headers {
	hs, err := headerMap(mapResponseHeaders)
	logReadFailure("response headers", err)
	return hs
}

// Property returns an Envoy attribute as a string ("" when absent), e.g.
// Property("xds", "cluster_name") for the cluster the request is routed to.
func Property(path ...string) string {
	b, err := proxywasm.GetProperty(path)
	if err != nil {
		return ""
	}
	return string(b)
}

// Cluster returns the Envoy cluster the request is routed to ("" when unknown).
func Cluster() string { return Property("xds", "cluster_name") }

// SendJSON answers the downstream with a local JSON response; nothing goes upstream.
// Once response headers have left, Envoy resets the stream instead.
func SendJSON(status int, body []byte, headers [][2]string) error {
	h := append([][2]string{{"content-type", "application/json"}}, headers...)
	return proxywasm.SendHttpResponse(uint32(status), h, body, -1)
}

// Log levels map onto Envoy's wasm log levels.
func LogInfo(msg string)     { proxywasm.LogInfo(msg) }
func LogWarn(msg string)     { proxywasm.LogWarn(msg) }
func LogError(msg string)    { proxywasm.LogError(msg) }
func LogCritical(msg string) { proxywasm.LogCritical(msg) }
func LogDebug(msg string)    { proxywasm.LogDebug(msg) }

// auditLine is the buffer every audit line is rendered into (one VM serves one thread).
var auditLine []byte

// LogAudit logs the request's audit line at info level, rendered into a buffer kept
// across requests.
func LogAudit(rec *audit.Record) {
	if ablate.Audit {
		return
	}
	auditLine = audit.Append(auditLine[:0], rec)
	LogInfoBytes(auditLine)
}

// ResponseHeader returns one response header ("" when absent).
func ResponseHeader(name string) string {
	v, err := proxywasm.GetHttpResponseHeader(name)
	if err != nil {
		return ""
	}
	return v
}

// RemoveResponseHeader deletes a response header.
func RemoveResponseHeader(name string) error {
	return proxywasm.RemoveHttpResponseHeader(name)
}

// ResponseBody returns the response body buffered for this callback, at most size
// bytes (nil when empty).
func ResponseBody(size int) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	b, err := buffer(bufResponseBody, size)
	if errors.Is(err, types.ErrorStatusNotFound) {
		return nil, nil
	}
	return b, err
}

// ReplaceResponseBody swaps the response body buffered for this callback.
func ReplaceResponseBody(body []byte) error {
	return proxywasm.ReplaceHttpResponseBody(body)
}

// SharedData is proxy-wasm shared data: one key/value space per Envoy vm_id, shared by
// the VMs of all worker threads, with compare-and-swap versions. It implements
// shareddata.Store.
type SharedData struct{}

// Get returns the value and its CAS version; shareddata.ErrNotFound when never set.
func (SharedData) Get(key string) ([]byte, uint32, error) {
	v, cas, err := proxywasm.GetSharedData(key)
	if errors.Is(err, types.ErrorStatusNotFound) {
		return nil, 0, shareddata.ErrNotFound
	}
	return v, cas, err
}

// Set stores value when cas is the current version (0: unconditionally);
// shareddata.ErrCASMismatch when another worker changed it since Get.
func (SharedData) Set(key string, value []byte, cas uint32) error {
	err := proxywasm.SetSharedData(key, value, cas)
	if errors.Is(err, types.ErrorStatusCasMismatch) {
		return fmt.Errorf("%s: %w", key, shareddata.ErrCASMismatch)
	}
	return err
}

// DispatchHTTP sends an out-of-band HTTP request to an Envoy cluster; cb runs when the
// answer arrives, with ok false on a timeout or connection failure (no headers), else
// the status (0 when absent), the retry-after header and the body. headers must include
// :method, :path and :authority.
func DispatchHTTP(cluster string, headers [][2]string, body []byte, timeoutMs uint32, cb func(ok bool, status int, retryAfter string, body []byte)) error {
	_, err := proxywasm.DispatchHttpCall(cluster, headers, body, nil, timeoutMs, func(numHeaders, bodySize, _ int) {
		if numHeaders == 0 {
			cb(false, 0, "", nil)
			return
		}
		status, retryAfter, b := callResponse(bodySize)
		cb(true, status, retryAfter, b)
	})
	return err
}

// callResponse returns the status (0 when absent), the retry-after header and the body
// of the answer to a dispatched call; call it only inside the callback.
func callResponse(bodySize int) (status int, retryAfter string, body []byte) {
	hs, err := proxywasm.GetHttpCallResponseHeaders()
	logReadFailure("call response headers", err)
	for _, h := range hs {
		switch strings.ToLower(h[0]) {
		case ":status":
			status, _ = strconv.Atoi(h[1])
		case "retry-after":
			retryAfter = h[1]
		}
	}
	if bodySize > 0 {
		body, err = proxywasm.GetHttpCallResponseBody(0, bodySize)
		logReadFailure("call response body", err) // an empty body is no verdict
	}
	return status, retryAfter, body
}

// CallResponseHeader returns one header of the answer to a dispatched call ("" when
// absent); call it only inside the callback.
func CallResponseHeader(name string) string {
	hs, err := proxywasm.GetHttpCallResponseHeaders()
	logReadFailure("call response headers", err)
	for _, h := range hs {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

// ResumeRequest continues a request the plugin paused. A failure (the stream is gone)
// is logged: there is nothing left to answer.
func ResumeRequest() {
	if err := proxywasm.ResumeHttpRequest(); err != nil {
		LogWarn("egressguard: resuming the request failed: " + err.Error())
	}
}

// ResumeResponse continues a response the plugin paused (failures logged).
func ResumeResponse() {
	if err := proxywasm.ResumeHttpResponse(); err != nil {
		LogWarn("egressguard: resuming the response failed: " + err.Error())
	}
}

// SetResponseHeader replaces (or adds) an informational response header (failures
// logged: the response is already decided and goes on without it).
func SetResponseHeader(name, value string) {
	if err := proxywasm.ReplaceHttpResponseHeader(name, value); err != nil {
		LogWarn("egressguard: setting response header " + name + " failed: " + err.Error())
	}
}

// SetFilterState publishes a value as Envoy filter state "wasm.<name>" for later
// filters and access logs (e.g. the ratelimit filter's descriptors).
func SetFilterState(name, value string) error {
	return proxywasm.SetProperty([]string{name}, []byte(value))
}
