package hostcalls

import (
	"unsafe"

	"github.com/egressguard/egressguard/internal/ablate"
)

// Stats are defined on first use and cached by name. One wasm VM runs on one Envoy
// worker thread, so the caches need no lock.
var counters, histograms = statCache{kind: metricCounter}, statCache{kind: metricHistogram}

// Metric types of the proxy-wasm ABI.
const (
	metricCounter   = 0
	metricHistogram = 2
)

// statCache maps stat names to host ids. The guard names the same few stats on every
// request with strings built once (package metrics memoises them), so the last few
// are compared by address before the map hashes the whole name. Each entry keeps its
// string alive, so an address is never reused by another name while cached.
type statCache struct {
	kind   uint32
	recent [8]stat
	next   int
	ids    map[string]uint32
}

type stat struct {
	name string
	id   uint32
}

// id returns the host id of the stat called name, defining it on first use; false
// when the host refused to define it.
func (c *statCache) id(name string) (uint32, bool) {
	p := unsafe.StringData(name)
	for i := range c.recent {
		if s := &c.recent[i]; unsafe.StringData(s.name) == p && len(s.name) == len(name) && len(name) > 0 {
			return s.id, true
		}
	}
	id, ok := c.ids[name]
	if !ok {
		if id, ok = defineMetric(c.kind, name); !ok {
			return 0, false
		}
		if c.ids == nil {
			c.ids = map[string]uint32{}
		}
		c.ids[name] = id
	}
	c.recent[c.next] = stat{name, id}
	c.next = (c.next + 1) % len(c.recent)
	return id, true
}

func (c *statCache) reset() {
	clear(c.ids)
	c.recent = [len(c.recent)]stat{}
	c.next = 0
}

// ResetMetrics forgets the cached stat ids; call it at plugin start so ids of an
// earlier host (a test emulator, a reloaded plugin) are never reused.
func ResetMetrics() {
	counters.reset()
	histograms.reset()
}

// Count adds n to the counter called name (see package metrics for names). A failed
// host call drops the sample: a stat never takes a request down. name must be an
// ordinary immutable string, never an unsafe view of a buffer that is reused (the
// cache compares addresses).
func Count(name string, n uint64) {
	if ablate.Metrics {
		return
	}
	if id, ok := counters.id(name); ok {
		incrementMetric(id, n)
	}
}

// Record adds a sample to the histogram called name (failures dropped like Count's).
func Record(name string, v uint64) {
	if ablate.Metrics {
		return
	}
	if id, ok := histograms.id(name); ok {
		recordMetric(id, v)
	}
}
