package inspectwasm

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/wasmbench"
)

var threadCPU = wasmbench.ThreadCPU

// TestCPUThroughput reports MB/s per thread-CPU second (best of 3) for each
// guest mode and size. It only runs with INSPECTWASM_CPU=1:
//
//	INSPECTWASM_CPU=1 go test -run CPUThroughput -v ./bench/inspectwasm
//
// Modes: engine, baseline (the 13 regexps) and three ceilings (guest
// bareLoop/swarLoop): bare-hot and bare-spread do one class-table lookup
// and one dense-DFA transition per byte over a table of the engine's size,
// with transitions among 1024 hot states or spread over all 17k; swar only
// finds word starts, eight bytes per step; hashwords, swarwords and
// hashcall split the text into words and probe a table once per word (guest
// hashWords: byte at a time, eight bytes at a time, and with a function call
// per word).
var modeNames = []string{"engine", "baseline", "bare-hot", "bare-spread", "swar", "hashwords", "swarwords", "hashcall"}

func TestCPUThroughput(t *testing.T) {
	if os.Getenv("INSPECTWASM_CPU") == "" {
		t.Skip("set INSPECTWASM_CPU=1")
	}
	names := modeNames
	if os.Getenv("INSPECTWASM_CPU") == "engine" {
		names = modeNames[:1] // engine only (e.g. to compare GOWASM settings)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	g := newGuest(t)
	defer g.rt.Close(context.Background())
	for _, n := range sizes {
		var line string
		var eng, base float64
		for mode, name := range names {
			g.call(t, g.setup, uint64(mode), uint64(n))
			iters := max(1, (8<<20)/n)
			if mode == 1 {
				iters = max(1, (64<<10)/n)
			}
			best := time.Duration(1<<63 - 1)
			for r := 0; r < 3; r++ {
				start := threadCPU()
				g.call(t, g.run, uint64(iters))
				best = min(best, threadCPU()-start)
			}
			mbs := float64(n) * float64(iters) / best.Seconds() / 1e6
			switch mode {
			case 0:
				eng = mbs
			case 1:
				base = mbs
			}
			line += fmt.Sprintf("  %s %.1f MB/s", name, mbs)
		}
		if base > 0 {
			line += fmt.Sprintf("  engine/baseline %.0fx", eng/base)
		}
		t.Logf("%2d KiB:%s", n>>10, line)
	}
}
