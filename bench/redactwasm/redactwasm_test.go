// Package redactwasm measures the redactor compiled to wasm (GOOS=wasip1)
// and run under wazero, the same code path the proxy-wasm plugin uses.
package redactwasm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/egressguard/egressguard/internal/redact"
	"github.com/egressguard/egressguard/internal/wasmbench"
	"github.com/tetratelabs/wazero"
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

// llmText is wasmbench.LLMText: markdown LLM output with entity sentences.
var llmText = wasmbench.LLMText()

// guestResult is the guest's JSON line.
type guestResult struct {
	Bytes, Iterations int
	NS                int64
	Entities          int
	Allocs            int
	OutputSHA256      string `json:"output_sha256"`
}

var guest = wasmbench.NewGuest("./guest")

func newRuntime(t testing.TB) (wazero.Runtime, wazero.CompiledModule) { return guest.Runtime(t) }

// runGuest runs the guest under wazero with text on stdin.
func runGuest(t testing.TB, rt wazero.Runtime, mod wazero.CompiledModule, text string, n int, args ...string) (res guestResult) {
	wasmbench.Run(t, rt, mod, text, n, &res, args...)
	return res
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
