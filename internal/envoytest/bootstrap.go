package envoytest

import (
	"net"
	"strconv"

	"github.com/egressguard/egressguard/metrics"
)

type obj = map[string]any

// bootstrap builds the Envoy bootstrap as JSON-ready maps (Envoy reads JSON configs).
func bootstrap(o Options) obj {
	listeners := make([]any, 0, len(o.Listeners))
	for _, l := range o.Listeners {
		listeners = append(listeners, listener(l, o))
	}
	clusters := make([]any, 0, len(o.Clusters))
	for name, addr := range o.Clusters {
		clusters = append(clusters, cluster(name, addr))
	}
	return obj{
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

func listener(l Listener, o Options) obj {
	filters := []any{}
	if !l.NoFilter {
		filters = append(filters, wasmFilter(l, o))
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
			"routes": []any{obj{
				"match": obj{"prefix": "/"},
				"route": obj{"cluster": l.Cluster, "timeout": "60s"},
			}},
		}}},
		"http_filters": filters,
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

func wasmFilter(l Listener, o Options) obj {
	vm := obj{
		"vm_id":   "egressguard",
		"runtime": "envoy.wasm.runtime.v8",
		"code":    obj{"local": obj{"filename": o.WasmPath}},
	}
	if len(o.HostEnvKeys) > 0 {
		vm["environment_variables"] = obj{"host_env_keys": o.HostEnvKeys}
	}
	policy := "FAIL_CLOSED"
	if l.FailOpen {
		policy = "FAIL_OPEN"
	}
	cfg := obj{
		"name":                            l.Name,
		"root_id":                         "egressguard",
		"allow_on_headers_stop_iteration": true,
		"failure_policy":                  policy,
		"vm_config":                       vm,
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
