// Command envoy is the data-plane benchmark: one real Envoy with a listener per variant —
// plain Envoy, minimal Go and Rust proxy-wasm filters (the floors), an ext_proc design, the
// egress guard and guard configurations with stages switched off — all routed to the same
// in-process fakellm upstream and driven by a closed-loop load generator in this process.
//
// For every body size the variants run in interleaved, counterbalanced rounds after a
// discarded warm-up round, so a noisy shared machine hits all variants alike; the headline
// figures are ratios within one run: throughput against plain Envoy and against the Go floor,
// and Envoy CPU per request.
//
//	go run ./bench/envoy [-variants default|floors|ablate|base|all|name,…] [-base-wasm old.wasm] [-duration 3s] [-rounds 4] [-json out.json]
//
// See bench/envoy/README.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/egressguard/egressguard/bench/internal/chatbody"
	"github.com/egressguard/egressguard/internal/envoytest"
	"github.com/egressguard/egressguard/internal/fakellm"
)

const defaultConfig = `{"max_tokens":{"default":256,"cap":1024}}`

type options struct {
	duration, warmup    time.Duration
	concurrency, rounds int
	wasmLogLevel        string
	sizes, streamSizes  []int
	envoyBin, wasm      string
	baseWasm            string
	envoyWorkers        int
	pluginConfig        string
	jsonOut             string
	variants            string
	floor               string
	bodiesPerSize       int
	perf                bool
}

func main() {
	var o options
	var sizes, streamSizes string
	flag.StringVar(&o.variants, "variants", "default",
		"variants and groups to run, comma-separated (groups: default, floors, calls, ablate, base, all; variants: "+specNames()+")")
	flag.StringVar(&o.floor, "floor", "go-body", "variant the others are also compared against (\"vs floor\")")
	flag.DurationVar(&o.duration, "duration", 3*time.Second, "measured duration of one round of one variant")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "warm-up round per variant and body size (discarded)")
	flag.IntVar(&o.concurrency, "concurrency", 16, "closed-loop workers, one keep-alive connection each, per variant")
	flag.IntVar(&o.rounds, "rounds", 4, "measured rounds per variant and body size")
	flag.StringVar(&sizes, "sizes", "1024,16384", "request body sizes in bytes (non-streaming)")
	flag.StringVar(&streamSizes, "stream-sizes", "1024", `body sizes for the SSE streaming variant ("" disables)`)
	flag.StringVar(&o.envoyBin, "envoy", envoytest.DefaultEnvoyBin(), "Envoy binary")
	flag.StringVar(&o.wasm, "wasm", envoytest.DefaultWasm(), "egress guard wasm module")
	flag.StringVar(&o.baseWasm, "base-wasm", "", "a second guard module (e.g. an earlier commit's) for the guard-base variants")
	flag.IntVar(&o.envoyWorkers, "envoy-workers", 2, "Envoy --concurrency (worker threads)")
	flag.StringVar(&o.wasmLogLevel, "wasm-log-level", "info", `Envoy's wasm component log level for all variants except those that set their own`)
	flag.StringVar(&o.pluginConfig, "config", defaultConfig, "plugin configuration of the guard variants (ablations are overlaid on it)")
	flag.StringVar(&o.jsonOut, "json", "", "also write the results as JSON to this file")
	flag.IntVar(&o.bodiesPerSize, "bodies", 8, "distinct request bodies per size (half above the max_tokens cap)")
	flag.BoolVar(&o.perf, "perf", false, "sample Envoy with `perf record` (cpu-clock) and split each variant's Envoy CPU into the guest's JIT code, the envoy binary and the kernel")
	flag.Parse()
	var err error
	if o.sizes, err = parseSizes(sizes); err == nil {
		o.streamSizes, err = parseSizes(streamSizes)
	}
	if err == nil && (o.concurrency < 1 || o.rounds < 1 || o.duration <= 0 || o.bodiesPerSize < 2) {
		err = errors.New("-concurrency, -rounds, -duration must be positive and -bodies at least 2")
	}
	if err == nil {
		err = runBench(o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/envoy:", err)
		os.Exit(1)
	}
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 512 {
			return nil, fmt.Errorf("bad size %q (bytes, at least 512)", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func runBench(o options) error {
	tokenCap, err := capOf(o.pluginConfig)
	if err != nil {
		return err
	}
	ss, err := selectSpecs(o.variants)
	if err != nil {
		return err
	}
	root := envoytest.RepoRoot()
	ss, notes, err := resolveModules(ss, root, o.wasm, o.baseWasm)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	var extProc *extProcServer
	if i := slices.IndexFunc(ss, func(s spec) bool { return s.extProc }); i >= 0 {
		if extProc, err = startExtProc(ctx, root, tokenCap); err != nil {
			notes = append(notes, fmt.Sprintf("extproc dropped: %v", err))
			fmt.Fprintf(os.Stderr, "bench/envoy: %s\n", notes[len(notes)-1])
			ss = slices.Delete(ss, i, i+1)
		} else {
			defer extProc.stop()
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	upstream := fakellm.New(fakellm.Options{Name: "bench", MaxRecorded: 1})
	srv := &http.Server{Handler: upstream}
	go srv.Serve(ln)
	defer srv.Close()

	var variants []*variant
	extAddrs := map[string]string{}
	for _, s := range ss {
		v := &variant{name: s.name, spec: s, config: s.config(o.pluginConfig, tokenCap)}
		if s.extProc {
			extAddrs[s.name], v.extraPID = extProc.addr, extProc.pid()
		}
		variants = append(variants, v)
	}
	fmt.Fprintf(os.Stderr, "bench/envoy: starting Envoy %s with %d variants\n", o.envoyBin, len(variants))
	t0 := time.Now()
	e, err := startEnvoy(ctx, o.envoyBin, o.envoyWorkers, o.wasmLogLevel, bootstrapFor(variants, ln.Addr().String(), extAddrs))
	if err != nil {
		return err
	}
	defer e.stop()
	fmt.Fprintf(os.Stderr, "bench/envoy: Envoy pid %d ready after %s\n", e.pid(), time.Since(t0).Round(time.Millisecond))
	for _, v := range variants {
		v.connect(e.listeners[v.name], o.concurrency)
	}

	floor := o.floor
	if !slices.ContainsFunc(variants, func(v *variant) bool { return v.name == floor }) {
		floor = ""
	}
	rep := report{
		Machine: machineFacts(o.envoyBin, variants),
		Settings: settings{
			Duration: o.duration.String(), Warmup: o.warmup.String(), Concurrency: o.concurrency,
			Rounds: o.rounds, EnvoyWorkers: o.envoyWorkers, PluginConfig: o.pluginConfig, WasmLogLevel: o.wasmLogLevel,
			Bodies: o.bodiesPerSize, Command: "go run ./bench/envoy " + strings.Join(os.Args[1:], " "), Floor: floor,
		},
		Notes: notes,
	}
	for _, v := range variants {
		rep.Variants = append(rep.Variants, variantDoc{Name: v.name, Doc: v.spec.doc, Config: v.config, WasmLogLevel: v.spec.wasmLogLevel, Env: v.spec.env})
	}
	rep.Machine.LoadAvgStart = loadAvg()

	if err := sanityCheck(variants, upstream, tokenCap); err != nil {
		return err
	}
	var rec *perfRecorder
	if o.perf {
		if rec, err = startPerf(e.pid()); err != nil {
			return err
		}
	}
	var allSeries []*series

	type job struct {
		size   int
		stream bool
	}
	var jobs []job
	for _, s := range o.sizes {
		jobs = append(jobs, job{s, false})
	}
	for _, s := range o.streamSizes {
		jobs = append(jobs, job{s, true})
	}
	for _, j := range jobs {
		bodies, err := chatbody.Make(j.size, o.bodiesPerSize, tokenCap, j.stream)
		if err != nil {
			return err
		}
		reqs := make([][]byte, len(bodies))
		for i, b := range bodies {
			reqs[i] = chatbody.HTTPRequest(b)
		}
		label := fmt.Sprintf("%d B", j.size)
		if j.stream {
			label += " SSE"
		}
		round := func(v *variant, d time.Duration) (roundResult, error) {
			if lvl := v.spec.wasmLogLevel; lvl != "" {
				if err := e.setWasmLogLevel(lvl); err != nil {
					return roundResult{}, err
				}
				defer func() { _ = e.setWasmLogLevel(o.wasmLogLevel) }() // Envoy is stopped after the round anyway
			}
			return runRound(v, reqs, d, e.pid()), nil
		}
		for _, v := range variants { // warm-up, discarded
			r, err := round(v, o.warmup)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "%-12s warm-up  %-15s %8.0f req/s  errors=%d non200=%d\n", label, v.name, r.rps(), r.Errors, r.Non200)
			reportBad(r)
		}
		res := newSeries(j.size, j.stream, variants)
		for rd := 0; rd < o.rounds; rd++ {
			for _, k := range roundOrder(len(variants), rd) {
				v := variants[k]
				r, err := round(v, o.duration)
				if err != nil {
					return err
				}
				res.add(v.name, r)
				fmt.Fprintf(os.Stderr, "%-12s round %d  %-15s %8.0f req/s  p50 %s  p99 %s  envoy %s/req  errors=%d non200=%d\n",
					label, rd+1, v.name, r.rps(), ms(pct(r.lat, 50)), ms(pct(r.lat, 99)), us(r.envoyCPUPerReq()), r.Errors, r.Non200)
				reportBad(r)
			}
		}
		rep.Results = append(rep.Results, res.summarize(floor))
		allSeries = append(allSeries, res)
	}
	if rec != nil {
		ss, err := rec.stop()
		if err != nil {
			return err
		}
		for i, res := range allSeries {
			for k := range rep.Results[i].Variants {
				v := &rep.Results[i].Variants[k]
				v.CPUSplit = splitOf(res.rounds[v.Name], ss)
			}
		}
	}
	rep.Machine.LoadAvgEnd = loadAvg()
	rep.Machine.EnvoyCPUAccounting = e.pid() != 0

	fmt.Print(rep.markdown())
	if o.jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(o.jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	var bad int
	for _, r := range rep.Results {
		for _, v := range r.Variants {
			bad += v.Errors + v.Non200
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d requests failed or were not 200: the figures are not valid", bad)
	}
	return nil
}

// roundOrder is the order of n variants in round r: the report order rotated by r/2,
// reversed in odd rounds. Over the rounds every variant runs early and late, and a load
// trend on the machine favours none of them.
func roundOrder(n, r int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = (i + r/2) % n
	}
	if r%2 == 1 {
		slices.Reverse(out)
	}
	return out
}

// reportBad prints the statuses of non-200 answers and one body, so a failing run says why.
func reportBad(r roundResult) {
	if r.Non200 > 0 {
		fmt.Fprintf(os.Stderr, "    non-200 statuses %v, e.g. %q\n", r.Statuses, r.Sample)
	}
}

// capOf reads max_tokens.cap from the plugin configuration (the plugin's default is 4096).
func capOf(cfg string) (int, error) {
	var c struct {
		MaxTokens struct {
			Cap int `json:"cap"`
		} `json:"max_tokens"`
	}
	if err := json.Unmarshal([]byte(cfg), &c); err != nil {
		return 0, fmt.Errorf("-config: %v", err)
	}
	if c.MaxTokens.Cap == 0 {
		return 4096, nil
	}
	return c.MaxTokens.Cap, nil
}

// sanityCheck proves the variants differ as intended before any load: through a clamping
// variant the above-cap max_tokens reaches the upstream clamped, through the others
// untouched. It retries for a while: a listener may answer before its VM is ready.
func sanityCheck(vs []*variant, up *fakellm.Server, tokenCap int) error {
	bodies, err := chatbody.Make(1024, 2, tokenCap, false)
	if err != nil {
		return err
	}
	for _, v := range vs {
		want := 4 * tokenCap
		if v.spec.clamps {
			want = tokenCap
		}
		var status int
		deadline := time.Now().Add(20 * time.Second)
		for {
			c := &client{addr: v.addr}
			status, _, _, err = c.do(chatbody.HTTPRequest(bodies[0]))
			c.close()
			if (err == nil && status == 200) || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if err != nil || status != 200 {
			return fmt.Errorf("sanity check via %s: status %d, %v", v.name, status, err)
		}
		last, ok := up.Last()
		var got struct {
			MaxTokens int `json:"max_tokens"`
		}
		if !ok || json.Unmarshal(last.Body, &got) != nil || got.MaxTokens != want {
			return fmt.Errorf("sanity check via %s: upstream saw max_tokens=%d, want %d", v.name, got.MaxTokens, want)
		}
	}
	return nil
}
