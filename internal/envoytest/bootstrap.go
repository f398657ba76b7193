package envoytest

import (
	"net"
	"strconv"

	"github.com/egressguard/egressguard/internal/metrics"
)

type obj = map[string]any

// bootstrap builds the Envoy bootstrap as JSON-ready maps (Envoy reads JSON configs).
func bootstrap(o Options, dir string) obj {
	listeners := make([]any, 0, len(o.Listeners))
	for _, l := range o.Listeners {
		listeners = append(listeners, listener(l, o, dir))
	}
	clusters := make([]any, 0, len(o.Clusters))
	for name, addr := range o.Clusters {
		c := cluster(name, addr)
		if opts := protocolOptions(name, o); opts != nil {
			c["typed_extension_protocol_options"] = opts
		}
		clusters = append(clusters, c)
	}
	if rl := o.RateLimit; rl != nil {
		c := cluster(rl.clusterName(), rl.ServiceAddr)
		c["typed_extension_protocol_options"] = obj{
			"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": obj{
				"@type":                "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
				"explicit_http_config": obj{"http2_protocol_options": obj{}},
			},
		}
		clusters = append(clusters, c)
	}
	return obj{
		// Extension config discovery (ECDS) needs a node identity.
		"node":         obj{"id": "envoytest", "cluster": "envoytest"},
		"admin":        obj{"address": sockAddr("127.0.0.1", 0)},
		"stats_config": obj{"stats_tags": metrics.StatsTags()},
		// Histograms reach the admin endpoints at each flush.
		"stats_flush_interval": "1s",
		"static_resources": obj{
			"listeners": listeners,
			"clusters":  clusters,
		},
	}
}

func sockAddr(host string, port int) obj {
	return obj{"socket_address": obj{"address": host, "port_value": port}}
}

func listener(l Listener, o Options, dir string) obj {
	filters := []any{}
	switch {
	case l.NoFilter:
	case l.ECDS:
		filters = append(filters, ecdsFilter(l, dir))
	default:
		filters = append(filters, wasmFilter(l, o))
	}
	for _, f := range o.ExtraHTTPFilters {
		filters = append(filters, f)
	}
	if o.RateLimit != nil {
		filters = append(filters, rateLimitFilter(o.RateLimit))
	}
	filters = append(filters, obj{
		"name":         "envoy.filters.http.router",
		"typed_config": obj{"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"},
	})
	hcm := obj{
		"@type":       "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
		"stat_prefix": l.Name,
		"access_log": []any{obj{
			"name": "envoy.access_loggers.stdout",
			"typed_config": obj{
				"@type": "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog",
			},
		}},
		"route_config": obj{"virtual_hosts": []any{obj{
			"name": "llm", "domains": []any{"*"},
			"routes": []any{routeFor(l, o)},
		}}},
		"http_filters": filters,
	}
	mappers := []any{upstreamErrorsJSON()}
	if o.RateLimit != nil && o.RateLimit.JSONErrors {
		mappers = append(mappers, rateLimitLocalReplies()...)
	}
	hcm["local_reply_config"] = obj{"mappers": mappers}
	if o.HTTP1Trailers {
		hcm["http_protocol_options"] = obj{"enable_trailers": true}
	}
	return obj{
		"name":                              l.Name,
		"address":                           sockAddr("127.0.0.1", 0),
		"per_connection_buffer_limit_bytes": 8 << 20,
		"filter_chains": []any{obj{"filters": []any{obj{
			"name":         "envoy.filters.network.http_connection_manager",
			"typed_config": hcm,
		}}}},
	}
}

// wasmFilter is the filter config a WasmPlugin produces: the module as a local file
// (istio-agent fetches oci:// and rewrites the source), the failure policy from
// failStrategy, and no allow_on_headers_stop_iteration unless the listener opts in.
func wasmFilter(l Listener, o Options) obj {
	vmID, path := "egressguard", o.WasmPath
	if l.WasmPath != "" {
		vmID, path = "egressguard-"+l.Name, l.WasmPath
	}
	vm := obj{
		"vm_id":   vmID,
		"runtime": "envoy.wasm.runtime.v8",
		"code":    obj{"local": obj{"filename": path}},
	}
	if len(o.HostEnvKeys) > 0 {
		vm["environment_variables"] = obj{"host_env_keys": o.HostEnvKeys}
	}
	policy := "FAIL_CLOSED"
	if l.FailOpen {
		policy = "FAIL_OPEN"
	}
	if l.FailurePolicy != "" {
		policy = l.FailurePolicy
	}
	cfg := obj{
		"name":           l.Name,
		"root_id":        "egressguard",
		"failure_policy": policy,
		"vm_config":      vm,
	}
	if l.HoldHeaders {
		cfg["allow_on_headers_stop_iteration"] = true
	}
	if l.PluginConfig != "" {
		cfg["configuration"] = obj{"@type": "type.googleapis.com/google.protobuf.StringValue", "value": l.PluginConfig}
	}
	return obj{
		"name": "egressguard",
		"typed_config": obj{
			"@type":  "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
			"config": cfg,
		},
	}
}

func cluster(name, addr string) obj {
	host, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)
	return obj{
		"name":            name,
		"type":            "STATIC",
		"connect_timeout": "2s",
		"load_assignment": obj{
			"cluster_name": name,
			"endpoints": []any{obj{"lb_endpoints": []any{obj{
				"endpoint": obj{"address": sockAddr(host, port)},
			}}}},
		},
	}
}

// protocolOptions are a cluster's HTTP protocol options (nil: Envoy's defaults).
func protocolOptions(name string, o Options) obj {
	var http obj
	for _, c := range o.HTTP2Clusters {
		if c == name {
			http = obj{"http2_protocol_options": obj{}}
		}
	}
	if http == nil && o.HTTP1Trailers {
		http = obj{"http_protocol_options": obj{"enable_trailers": true}}
	}
	if http == nil {
		return nil
	}
	return obj{"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": obj{
		"@type":                "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
		"explicit_http_config": http,
	}}
}

func routeFor(l Listener, o Options) obj {
	action := obj{"cluster": l.Cluster, "timeout": "60s", "retry_policy": RouteRetry()}
	for k, v := range l.Route {
		action[k] = v
	}
	r := obj{
		"match": obj{"prefix": "/"},
		"route": action,
	}
	rl := o.RateLimit
	if rl == nil {
		return r
	}
	if len(rl.RateLimits) > 0 {
		r["typed_per_filter_config"] = obj{
			"envoy.filters.http.ratelimit": obj{
				"@type":       "type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimitPerRoute",
				"rate_limits": rl.RateLimits,
			},
		}
	}
	if len(rl.RequestHeadersToRemove) > 0 {
		r["request_headers_to_remove"] = rl.RequestHeadersToRemove
	}
	return r
}

func (rl *RateLimitOptions) clusterName() string {
	if rl.Cluster != "" {
		return rl.Cluster
	}
	return "ratelimit"
}

func rateLimitFilter(rl *RateLimitOptions) obj {
	domain, timeout := rl.Domain, rl.Timeout
	if domain == "" {
		domain = "egressguard"
	}
	if timeout == "" {
		timeout = "1s"
	}
	f := obj{
		"@type":                      "type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit",
		"domain":                     domain,
		"failure_mode_deny":          rl.FailureModeDeny,
		"timeout":                    timeout,
		"enable_x_ratelimit_headers": "DRAFT_VERSION_03",
		"rate_limit_service": obj{
			"transport_api_version": "V3",
			"grpc_service":          obj{"envoy_grpc": obj{"cluster_name": rl.clusterName()}},
		},
	}
	if rl.FailureModeDeny {
		f["status_on_error"] = obj{"code": "ServiceUnavailable"}
	}
	return obj{"name": "envoy.filters.http.ratelimit", "typed_config": f}
}

// jsonError is a local-reply body format in the guard's JSON error shape.
func jsonError(message, typ, code string) obj {
	return obj{
		"json_format":  obj{"error": obj{"message": message, "type": typ, "code": code, "param": nil}},
		"content_type": "application/json",
	}
}

// upstreamErrorsJSON gives Envoy's own upstream failures (timeout, reset, refused
// connection) the guard's JSON error shape, as the shipped envoy.yaml does.
func upstreamErrorsJSON() obj {
	return obj{
		"filter":               obj{"response_flag_filter": obj{"flags": []any{"UH", "UF", "UO", "NR", "URX", "UC", "UT", "LR", "UR", "UPE", "NC"}}},
		"body_format_override": jsonError("%LOCAL_REPLY_BODY%", "upstream_error", "%RESPONSE_CODE_DETAILS%"),
	}
}

// rateLimitLocalReplies give the ratelimit filter's empty-bodied replies the guard's
// JSON error shape: the 429 (response flag RL) and, with failure_mode_deny, the 503 when
// the rate limit service cannot be reached (RLSE), which asks the client to retry.
func rateLimitLocalReplies() []any {
	return []any{
		obj{
			"filter":               obj{"response_flag_filter": obj{"flags": []any{"RL"}}},
			"body_format_override": jsonError("Rate limit reached (global). Retry after the x-ratelimit-reset seconds.", "rate_limit_error", "rate_limit_exceeded"),
		},
		obj{
			"filter":               obj{"response_flag_filter": obj{"flags": []any{"RLSE"}}},
			"body_format_override": jsonError("The rate limit service is unavailable. Retry shortly.", "service_unavailable", "rate_limit_unavailable"),
			"headers_to_add": []any{obj{
				"header":        obj{"key": "retry-after", "value": "1"},
				"append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
			}},
		},
	}
}
