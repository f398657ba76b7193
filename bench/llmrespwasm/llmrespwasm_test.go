// Package llmrespwasm measures the response model compiled to wasm (GOOS=wasip1) and
// run under wazero, the code path of the proxy-wasm plugin, against the text
// redactor alone.
package llmrespwasm

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/egressguard/egressguard/internal/wasmbench"
	"github.com/tetratelabs/wazero"
)

// llmText is wasmbench.LLMText: markdown LLM output with entity sentences.
var llmText = wasmbench.LLMText()

type guestResult struct {
	Bytes, Iterations int
	NS                int64
	Entities, Allocs  int
	OutputSHA256      string `json:"output_sha256"`
}

var guest = wasmbench.NewGuest("./guest")

func newRuntime(t testing.TB) (wazero.Runtime, wazero.CompiledModule) { return guest.Runtime(t) }

func runGuest(t testing.TB, rt wazero.Runtime, mod wazero.CompiledModule, text string, n int, args ...string) (res guestResult) {
	wasmbench.Run(t, rt, mod, text, n, &res, args...)
	return res
}

var modes = []string{"text", "json", "stream", "sse", "responses-sse", "reader"}

// TestWasmMatchesNative: the wasm build produces the native build's bytes in every
// mode, and every mode finds the corpus's entities.
func TestWasmMatchesNative(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a wasm guest")
	}
	rt, mod := newRuntime(t)
	defer rt.Close(context.Background())
	bin := nativeGuest(t, t.TempDir())
	for _, mode := range modes {
		res := runGuest(t, rt, mod, llmText, 1, "-mode", mode)
		native := nativeRun(t, bin, mode)
		if res.OutputSHA256 != native.OutputSHA256 || res.Entities == 0 || res.Entities != native.Entities {
			t.Fatalf("%s: wasm %+v, native %+v", mode, res, native)
		}
	}
}

// nativeGuest builds the guest for this machine in dir.
func nativeGuest(t *testing.T, dir string) string {
	bin := filepath.Join(dir, "guest")
	if out, err := exec.Command("go", "build", "-o", bin, "./guest").CombinedOutput(); err != nil {
		t.Fatalf("building the native guest: %v: %s", err, out)
	}
	return bin
}

// nativeRun runs the native guest for one pass.
func nativeRun(t *testing.T, bin, mode string) guestResult {
	cmd := exec.Command(bin, "-n", "1", "-mode", mode)
	cmd.Stdin = strings.NewReader(llmText)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("native guest: %v", err)
	}
	var res guestResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

func cpuNS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkWasm reports per mode the guest-measured throughput of text ("wasm-MB/s"),
// the same from the CPU time the run used ("cpu-MB/s", steadier on a loaded machine)
// and allocations per pass, under wazero. text and stream are the text redactor
// alone: the JSON and SSE layers' overhead is the difference.
func BenchmarkWasm(b *testing.B) {
	rt, mod := newRuntime(b)
	defer rt.Close(context.Background())
	for _, mode := range modes {
		b.Run(mode, func(b *testing.B) {
			n := 100
			if strings.Contains(mode, "sse") || mode == "stream" {
				n = 20
			}
			base := int64(1 << 62)
			for range 3 {
				c0 := cpuNS()
				runGuest(b, rt, mod, llmText, 0, "-mode", mode)
				base = min(base, cpuNS()-c0)
			}
			var total, ns, cpu int64
			allocs := 0
			for b.Loop() {
				c0 := cpuNS()
				res := runGuest(b, rt, mod, llmText, n, "-mode", mode)
				cpu += cpuNS() - c0 - base
				total += int64(res.Bytes * res.Iterations)
				ns += res.NS
				allocs = res.Allocs
			}
			b.ReportMetric(float64(total)/(float64(ns)/1e9)/1e6, "wasm-MB/s")
			b.ReportMetric(float64(total)/(float64(max(cpu, 1))/1e9)/1e6, "cpu-MB/s")
			b.ReportMetric(float64(allocs), "allocs/pass")
		})
	}
}

// TestWasmRounds (run with LLMRESPWASM_ROUNDS=n) runs every mode n times, modes
// interleaved so that a loaded machine slows them alike, and prints per mode the
// best and the median throughput of text from the CPU time of each run (MB/s).
//
//	LLMRESPWASM_ROUNDS=15 go test -run TestWasmRounds -v ./bench/llmrespwasm
func TestWasmRounds(t *testing.T) {
	rounds, _ := strconv.Atoi(os.Getenv("LLMRESPWASM_ROUNDS"))
	if rounds <= 0 {
		t.Skip("set LLMRESPWASM_ROUNDS")
	}
	rt, mod := newRuntime(t)
	defer rt.Close(context.Background())
	base := map[string]int64{}
	for _, mode := range modes {
		base[mode] = 1 << 62
		for range 3 {
			c0 := cpuNS()
			runGuest(t, rt, mod, llmText, 0, "-mode", mode)
			base[mode] = min(base[mode], cpuNS()-c0)
		}
	}
	runs := map[string][]float64{}
	for range rounds {
		for _, mode := range modes {
			n := map[string]int{"text": 200, "json": 200, "stream": 40}[mode]
			if n == 0 {
				n = 10
			}
			c0 := cpuNS()
			res := runGuest(t, rt, mod, llmText, n, "-mode", mode)
			cpu := max(cpuNS()-c0-base[mode], 1)
			runs[mode] = append(runs[mode], float64(res.Bytes*res.Iterations)/(float64(cpu)/1e9)/1e6)
		}
	}
	var rows [][][]float64
	for _, mode := range modes {
		rows = append(rows, [][]float64{runs[mode]})
	}
	wasmbench.PrintBestMedian("cpu-MB/s of text, best / median", modes, []string{"llmresp"}, rows)
}
