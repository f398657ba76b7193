// Command wasmprof runs the compiled guard (build/egressguard.wasm) under wazero behind a
// minimal proxy-wasm host shaped like Envoy's, for the benchmark's own requests
// (bench/internal/chatbody, answered by internal/fakellm), and reports per request:
//
//   - host calls by import and phase, with the bytes each moved across the VM boundary
//     (proxy_* imports and the WASI imports the Go runtime makes, e.g. clock_time_get);
//
//   - guest function calls (exact counts: total, allocations, the most called functions);
//
//   - the guest's time per phase without instrumentation (wazero, not V8: compare
//     variants and phases, not absolute figures with Envoy's);
//
//   - with -cpuprofile, a sampled per-function profile of the guest's Go code (pprof
//     format, `go tool pprof -top FILE`), plus its top functions printed.
//
//     go run ./bench/wasmprof [-size 1024] [-stream] [-config JSON] [-n 200] [-cpuprofile guard.pprof]
//     go run ./bench/wasmprof -base old.wasm [-size 16384]   # two builds, timed request by request in turn
//
// See bench/envoy/README.md ("Attribution").
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/egressguard/egressguard/bench/internal/chatbody"
	"github.com/egressguard/egressguard/internal/envoytest"
	"github.com/egressguard/egressguard/internal/fakellm"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tidwall/gjson"
)

const defaultConfig = `{"max_tokens":{"default":256,"cap":1024}}`

type options struct {
	wasm, config, cpuprofile string
	env, base                string
	size, n, warm, top, fold int
	stream                   bool
	interval                 time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.wasm, "wasm", envoytest.DefaultWasm(), "compiled guard module")
	flag.StringVar(&o.config, "config", defaultConfig, "plugin configuration (bench/envoy's default)")
	flag.IntVar(&o.size, "size", 1024, "request body bytes (bench/internal/chatbody)")
	flag.BoolVar(&o.stream, "stream", false, "ask for an SSE response")
	flag.IntVar(&o.n, "n", 200, "measured requests (after -warm)")
	flag.IntVar(&o.warm, "warm", 3, "warm-up requests, not counted (the first request pays one-time set-up)")
	flag.IntVar(&o.top, "top", 25, "functions listed")
	flag.StringVar(&o.env, "env", "", "environment of the guest, KEY=VALUE pairs separated by semicolons (e.g. GOGC=off, or EGRESSGUARD_ABLATE=… for build/bench/guard-ablate.wasm)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "also write a sampled pprof profile of the guest's functions to this file")
	flag.IntVar(&o.fold, "fold", 50, "-cpuprofile: functions called more than this many times per request get no listener; their time lands in their callers")
	flag.DurationVar(&o.interval, "interval", 100*time.Microsecond, "-cpuprofile: sampling interval")
	flag.StringVar(&o.base, "base", "", "another build of the guard (e.g. an earlier commit's): time both per phase, alternating request by request, instead of the full report")
	flag.Parse()
	run := run
	if o.base != "" {
		run = runAB
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "wasmprof:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	runtime.LockOSThread() // the guest runs on this thread: its CPU time is the guest's (threadCPU)
	defer runtime.UnlockOSThread()
	wasm, err := os.ReadFile(o.wasm)
	if err != nil {
		return fmt.Errorf("%v (run `make build` first)", err)
	}
	body, up, err := request(o)
	if err != nil {
		return err
	}
	kind := "JSON"
	if o.stream {
		kind = "SSE"
	}
	fmt.Printf("## Guard under wazero: one %d-byte chat request (%s response)\n\n", o.size, kind)
	fmt.Printf("- Module: `%s` (%d bytes); config `%s`\n- Requests: %d measured after %d warm-up\n\n", o.wasm, len(wasm), o.config, o.n, o.warm)

	// 1. Host calls and guest function calls (listeners: exact counts).
	cc := &callCounter{}
	g, err := load(wasm, o.config, o.env, cc, true)
	if err != nil {
		return err
	}
	for range o.warm {
		if _, err := g.exchange(body, up); err != nil {
			return err
		}
	}
	g.h.counts = map[string]map[string]*importStat{}
	before := cc.snapshot()
	var last result
	for range o.n {
		if last, err = g.exchange(body, up); err != nil {
			return err
		}
	}
	after := cc.snapshot()
	g.close()
	last.print()
	printHostCalls(g.h, o.n)
	printGuestCalls(cc.names, before, after, o.n, o.top)

	// 2. Guest time per phase, no listeners.
	g, err = load(wasm, o.config, o.env, nil, false)
	if err != nil {
		return err
	}
	for range o.warm {
		if _, err := g.exchange(body, up); err != nil {
			return err
		}
	}
	phases := map[string][]time.Duration{}
	for range o.n {
		r, err := g.exchange(body, up)
		if err != nil {
			return err
		}
		for p, d := range r.guestTime {
			phases[p] = append(phases[p], d)
		}
	}
	mem := g.mod.Memory().Size()
	g.close()
	printPhaseTimes(phases)
	fmt.Printf("Guest linear memory after %d requests: %.1f MiB (a wasm memory never shrinks: about the VM's peak heap)\n\n",
		o.warm+o.n, float64(mem)/(1<<20))

	// 3. Sampled profile.
	if o.cpuprofile == "" {
		return nil
	}
	perReq := make([]int64, len(after))
	for i := range after {
		perReq[i] = (after[i] - before[i]) / int64(o.n)
	}
	var folded []string
	s := newSampler(func(fn int) bool {
		if fn < len(perReq) && perReq[fn] > int64(o.fold) {
			folded = append(folded, cc.names[fn])
			return false
		}
		return true
	})
	g, err = load(wasm, o.config, o.env, s, false)
	if err != nil {
		return err
	}
	for range o.warm {
		if _, err := g.exchange(body, up); err != nil {
			return err
		}
	}
	t0 := time.Now()
	s.start(o.interval)
	for range o.n {
		if _, err := g.exchange(body, up); err != nil {
			s.stopSampling()
			return err
		}
	}
	s.stopSampling()
	g.close()
	if err := s.writePprof(o.cpuprofile, time.Since(t0)); err != nil {
		return err
	}
	printProfile(s, o, folded)
	return nil
}

// request is the measured request body (above the cap: the guard rewrites it) and the
// upstream that answers it.
func request(o options) ([]byte, http.Handler, error) {
	tokenCap := int(gjson.Parse(o.config).Get("max_tokens.cap").Int())
	if tokenCap == 0 {
		tokenCap = 4096
	}
	bodies, err := chatbody.Make(o.size, 2, tokenCap, o.stream)
	if err != nil {
		return nil, nil, err
	}
	return bodies[0], fakellm.New(fakellm.Options{Name: "bench", MaxRecorded: 1}), nil
}

// runAB times -base and -wasm per phase, one request each in turn, so that a shared
// machine's changing speed weighs on both alike.
func runAB(o options) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	body, up, err := request(o)
	if err != nil {
		return err
	}
	paths := []string{o.base, o.wasm}
	guests := make([]*guest, len(paths))
	phases := make([]map[string][]time.Duration, len(paths))
	for i, p := range paths {
		wasm, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if guests[i], err = load(wasm, o.config, o.env, nil, false); err != nil {
			return err
		}
		defer guests[i].close()
		for range o.warm {
			if _, err := guests[i].exchange(body, up); err != nil {
				return err
			}
		}
		phases[i] = map[string][]time.Duration{}
	}
	for range o.n {
		for i, g := range guests {
			r, err := g.exchange(body, up)
			if err != nil {
				return err
			}
			for p, d := range r.guestTime {
				phases[i][p] = append(phases[i][p], d)
			}
		}
	}
	for i, p := range paths {
		fmt.Printf("## %s, %d-byte request, %d requests alternated with the other build\n\n", p, o.size, o.n)
		printPhaseTimes(phases[i])
	}
	return nil
}

// guest is one instantiated module with its host.
type guest struct {
	ctx    context.Context
	r      wazero.Runtime
	h      *host
	mod    api.Module
	fn     map[string]api.Function
	rootID uint64
	next   uint64
}

// load compiles and starts the module: root context, VM start, configure — as Envoy does.
// listener, when set, observes the guest's functions; countWASI counts the WASI calls.
func load(wasm []byte, config, env string, listener experimental.FunctionListenerFactory, countWASI bool) (*guest, error) {
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
	h := newHost()
	h.pluginConfig = []byte(config)
	h.properties["plugin_name\x00"] = []byte("guard")
	h.properties["plugin_root_id\x00"] = []byte("egressguard")
	wctx := ctx
	if countWASI {
		wctx = experimental.WithFunctionListenerFactory(ctx, hostCounter{h})
	}
	if _, err := wasi_snapshot_preview1.Instantiate(wctx, r); err != nil {
		return nil, err
	}
	gctx := ctx
	if listener != nil {
		gctx = experimental.WithFunctionListenerFactory(ctx, listener)
	}
	compiled, err := r.CompileModule(gctx, wasm)
	if err != nil {
		return nil, err
	}
	if err := h.instantiateEnv(ctx, r, compiled); err != nil {
		return nil, err
	}
	mc := wazero.NewModuleConfig().
		WithStartFunctions("_initialize").WithStdout(os.Stderr).WithStderr(os.Stderr).
		WithSysWalltime().WithSysNanotime().WithRandSource(rand.Reader)
	for _, kv := range strings.Split(env, ";") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			mc = mc.WithEnv(k, v)
		}
	}
	mod, err := r.InstantiateModule(gctx, compiled, mc)
	if err != nil {
		return nil, err
	}
	if err := h.bind(mod); err != nil {
		return nil, err
	}
	g := &guest{ctx: ctx, r: r, h: h, mod: mod, fn: map[string]api.Function{}, rootID: 1, next: 2}
	h.phase = "start"
	// Envoy's order: the root context first, then VM start and configure on it.
	g.call("proxy_on_context_create", g.rootID, 0)
	if g.call("proxy_on_vm_start", g.rootID, 0) != 1 {
		return nil, errors.New("proxy_on_vm_start failed")
	}
	if g.call("proxy_on_configure", g.rootID, uint64(len(config))) != 1 {
		return nil, fmt.Errorf("proxy_on_configure failed: %s", strings.Join(h.logs, "; "))
	}
	return g, nil
}

func (g *guest) close() { g.r.Close(g.ctx) }

func (g *guest) call(name string, args ...uint64) uint64 {
	f, ok := g.fn[name]
	if !ok {
		f = g.mod.ExportedFunction(name)
		g.fn[name] = f
	}
	if f == nil {
		panic("module exports no " + name)
	}
	res, err := f.Call(g.ctx, args...)
	if err != nil {
		panic(fmt.Sprintf("%s: %v", name, err))
	}
	if len(res) == 0 {
		return 0
	}
	return res[0]
}

// timed calls a stream callback in phase p and adds its thread CPU time to r.
func (g *guest) timed(r *result, p, name string, args ...uint64) uint64 {
	g.h.phase = p
	t := threadCPU()
	v := g.call(name, args...)
	r.guestTime[p] += threadCPU() - t
	return v
}

// result is what one exchange did.
type result struct {
	status      int
	upstreamMax int64 // max_tokens the upstream saw (-1: not forwarded)
	respBytes   int
	local       string
	guestTime   map[string]time.Duration
}

func (r result) print() {
	if r.local != "" {
		fmt.Printf("- Outcome: **local reply %d** %s\n\n", r.status, r.local)
		return
	}
	fmt.Printf("- Outcome: forwarded (upstream saw max_tokens=%d), %d response bytes to the client, status %d\n\n", r.upstreamMax, r.respBytes, r.status)
}

// exchange drives one request/response through the guest as Envoy would: request headers
// (held), the whole body at once with end_of_stream, the upstream's response headers and
// its body (JSON: one chunk; SSE: one chunk per event, then an empty end-of-stream chunk),
// then log, done and delete.
func (g *guest) exchange(body []byte, up http.Handler) (result, error) {
	h := g.h
	r := result{upstreamMax: -1, guestTime: map[string]time.Duration{}}
	id := g.next
	g.next++
	h.reqHeaders = [][2]string{{":method", "POST"}, {":path", chatbody.Path}, {":scheme", "http"},
		{":authority", "api.openai.com"}, {"x-request-id", "bench-" + strconv.FormatUint(id, 10)}}
	for _, kv := range chatbody.Headers {
		if kv[0] != "host" {
			h.reqHeaders = append(h.reqHeaders, kv)
		}
	}
	h.reqHeaders = append(h.reqHeaders, [2]string{"content-length", strconv.Itoa(len(body))})
	h.respHeaders, h.respBody, h.local, h.logs = nil, nil, nil, h.logs[:0]
	h.reqBody = append(h.reqBody[:0], body...)

	g.timed(&r, "create", "proxy_on_context_create", id, g.rootID)
	defer func() {
		g.timed(&r, "log", "proxy_on_log", id)
		g.timed(&r, "done", "proxy_on_done", id)
		g.timed(&r, "delete", "proxy_on_delete", id)
	}()
	g.timed(&r, "request_headers", "proxy_on_request_headers", id, uint64(len(h.reqHeaders)), 0)
	if h.local == nil {
		if a := g.timed(&r, "request_body", "proxy_on_request_body", id, uint64(len(h.reqBody)), 1); a != actionContinue && h.local == nil {
			return r, fmt.Errorf("proxy_on_request_body at end of stream returned action %d", a)
		}
	}
	if h.local != nil {
		r.status, r.local = int(h.local.status), h.local.body
		h.respHeaders = h.local.headers
		return r, nil
	}
	r.upstreamMax = gjson.GetBytes(h.reqBody, "max_tokens").Int()

	// The upstream: fakellm in-process, on the body the guard forwarded.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", chatbody.Path, bytes.NewReader(h.reqBody))
	req.Header.Set("content-type", "application/json")
	up.ServeHTTP(rec, req)
	resp := rec.Result()
	r.status = resp.StatusCode
	h.respHeaders = [][2]string{{":status", strconv.Itoa(resp.StatusCode)}}
	for k, vs := range resp.Header {
		for _, v := range vs {
			h.respHeaders = append(h.respHeaders, [2]string{strings.ToLower(k), v})
		}
	}
	raw := rec.Body.Bytes()
	sse := strings.HasPrefix(resp.Header.Get("content-type"), "text/event-stream")
	if !sse {
		h.respHeaders = append(h.respHeaders, [2]string{"content-length", strconv.Itoa(len(raw))})
	}
	g.timed(&r, "response_headers", "proxy_on_response_headers", id, uint64(len(h.respHeaders)), 0)
	var chunks [][]byte
	if sse {
		for len(raw) > 0 {
			i := bytes.Index(raw, []byte("\n\n"))
			if i < 0 {
				i = len(raw) - 2
			}
			chunks = append(chunks, raw[:i+2])
			raw = raw[i+2:]
		}
		chunks = append(chunks, nil)
	} else {
		chunks = [][]byte{raw}
	}
	for i, c := range chunks {
		h.respBody = append(h.respBody, c...)
		eos := i == len(chunks)-1
		a := g.timed(&r, "response_body", "proxy_on_response_body", id, uint64(len(h.respBody)), b2u(eos))
		if h.local != nil {
			r.status, r.local = int(h.local.status), h.local.body
			return r, nil
		}
		if a == actionContinue { // forwarded: Envoy drains what the filter let through
			r.respBytes += len(h.respBody)
			h.respBody = h.respBody[:0]
		}
	}
	return r, nil
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

var phaseOrder = []string{"create", "request_headers", "request_body", "response_headers", "response_body", "log", "done", "delete"}

func printHostCalls(h *host, n int) {
	type row struct {
		phase, name string
		s           importStat
	}
	var rows []row
	total := map[string]*importStat{}
	var all importStat
	for _, p := range phaseOrder {
		for name, s := range h.counts[p] {
			rows = append(rows, row{p, name, *s})
			t := total[name]
			if t == nil {
				t = &importStat{}
				total[name] = t
			}
			t.Calls += s.Calls
			t.In += s.In
			t.Out += s.Out
			all.Calls += s.Calls
			all.In += s.In
			all.Out += s.Out
		}
	}
	fmt.Printf("### Host calls per request, by import\n\n| import | calls | bytes guest→host | bytes host→guest |\n|---|---:|---:|---:|\n")
	names := make([]string, 0, len(total))
	for k := range total {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return total[names[i]].Calls > total[names[j]].Calls })
	for _, k := range names {
		t := total[k]
		fmt.Printf("| %s | %s | %s | %s |\n", k, per(t.Calls, n), per(t.In, n), per(t.Out, n))
	}
	fmt.Printf("| **all** | **%s** | **%s** | **%s** |\n\n", per(all.Calls, n), per(all.In, n), per(all.Out, n))
	fmt.Printf("### Host calls per request, by phase\n\n| phase | import | calls | bytes guest→host | bytes host→guest |\n|---|---|---:|---:|---:|\n")
	sort.SliceStable(rows, func(i, j int) bool {
		pi, pj := slices.Index(phaseOrder, rows[i].phase), slices.Index(phaseOrder, rows[j].phase)
		if pi != pj {
			return pi < pj
		}
		return rows[i].s.Calls > rows[j].s.Calls
	})
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s | %s | %s |\n", r.phase, r.name, per(r.s.Calls, n), per(r.s.In, n), per(r.s.Out, n))
	}
	fmt.Println()
	if len(h.unknown) > 0 {
		fmt.Printf("Imports this host does not implement (answered Unimplemented): %v\n\n", h.unknown)
	}
}

func per(v, n int) string {
	switch {
	case v%n == 0:
		return strconv.Itoa(v / n)
	case v < n:
		return strconv.FormatFloat(float64(v)/float64(n), 'f', 2, 64)
	}
	return strconv.FormatFloat(float64(v)/float64(n), 'f', 1, 64)
}

func printGuestCalls(names []string, before, after []int64, n, top int) {
	type fc struct {
		name  string
		calls int64
	}
	var fs []fc
	var total int64
	var mallocs, gcs int64
	for i := range after {
		d := after[i] - before[i]
		if d == 0 {
			continue
		}
		total += d
		switch names[i] {
		case "runtime.mallocgc":
			mallocs = d
		case "runtime.gcStart":
			gcs = d
		}
		fs = append(fs, fc{names[i], d})
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].calls > fs[j].calls })
	fmt.Printf("### Guest function calls per request\n\n")
	fmt.Printf("- %s wasm function calls, %s allocations (runtime.mallocgc), %s GC cycles started (runtime.gcStart) per request\n\n",
		per(int(total), n), per(int(mallocs), n), strconv.FormatFloat(float64(gcs)/float64(n), 'f', 3, 64))
	fmt.Printf("| function | calls per request |\n|---|---:|\n")
	for i := 0; i < len(fs) && i < top; i++ {
		fmt.Printf("| %s | %s |\n", fs[i].name, per(int(fs[i].calls), n))
	}
	fmt.Println()
}

func printPhaseTimes(phases map[string][]time.Duration) {
	fmt.Printf("### Guest time per request under wazero (thread CPU time, no instrumentation)\n\n" +
		"The mean includes the requests that ran a garbage collection; the median does not.\n\n" +
		"| phase | median µs | p90 µs | mean µs |\n|---|---:|---:|---:|\n")
	var tot []time.Duration
	for _, p := range phaseOrder {
		ds := phases[p]
		if len(ds) == 0 {
			continue
		}
		if tot == nil {
			tot = make([]time.Duration, len(ds))
		}
		for i, d := range ds {
			tot[i] += d
		}
		slices.Sort(ds)
		fmt.Printf("| %s | %.1f | %.1f | %.1f |\n", p, us(ds[len(ds)/2]), us(ds[len(ds)*9/10]), us(mean(ds)))
	}
	slices.Sort(tot)
	if len(tot) > 0 {
		fmt.Printf("| **all** | **%.1f** | **%.1f** | **%.1f** |\n\n", us(tot[len(tot)/2]), us(tot[len(tot)*9/10]), us(mean(tot)))
	}
}

func mean(ds []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t / time.Duration(len(ds))
}

func us(d time.Duration) float64 { return float64(d) / 1e3 }

func printProfile(s *sampler, o options, folded []string) {
	flat, cum, total := s.byFunction()
	fmt.Printf("### Sampled profile of the guest (wall clock, every %s; written to %s)\n\n", o.interval, o.cpuprofile)
	if s.full {
		fmt.Printf("(call tree full at %d nodes: deeper paths were attributed to their callers)\n\n", maxNodes)
	}
	sort.Strings(folded)
	fmt.Printf("Functions called more than %d times per request have no listener (%d folded into their callers, e.g. %s).\n\n",
		o.fold, len(folded), strings.Join(folded[:min(8, len(folded))], ", "))
	type row struct {
		fn        int32
		flat, cum int64
	}
	var rows []row
	for fn, f := range flat {
		rows = append(rows, row{fn, f, cum[fn]})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].flat > rows[j].flat })
	fmt.Printf("| function | flat %% | cum %% |\n|---|---:|---:|\n")
	for i := 0; i < len(rows) && i < o.top; i++ {
		fmt.Printf("| %s | %.1f | %.1f |\n", s.names[rows[i].fn], 100*float64(rows[i].flat)/float64(total), 100*float64(rows[i].cum)/float64(total))
	}
	var crows []row
	for fn, c := range cum {
		crows = append(crows, row{fn, flat[fn], c})
	}
	sort.Slice(crows, func(i, j int) bool { return crows[i].cum > crows[j].cum })
	fmt.Printf("\n| function (by cumulative) | cum %% | flat %% |\n|---|---:|---:|\n")
	for i := 0; i < len(crows) && i < o.top; i++ {
		fmt.Printf("| %s | %.1f | %.1f |\n", s.names[crows[i].fn], 100*float64(crows[i].cum)/float64(total), 100*float64(crows[i].flat)/float64(total))
	}
	fmt.Println()
}
