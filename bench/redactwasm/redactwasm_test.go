// Package redactwasm measures the redactor compiled to wasm (GOOS=wasip1)
// and run under wazero, the same code path the proxy-wasm plugin uses.
package redactwasm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/egressguard/egressguard/internal/redact"
	"github.com/egressguard/egressguard/internal/wasmbench"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// plainText is typical English prose without entities (about 16 KiB).
var plainText = func() string {
	para := "The quarterly report was reviewed by the team on Monday, and everyone agreed that the new onboarding " +
		"flow improved retention by 12 percent. Please contact the support desk if you have questions about " +
		"billing, and remember that passwords must never be shared in chat. The meeting moved to room 4B at " +
		"3:30 pm; bring the printed agenda (version 2) and your laptop. "
	var b strings.Builder
	for b.Len() < 16384 {
		b.WriteString(para)
	}
	return b.String()
}()

// englishText is plainText with a few entities.
var englishText = plainText + "Reach Jane at jane.doe@example.com or +44 20 7946 0958; card 4111 1111 1111 1111. "

// llmText is about 16 KiB of markdown LLM output (../../internal/redact/testdata/bench/llm.txt)
// with one entity sentence every ~4 KiB (the same corpus as redact.BenchmarkRedactLLM).
var llmText = func() string {
	raw, err := os.ReadFile("../../internal/redact/testdata/bench/llm.txt")
	if err != nil {
		panic(err)
	}
	ents := []string{
		"You can reach Maria at maria.lopez@example.org or on +1 415 555 0132. ",
		"The staging host is 10.20.4.17 and the card on file is 4111 1111 1111 1111. ",
		"Use the header Authorization: Bearer Zx81kQ2mN7pL0vB4rT6yW9eH3j and rotate it monthly. ",
		"Wire the refund to DE89 3704 0044 0532 0130 00 by Friday. ",
	}
	var b strings.Builder
	next, e := 4096, 0
	for b.Len() < 16384 {
		b.Write(raw)
		if b.Len() >= next {
			b.WriteString(ents[e%len(ents)])
			next, e = next+4096, e+1
		}
	}
	return b.String()
}()

// guestResult is the guest's JSON line.
type guestResult struct {
	Bytes, Iterations int
	NS                int64
	Entities          int
	Allocs            int
	OutputSHA256      string `json:"output_sha256"`
}

var (
	buildOnce sync.Once
	wasmBin   []byte
	buildErr  error
)

// guestWasm builds ./guest for wasip1 once per test binary.
func guestWasm(t testing.TB) []byte {
	buildOnce.Do(func() { wasmBin, buildErr = wasmbench.Build("", "./guest", false) })
	if buildErr != nil {
		t.Fatalf("building the wasip1 guest: %v", buildErr)
	}
	return wasmBin
}

// runGuest runs the guest under wazero with text on stdin.
func runGuest(t testing.TB, rt wazero.Runtime, mod wazero.CompiledModule, text string, n int, args ...string) guestResult {
	var stdout, stderr bytes.Buffer
	cfg := wazero.NewModuleConfig().WithStdin(strings.NewReader(text)).WithStdout(&stdout).WithStderr(&stderr).
		WithArgs(append([]string{"guest", "-n", strconv.Itoa(n)}, args...)...).WithSysNanotime().WithSysWalltime()
	if _, err := rt.InstantiateModule(context.Background(), mod, cfg); err != nil && !strings.Contains(err.Error(), "exit_code(0)") {
		t.Fatalf("running guest: %v\nstderr: %s", err, stderr.String())
	}
	var res guestResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("guest output %q: %v (stderr %s)", stdout.String(), err, stderr.String())
	}
	return res
}

func newRuntime(t testing.TB) (wazero.Runtime, wazero.CompiledModule) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	mod, err := rt.CompileModule(ctx, guestWasm(t))
	if err != nil {
		t.Fatalf("compiling guest: %v", err)
	}
	return rt, mod
}

// TestWasmMatchesNative checks that the wasm build redacts exactly like the
// native one, whole and streamed.
func TestWasmMatchesNative(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a wasm guest")
	}
	rt, mod := newRuntime(t)
	defer rt.Close(context.Background())
	r, err := redact.New(redact.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{englishText, llmText} {
		out, rep := r.Redact(text, nil)
		sum := sha256.Sum256([]byte(out))
		for _, mode := range []string{"redact", "append", "stream"} {
			res := runGuest(t, rt, mod, text, 1, "-mode", mode)
			if res.OutputSHA256 != hex.EncodeToString(sum[:]) || res.Entities != rep.Total() || rep.Total() == 0 {
				t.Fatalf("%s: wasm output differs from native: wasm %+v, native %d entities", mode, res, rep.Total())
			}
		}
	}
}

// cpuNS returns the CPU time used by this process (user + system).
func cpuNS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkRedactWasm reports the guest-measured throughput ("wasm-MB/s"), the
// same from the CPU time the run used ("cpu-MB/s", steadier on a loaded
// machine; it includes the host's GC work) and
// allocations per pass ("allocs/pass") inside wazero, for Redact,
// AppendRedact into a reused buffer, a Stream with 16-byte deltas and the
// SSE transformer (16-byte deltas, 1 KiB network chunks, through Write or
// AppendWrite; MB/s of content, "µs/event" per SSE event), on English prose
// with and without entities and on markdown LLM output with entities.
func BenchmarkRedactWasm(b *testing.B) {
	rt, mod := newRuntime(b)
	defer rt.Close(context.Background())
	texts := []struct{ name, text string }{{"entities", englishText}, {"plain", plainText}, {"llm", llmText}}
	modes := []string{"redact", "append", "stream", "sse", "sse-append"}
	if m := os.Getenv("REDACTWASM_MODES"); m != "" {
		modes = strings.Split(m, ",") // e.g. to run an older guest without the append modes
	}
	for _, mode := range modes {
		for _, tx := range texts {
			name := tx.name
			if mode != "redact" {
				name = mode + "-" + tx.name
			}
			b.Run(name, func(b *testing.B) {
				n := 200
				if mode != "redact" && mode != "append" {
					n = 20
				}
				// CPU time of a run minus that of a run without timed
				// iterations (start-up and warm-up): unlike the guest's wall
				// clock, it does not count time spent waiting for a core
				// on a loaded machine.
				base := int64(1 << 62)
				for range 3 {
					c0 := cpuNS()
					runGuest(b, rt, mod, tx.text, 0, "-mode", mode)
					base = min(base, cpuNS()-c0)
				}
				var total, ns, cpu int64
				allocs, passes := 0, 0
				for b.Loop() {
					c0 := cpuNS()
					res := runGuest(b, rt, mod, tx.text, n, "-mode", mode)
					cpu += cpuNS() - c0 - base
					total += int64(res.Bytes * res.Iterations)
					passes += res.Iterations
					ns += res.NS
					allocs = res.Allocs
				}
				b.ReportMetric(float64(total)/(float64(ns)/1e9)/1e6, "wasm-MB/s")
				b.ReportMetric(float64(total)/(float64(max(cpu, 1))/1e9)/1e6, "cpu-MB/s")
				b.ReportMetric(float64(allocs), "allocs/pass")
				if strings.HasPrefix(mode, "sse") {
					events := (len(tx.text) + 15) / 16 // the guest's 16-byte deltas (a few more at UTF-8 boundaries)
					b.ReportMetric(float64(ns)/1e3/float64(max(1, passes*events)), "µs/event")
				}
			})
		}
	}
}
