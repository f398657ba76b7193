package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/egressguard/egressguard/internal/envoytest"
)

type report struct {
	Machine  machine      `json:"machine"`
	Settings settings     `json:"settings"`
	Variants []variantDoc `json:"variants"`
	// Notes are floors that could not be built or started (their variants were dropped).
	Notes   []string  `json:"notes,omitempty"`
	Results []summary `json:"results"`
}

// variantDoc says what a variant is.
type variantDoc struct {
	Name         string            `json:"name"`
	Doc          string            `json:"doc"`
	Config       string            `json:"plugin_config,omitempty"`
	WasmLogLevel string            `json:"wasm_log_level,omitempty"`
	Env          map[string]string `json:"vm_env,omitempty"`
}

type machine struct {
	Date               string   `json:"date"`
	NProc              int      `json:"nproc"`
	CPUModel           string   `json:"cpu_model"`
	GoVersion          string   `json:"go_version"`
	EnvoyVersion       string   `json:"envoy_version"`
	Modules            []string `json:"modules"` // path, size and sha256 of every measured module
	Checkout           string   `json:"checkout"`
	LoadAvgStart       string   `json:"loadavg_start"`
	LoadAvgEnd         string   `json:"loadavg_end"`
	EnvoyCPUAccounting bool     `json:"envoy_cpu_accounting"`
}

type settings struct {
	Command      string `json:"command"`
	Duration     string `json:"round_duration"`
	Warmup       string `json:"warmup"`
	Concurrency  int    `json:"concurrency"`
	Rounds       int    `json:"rounds"`
	EnvoyWorkers int    `json:"envoy_workers"`
	PluginConfig string `json:"plugin_config"`
	WasmLogLevel string `json:"wasm_log_level"`
	Bodies       int    `json:"bodies_per_size"`
	Floor        string `json:"floor"`
}

// summary is one body size (and mode) over all rounds.
type summary struct {
	BodyBytes int              `json:"body_bytes"`
	Stream    bool             `json:"stream"`
	Variants  []variantSummary `json:"variants"`
}

type variantSummary struct {
	Name     string    `json:"name"`
	Requests int       `json:"requests"`
	Errors   int       `json:"errors"`
	Non200   int       `json:"non_200"`
	RPS      float64   `json:"rps"`
	RoundRPS []float64 `json:"round_rps"`
	// Relative to "plain" (zero on plain itself).
	Ratio       float64   `json:"ratio_vs_plain"`
	RoundRatios []float64 `json:"round_ratios_vs_plain"`
	// Relative to the floor variant (zero on the floor itself and without a floor).
	FloorRatio       float64   `json:"ratio_vs_floor"`
	FloorRoundRatios []float64 `json:"round_ratios_vs_floor"`
	// Envoy CPU per request minus plain's.
	AddedCPUUs  float64 `json:"added_envoy_cpu_us_per_req"`
	P50Ms       float64 `json:"p50_ms"`
	P99Ms       float64 `json:"p99_ms"`
	TTFBP50Ms   float64 `json:"ttfb_p50_ms"`
	TTFBP99Ms   float64 `json:"ttfb_p99_ms"`
	AddedP50Ms  float64 `json:"added_p50_ms"`
	AddedP99Ms  float64 `json:"added_p99_ms"`
	AddedTTFB50 float64 `json:"added_ttfb_p50_ms"`
	AddedTTFB99 float64 `json:"added_ttfb_p99_ms"`
	EnvoyCPUUs  float64 `json:"envoy_cpu_us_per_req"`
	BenchCPUUs  float64 `json:"bench_cpu_us_per_req"`
	// CPUSplit is Envoy's CPU per request by where perf's samples landed (-perf only).
	CPUSplit *cpuSplit `json:"envoy_cpu_split_per_req,omitempty"`
}

// series collects the rounds of one body size.
type series struct {
	size   int
	stream bool
	names  []string
	rounds map[string][]roundResult
}

func newSeries(size int, stream bool, vs []*variant) *series {
	s := &series{size: size, stream: stream, rounds: map[string][]roundResult{}}
	for _, v := range vs {
		s.names = append(s.names, v.name)
	}
	return s
}

func (s *series) add(name string, r roundResult) { s.rounds[name] = append(s.rounds[name], r) }

func (s *series) summarize(floor string) summary {
	out := summary{BodyBytes: s.size, Stream: s.stream}
	for _, name := range s.names {
		var all roundResult
		v := variantSummary{Name: name}
		for _, r := range s.rounds[name] {
			all.N += r.N
			all.Errors += r.Errors
			all.Non200 += r.Non200
			all.Elapsed += r.Elapsed
			all.EnvoyCPU += r.EnvoyCPU
			all.SelfCPU += r.SelfCPU
			all.lat = append(all.lat, r.lat...)
			all.ttfb = append(all.ttfb, r.ttfb...)
			v.RoundRPS = append(v.RoundRPS, round2(r.rps()))
		}
		slices.Sort(all.lat)
		slices.Sort(all.ttfb)
		v.Requests, v.Errors, v.Non200 = all.N, all.Errors, all.Non200
		v.RPS = round2(all.rps())
		v.P50Ms, v.P99Ms = msf(pct(all.lat, 50)), msf(pct(all.lat, 99))
		v.TTFBP50Ms, v.TTFBP99Ms = msf(pct(all.ttfb, 50)), msf(pct(all.ttfb, 99))
		if all.N > 0 {
			v.EnvoyCPUUs = round2(float64(all.EnvoyCPU.Microseconds()) / float64(all.N))
			v.BenchCPUUs = round2(float64(all.SelfCPU.Microseconds()) / float64(all.N))
		}
		out.Variants = append(out.Variants, v)
	}
	base := out.Variants[0] // "plain"
	fl := slices.IndexFunc(out.Variants, func(v variantSummary) bool { return v.Name == floor })
	for i := 1; i < len(out.Variants); i++ {
		v := &out.Variants[i]
		v.Ratio, v.RoundRatios = ratioOf(v, &base)
		if fl > 0 && i != fl {
			v.FloorRatio, v.FloorRoundRatios = ratioOf(v, &out.Variants[fl])
		}
		v.AddedP50Ms, v.AddedP99Ms = round3(v.P50Ms-base.P50Ms), round3(v.P99Ms-base.P99Ms)
		v.AddedTTFB50, v.AddedTTFB99 = round3(v.TTFBP50Ms-base.TTFBP50Ms), round3(v.TTFBP99Ms-base.TTFBP99Ms)
		v.AddedCPUUs = round2(v.EnvoyCPUUs - base.EnvoyCPUUs)
	}
	return out
}

// ratioOf is v's throughput over base's, overall and per round (round k of both ran in
// the same interleaved pass).
func ratioOf(v, base *variantSummary) (float64, []float64) {
	var r float64
	var rs []float64
	if base.RPS > 0 {
		r = round3(v.RPS / base.RPS)
	}
	for k, x := range v.RoundRPS {
		if k < len(base.RoundRPS) && base.RoundRPS[k] > 0 {
			rs = append(rs, round3(x/base.RoundRPS[k]))
		}
	}
	return r, rs
}

func (rep *report) markdown() string {
	var b strings.Builder
	m, s := rep.Machine, rep.Settings
	fmt.Fprintf(&b, "## Envoy: plain, floors and the egress guard\n\n")
	fmt.Fprintf(&b, "- Command: `%s`\n", strings.TrimSpace(s.Command))
	fmt.Fprintf(&b, "- Date: %s\n", m.Date)
	fmt.Fprintf(&b, "- Machine: %d CPUs (nproc), %s; load average %s at start, %s at end\n", m.NProc, m.CPUModel, m.LoadAvgStart, m.LoadAvgEnd)
	fmt.Fprintf(&b, "- Software: %s, Envoy %s (V8 wasm runtime); checkout at run time: %s\n", m.GoVersion, m.EnvoyVersion, m.Checkout)
	fmt.Fprintf(&b, "- Modules: %s\n", strings.Join(m.Modules, "; "))
	fmt.Fprintf(&b, "- Load: %d closed-loop keep-alive connections per variant; %d rounds × %s per variant and body size, "+
		"interleaved and counterbalanced after a %s warm-up round (discarded); Envoy --concurrency %d; "+
		"%d distinct bodies per size, half with max_tokens above the cap; wasm log level %s unless a variant sets its own\n",
		s.Concurrency, s.Rounds, s.Duration, s.Warmup, s.EnvoyWorkers, s.Bodies, s.WasmLogLevel)
	fmt.Fprintf(&b, "- Guard plugin configuration: `%s`\n", s.PluginConfig)
	for _, n := range rep.Notes {
		fmt.Fprintf(&b, "- **Dropped**: %s\n", strings.ReplaceAll(n, "\n", " "))
	}
	b.WriteString("\n| variant | what it is |\n|---|---|\n")
	for _, v := range rep.Variants {
		fmt.Fprintf(&b, "| %s | %s |\n", v.Name, v.Doc)
	}
	b.WriteString("\n")

	var plainRes, sseRes []summary
	for _, r := range rep.Results {
		if r.Stream {
			sseRes = append(sseRes, r)
		} else {
			plainRes = append(plainRes, r)
		}
	}
	cpu := "Envoy CPU µs/req"
	if !m.EnvoyCPUAccounting {
		cpu = "Envoy CPU (n/a)"
	}
	vsFloor := "vs floor"
	if s.Floor != "" {
		vsFloor = "vs " + s.Floor
	}
	if len(plainRes) > 0 {
		fmt.Fprintf(&b, "### Request/response (JSON)\n\n")
		fmt.Fprintf(&b, "| body | variant | req/s | vs plain | per-round | %s | per-round | p50 ms | p99 ms | added p50 ms | %s | added CPU µs | errors / non-200 |\n", vsFloor, cpu)
		fmt.Fprintf(&b, "|---:|---|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|\n")
		for _, r := range plainRes {
			for i, v := range r.Variants {
				fmt.Fprintf(&b, "| %s | %s | %.0f | %s | %s | %s | %s | %.2f | %.2f | %s | %.0f | %s | %d / %d |\n",
					sizeLabel(r.BodyBytes), v.Name, v.RPS, ratio(i, v.Ratio), ratios(i, v.RoundRatios),
					ratio(len(v.FloorRoundRatios), v.FloorRatio), ratios(len(v.FloorRoundRatios), v.FloorRoundRatios),
					v.P50Ms, v.P99Ms, added(i, v.AddedP50Ms), v.EnvoyCPUUs, added0(i, v.AddedCPUUs), v.Errors, v.Non200)
			}
		}
		b.WriteString("\n")
	}
	if len(sseRes) > 0 {
		fmt.Fprintf(&b, "### Streaming (SSE response)\n\n")
		fmt.Fprintf(&b, "| body | variant | req/s | vs plain | %s | TTFB p50 ms | TTFB p99 ms | added TTFB p50 ms | full stream p50 ms | full stream p99 ms | %s | added CPU µs | errors / non-200 |\n", vsFloor, cpu)
		fmt.Fprintf(&b, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, r := range sseRes {
			for i, v := range r.Variants {
				fmt.Fprintf(&b, "| %s | %s | %.0f | %s | %s | %.2f | %.2f | %s | %.2f | %.2f | %.0f | %s | %d / %d |\n",
					sizeLabel(r.BodyBytes), v.Name, v.RPS, ratio(i, v.Ratio), ratio(len(v.FloorRoundRatios), v.FloorRatio),
					v.TTFBP50Ms, v.TTFBP99Ms, added(i, v.AddedTTFB50), v.P50Ms, v.P99Ms, v.EnvoyCPUUs, added0(i, v.AddedCPUUs), v.Errors, v.Non200)
			}
		}
		b.WriteString("\n")
	}
	b.WriteString(splitMarkdown(rep.Results))
	return b.String()
}

// splitMarkdown is the -perf table: Envoy's CPU per request by where it was spent.
func splitMarkdown(rs []summary) string {
	var b strings.Builder
	for _, r := range rs {
		for _, v := range r.Variants {
			if v.CPUSplit == nil {
				continue
			}
			if b.Len() == 0 {
				b.WriteString("### Where Envoy's CPU goes (perf cpu-clock samples of the Envoy process)\n\n")
				b.WriteString("| body | variant | guest wasm code (V8 JIT) µs/req | envoy binary (Envoy, V8 runtime, host calls) µs/req | kernel µs/req | other µs/req | sampled total µs/req | samples |\n")
				b.WriteString("|---:|---|---:|---:|---:|---:|---:|---:|\n")
			}
			label := sizeLabel(r.BodyBytes)
			if r.Stream {
				label += " SSE"
			}
			s := v.CPUSplit
			fmt.Fprintf(&b, "| %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %d |\n", label, v.Name, s.GuestUs, s.EnvoyUs, s.KernelUs, s.OtherUs, s.TotalUs, s.Samples)
		}
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

func sizeLabel(n int) string {
	if n%1024 == 0 {
		return strconv.Itoa(n/1024) + " KiB"
	}
	return strconv.Itoa(n) + " B"
}

func ratio(i int, r float64) string {
	if i == 0 {
		return "—"
	}
	return fmt.Sprintf("**%.0f %%**", r*100)
}

func ratios(i int, rs []float64) string {
	if i == 0 || len(rs) == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f–%.2f", slices.Min(rs), slices.Max(rs))
}

func added0(i int, v float64) string {
	if i == 0 {
		return "—"
	}
	return fmt.Sprintf("%+.0f", v)
}

func added(i int, v float64) string {
	if i == 0 {
		return "—"
	}
	return fmt.Sprintf("%+.2f", v)
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
func round3(f float64) float64 {
	if f < 0 {
		return -round3(-f)
	}
	return float64(int64(f*1000+0.5)) / 1000
}
func msf(d time.Duration) float64 { return round3(float64(d) / 1e6) }
func ms(d time.Duration) string   { return fmt.Sprintf("%.2fms", float64(d)/1e6) }
func us(d time.Duration) string   { return fmt.Sprintf("%dµs", d.Microseconds()) }

func machineFacts(envoyBin string, vs []*variant) machine {
	var mods []string
	for _, v := range vs {
		if f := v.spec.module; f != "" && !slices.ContainsFunc(mods, func(s string) bool { return strings.Contains(s, f) }) {
			mods = append(mods, v.spec.build+" "+wasmFacts(f))
		}
	}
	m := machine{Modules: mods, Checkout: checkout(), Date: time.Now().UTC().Format("2006-01-02 15:04 MST"), NProc: runtime.NumCPU(), GoVersion: runtime.Version()}
	if b, err := readFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if out, err := exec.Command(envoyBin, "--version").CombinedOutput(); err == nil {
		s := string(bytes.TrimSpace(out))
		if _, v, ok := strings.Cut(s, "version:"); ok {
			s = strings.TrimSpace(v)
		}
		m.EnvoyVersion = s
	} else {
		m.EnvoyVersion = "unknown (" + err.Error() + ")"
	}
	return m
}

func wasmFacts(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return p + " (unreadable)"
	}
	sum := sha256.Sum256(b)
	return fmt.Sprintf("`%s` (%d bytes, sha256 %x)", p, len(b), sum[:6])
}

// checkout names the repository HEAD and whether tracked files differ from it (the
// measured module may have been built from another tree: see the wasm hash).
func checkout() string {
	root := envoytest.RepoRoot()
	head, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	s := strings.TrimSpace(string(head))
	if st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		s += " with uncommitted changes"
	}
	return s
}

func loadAvg() string {
	b, err := readFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}

func readFile(p string) ([]byte, error) { return os.ReadFile(p) }
