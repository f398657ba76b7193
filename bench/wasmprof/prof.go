package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// callCounter counts calls of every guest function (wazero function listeners; exact,
// independent of the machine's load).
type callCounter struct {
	names []string
	calls []int64
}

func (c *callCounter) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	i := int(def.Index())
	for len(c.names) <= i {
		c.names = append(c.names, "")
		c.calls = append(c.calls, 0)
	}
	c.names[i] = funcName(def)
	return countListener{c, i}
}

type countListener struct {
	c *callCounter
	i int
}

func (l countListener) Before(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
	l.c.calls[l.i]++
}
func (countListener) After(context.Context, api.Module, api.FunctionDefinition, []uint64) {}
func (countListener) Abort(context.Context, api.Module, api.FunctionDefinition, error)    {}

func (c *callCounter) snapshot() []int64 { return append([]int64(nil), c.calls...) }

func funcName(def api.FunctionDefinition) string {
	if n := def.Name(); n != "" {
		return n
	}
	return fmt.Sprintf("wasm-function[%d]", def.Index())
}

// hostCounter counts calls of a host module's functions (the WASI imports) into the
// host's per-phase table, prefixed with the module name.
type hostCounter struct{ h *host }

func (c hostCounter) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	return hostListener{c.h, def.ModuleName() + "." + def.Name()}
}

type hostListener struct {
	h    *host
	name string
}

func (l hostListener) Before(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
	l.h.stat(l.name).Calls++
}
func (hostListener) After(context.Context, api.Module, api.FunctionDefinition, []uint64) {}
func (hostListener) Abort(context.Context, api.Module, api.FunctionDefinition, error)    {}

// sampler is a wall-clock sampling profiler of the guest: function listeners keep the
// current call path as a node of a call tree (one map lookup per call), and a goroutine
// adds the time since its last wake-up to the node current at each wake-up. Functions
// called more often than the fold limit get no listener, so their time lands in their
// callers and the listener overhead stays bounded; the call counts say which.
type sampler struct {
	names  []string
	track  func(fn int) bool
	parent []int32
	fn     []int32
	child  map[uint64]int32
	weight []atomic.Int64 // ns per node
	count  []atomic.Int64 // samples per node
	cur    atomic.Int32
	full   bool
	stop   chan struct{}
	done   chan struct{}
}

const maxNodes = 1 << 20

func newSampler(track func(fn int) bool) *sampler {
	s := &sampler{track: track, child: map[uint64]int32{}, weight: make([]atomic.Int64, maxNodes), count: make([]atomic.Int64, maxNodes)}
	s.parent, s.fn = append(s.parent, -1), append(s.fn, -1) // node 0: outside the guest
	return s
}

func (s *sampler) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	i := int(def.Index())
	for len(s.names) <= i {
		s.names = append(s.names, "")
	}
	s.names[i] = funcName(def)
	if !s.track(i) {
		return nil
	}
	return sampleListener{s, int32(i)}
}

type sampleListener struct {
	s  *sampler
	fn int32
}

func (l sampleListener) Before(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
	s := l.s
	cur := s.cur.Load()
	key := uint64(cur)<<32 | uint64(uint32(l.fn))
	n, ok := s.child[key]
	if !ok {
		if len(s.parent) >= maxNodes {
			s.full = true
			n = cur // stop growing the tree; attribute to the caller
		} else {
			n = int32(len(s.parent))
			s.parent, s.fn = append(s.parent, cur), append(s.fn, l.fn)
			s.child[key] = n
		}
	}
	s.cur.Store(n)
}

func (l sampleListener) After(context.Context, api.Module, api.FunctionDefinition, []uint64) {
	l.pop()
}

func (l sampleListener) Abort(context.Context, api.Module, api.FunctionDefinition, error) { l.pop() }

func (l sampleListener) pop() {
	s := l.s
	cur := s.cur.Load()
	if cur != 0 && s.fn[cur] == l.fn {
		s.cur.Store(s.parent[cur])
	}
}

// start samples every interval until stopSampling.
func (s *sampler) start(interval time.Duration) {
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.done)
		last := time.Now()
		for {
			select {
			case <-s.stop:
				return
			default:
			}
			time.Sleep(interval)
			now := time.Now()
			if n := s.cur.Load(); n != 0 {
				s.weight[n].Add(int64(now.Sub(last)))
				s.count[n].Add(1)
			}
			last = now
		}
	}()
}

func (s *sampler) stopSampling() {
	close(s.stop)
	<-s.done
}

// flat and cumulative time per function (cumulative counts a function once per path).
func (s *sampler) byFunction() (flat, cum map[int32]int64, total int64) {
	flat, cum = map[int32]int64{}, map[int32]int64{}
	for n := 1; n < len(s.parent); n++ {
		w := s.weight[n].Load()
		if w == 0 {
			continue
		}
		total += w
		flat[s.fn[n]] += w
		seen := map[int32]bool{}
		for p := int32(n); p > 0; p = s.parent[p] {
			if !seen[s.fn[p]] {
				seen[s.fn[p]] = true
				cum[s.fn[p]] += w
			}
		}
	}
	return flat, cum, total
}

// writePprof writes the call tree as a gzipped pprof profile (samples, nanoseconds),
// readable with `go tool pprof`.
func (s *sampler) writePprof(path string, duration time.Duration) error {
	var strs []string
	strIdx := map[string]int64{}
	str := func(v string) int64 {
		if i, ok := strIdx[v]; ok {
			return i
		}
		strIdx[v] = int64(len(strs))
		strs = append(strs, v)
		return strIdx[v]
	}
	str("")
	var p pb
	valueType := func(field int, typ, unit string) {
		var m pb
		m.int(1, str(typ))
		m.int(2, str(unit))
		p.msg(field, m)
	}
	valueType(1, "samples", "count")
	valueType(1, "cpu", "nanoseconds")
	usedFn := map[int32]bool{}
	for n := 1; n < len(s.parent); n++ {
		w := s.weight[n].Load()
		if w == 0 {
			continue
		}
		var m, locs, vals pb
		for q := int32(n); q > 0; q = s.parent[q] {
			locs.varint(uint64(s.fn[q]) + 1)
			usedFn[s.fn[q]] = true
		}
		m.bytes(1, locs.b)
		vals.varint(uint64(s.count[n].Load()))
		vals.varint(uint64(w))
		m.bytes(2, vals.b)
		p.msg(2, m)
	}
	for fn := range usedFn {
		var loc, line pb
		loc.int(1, int64(fn)+1)
		line.int(1, int64(fn)+1)
		loc.msg(4, line)
		p.msg(4, loc)
		var f pb
		f.int(1, int64(fn)+1)
		f.int(2, str(s.names[fn]))
		f.int(3, str(s.names[fn]))
		p.msg(5, f)
	}
	p.int(10, int64(duration))
	var pt pb
	pt.int(1, str("cpu"))
	pt.int(2, str("nanoseconds"))
	p.msg(11, pt)
	for _, v := range strs { // string_table (field 6) after every str() call
		p.bytes(6, []byte(v))
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	if _, err := w.Write(p.b); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, gz.Bytes(), 0o644)
}

// pb is a minimal protocol buffer encoder (profile.proto needs varints and
// length-delimited fields only).
type pb struct{ b []byte }

func (p *pb) varint(v uint64)        { p.b = binary.AppendUvarint(p.b, v) }
func (p *pb) key(field, wire int)    { p.varint(uint64(field)<<3 | uint64(wire)) }
func (p *pb) int(field int, v int64) { p.key(field, 0); p.varint(uint64(v)) }
func (p *pb) bytes(field int, v []byte) {
	p.key(field, 2)
	p.varint(uint64(len(v)))
	p.b = append(p.b, v...)
}
func (p *pb) msg(field int, m pb) { p.bytes(field, m.b) }
