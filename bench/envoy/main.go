// Command envoy is the data-plane benchmark: one real Envoy with two listeners on the same
// upstream — "plain" (no filter) and "guard" (the egress guard wasm filter) — driven by a
// closed-loop load generator in this process, against an in-process fakellm upstream.
//
// For every body size the variants run in interleaved rounds (plain, guard, guard, plain,
// plain, guard, …) after a discarded warm-up round, so a noisy shared machine hits both
// variants alike; the headline figure is the guard/plain throughput ratio of the same run.
//
//	go run ./bench/envoy [-duration 3s] [-rounds 4] [-concurrency 16] [-sizes 1024,16384] [-json out.json]
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
	"strconv"
	"strings"
	"time"

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
	envoyWorkers        int
	pluginConfig        string
	jsonOut             string
	passthrough         bool
	bodiesPerSize       int
}

func main() {
	var o options
	var sizes, streamSizes string
	flag.DurationVar(&o.duration, "duration", 3*time.Second, "measured duration of one round of one variant")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "warm-up round per variant and body size (discarded)")
	flag.IntVar(&o.concurrency, "concurrency", 16, "closed-loop workers, one keep-alive connection each, per variant")
	flag.IntVar(&o.rounds, "rounds", 4, "measured rounds per variant and body size")
	flag.StringVar(&sizes, "sizes", "1024,16384", "request body sizes in bytes (non-streaming)")
	flag.StringVar(&streamSizes, "stream-sizes", "1024", `body sizes for the SSE streaming variant ("" disables)`)
	flag.StringVar(&o.envoyBin, "envoy", envoytest.DefaultEnvoyBin(), "Envoy binary")
	flag.StringVar(&o.wasm, "wasm", envoytest.DefaultWasm(), "egress guard wasm module")
	flag.IntVar(&o.envoyWorkers, "envoy-workers", 2, "Envoy --concurrency (worker threads)")
	flag.StringVar(&o.wasmLogLevel, "wasm-log-level", "info", `Envoy's wasm component log level ("warn" drops the per-request audit line)`)
	flag.StringVar(&o.pluginConfig, "config", defaultConfig, "plugin configuration of the guard listener")
	flag.StringVar(&o.jsonOut, "json", "", "also write the results as JSON to this file")
	flag.BoolVar(&o.passthrough, "passthrough", false,
		"add a third listener \"guard-pass\": the plugin loaded but the chat path not inspected (splits VM-call cost from body buffering and inspection)")
	flag.IntVar(&o.bodiesPerSize, "bodies", 8, "distinct request bodies per size (half above the max_tokens cap)")
	flag.Parse()
	var err error
	if o.sizes, err = parseSizes(sizes); err == nil {
		o.streamSizes, err = parseSizes(streamSizes)
	}
	if err == nil && (o.concurrency < 1 || o.rounds < 1 || o.duration <= 0 || o.bodiesPerSize < 2) {
		err = errors.New("-concurrency, -rounds, -duration must be positive and -bodies at least 2")
	}
	if err == nil {
		err = run(o)
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

func run(o options) error {
	tokenCap, err := capOf(o.pluginConfig)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	upstream := fakellm.New(fakellm.Options{Name: "bench", MaxRecorded: 1})
	var handler http.Handler = upstream
	if o.passthrough {
		// envoytest's readiness probe expects every plugin listener to answer a text/plain
		// chat request with 415. guard-pass does not inspect that path, so the probe reaches
		// the upstream: answer it the same way there. Benchmark requests are JSON.
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("content-type") == "text/plain" {
				w.WriteHeader(http.StatusUnsupportedMediaType)
				return
			}
			upstream.ServeHTTP(w, r)
		})
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	defer srv.Close()

	listeners := []envoytest.Listener{
		{Name: "plain", NoFilter: true},
		{Name: "guard", PluginConfig: o.pluginConfig},
	}
	if o.passthrough {
		listeners = append(listeners, envoytest.Listener{Name: "guard-pass", PluginConfig: passthroughConfig(o.pluginConfig)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	fmt.Fprintln(os.Stderr, "bench/envoy: starting Envoy", o.envoyBin, "with", o.wasm)
	t0 := time.Now()
	e, err := envoytest.Start(ctx, envoytest.Options{
		EnvoyBin:     o.envoyBin,
		WasmPath:     o.wasm,
		Listeners:    listeners,
		Clusters:     map[string]string{"llm": ln.Addr().String()},
		Concurrency:  o.envoyWorkers,
		WasmLogLevel: o.wasmLogLevel,
	})
	if err != nil {
		return err
	}
	defer e.Stop()
	envoyPID := findPID(e.Dir)
	fmt.Fprintf(os.Stderr, "bench/envoy: Envoy pid %d ready after %s\n", envoyPID, time.Since(t0).Round(time.Millisecond))

	rep := report{
		Machine: machineFacts(o.envoyBin, o.wasm),
		Settings: settings{
			Duration: o.duration.String(), Warmup: o.warmup.String(), Concurrency: o.concurrency,
			Rounds: o.rounds, EnvoyWorkers: o.envoyWorkers, PluginConfig: o.pluginConfig,
			Bodies: o.bodiesPerSize, Command: "go run ./bench/envoy " + strings.Join(os.Args[1:], " "),
		},
	}
	rep.Machine.LoadAvgStart = loadAvg()

	var variants []*variant
	for _, l := range listeners {
		variants = append(variants, newVariant(l.Name, e.URL(l.Name), o.concurrency))
	}
	if err := sanityCheck(variants, upstream, tokenCap); err != nil {
		return err
	}

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
		bodies, err := makeBodies(j.size, o.bodiesPerSize, tokenCap, j.stream)
		if err != nil {
			return err
		}
		reqs := make([][]byte, len(bodies))
		for i, b := range bodies {
			reqs[i] = httpRequest(b)
		}
		label := fmt.Sprintf("%d B", j.size)
		if j.stream {
			label += " SSE"
		}
		for _, v := range variants { // warm-up, discarded
			r := runRound(v, reqs, o.warmup, envoyPID)
			fmt.Fprintf(os.Stderr, "%-12s warm-up  %-10s %8.0f req/s  errors=%d non200=%d\n", label, v.name, r.rps(), r.Errors, r.Non200)
			reportBad(r)
		}
		res := newSeries(j.size, j.stream, variants)
		for round := 0; round < o.rounds; round++ {
			for k := range variants {
				// Counterbalanced interleaving: even rounds plain first, odd rounds guard first,
				// so a load trend on the machine does not favour either variant.
				v := variants[k]
				if round%2 == 1 {
					v = variants[len(variants)-1-k]
				}
				r := runRound(v, reqs, o.duration, envoyPID)
				res.add(v.name, r)
				fmt.Fprintf(os.Stderr, "%-12s round %d  %-10s %8.0f req/s  p50 %s  p99 %s  envoy %s/req  errors=%d non200=%d\n",
					label, round+1, v.name, r.rps(), ms(pct(r.lat, 50)), ms(pct(r.lat, 99)), us(r.envoyCPUPerReq()), r.Errors, r.Non200)
				reportBad(r)
			}
		}
		rep.Results = append(rep.Results, res.summarize())
	}
	rep.Machine.LoadAvgEnd = loadAvg()
	rep.Machine.EnvoyCPUAccounting = envoyPID != 0

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

// passthroughConfig is the guard configuration with the chat API moved to a path nobody
// calls and /v1/chat/completions listed as a passthrough path: it then passes
// uninspected — the VM still runs the header and body callbacks, but nothing is
// buffered, copied into the VM or parsed.
func passthroughConfig(cfg string) string {
	var m map[string]any
	if json.Unmarshal([]byte(cfg), &m) != nil || m == nil {
		m = map[string]any{}
	}
	m["api"] = map[string]any{"chat_paths": []string{"/bench/not-inspected"}, "passthrough_paths": []string{"/v1/chat/completions"}}
	b, _ := json.Marshal(m)
	return string(b)
}

// sanityCheck proves the variants differ as intended before any load: through "guard"
// the above-cap max_tokens reaches the upstream clamped, through "plain" untouched.
func sanityCheck(vs []*variant, up *fakellm.Server, tokenCap int) error {
	bodies, err := makeBodies(1024, 2, tokenCap, false)
	if err != nil {
		return err
	}
	for _, v := range vs {
		want := 4 * tokenCap
		if v.name == "guard" {
			want = tokenCap
		}
		c := &client{addr: v.addr}
		status, _, _, err := c.do(httpRequest(bodies[0]))
		c.close()
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
