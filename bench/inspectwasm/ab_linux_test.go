package inspectwasm

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/wasmbench"
)

// BenchmarkInspectWasmAB compares the engine guest built from several
// source trees (INSPECTWASM_AB=dir1,dir2,...; an entry "dir|satconv+signext"
// builds with GOWASM=satconv,signext) in one process: it alternates them for
// INSPECTWASM_AB_ROUNDS rounds (default 30) per size and prints each build's
// best and median MB/s per thread-CPU second. On a shared machine whose
// speed swings within a run, this is far steadier than separate runs of
// TestCPUThroughput.
func BenchmarkInspectWasmAB(b *testing.B) {
	entries, rounds := wasmbench.ABConfig("INSPECTWASM_AB")
	if entries == nil {
		b.Skip("set INSPECTWASM_AB=dir1,dir2 to compare source trees")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	guests := make([]*guest, len(entries))
	for i, e := range entries {
		dir, gowasm, _ := strings.Cut(e, "|")
		wasm, err := wasmbench.Build(dir, "./bench/inspectwasm/guest", true, "GOWASM="+strings.ReplaceAll(gowasm, "+", ","))
		if err != nil {
			b.Fatal(err)
		}
		guests[i] = instantiate(b, wasm)
		defer guests[i].rt.Close(context.Background())
	}
	runs := make([][][]float64, len(sizes)) // MB/s per size, build and round
	for si := range runs {
		runs[si] = make([][]float64, len(guests))
	}
	for b.Loop() {
		for range rounds {
			for si, n := range sizes {
				iters := max(1, (1<<20)/n)
				for gi, g := range guests {
					g.call(b, g.setup, 0, uint64(n))
					start := threadCPU()
					g.call(b, g.run, uint64(iters))
					runs[si][gi] = append(runs[si][gi], float64(n*iters)/(threadCPU()-start).Seconds()/1e6)
				}
			}
		}
	}
	rows := make([]string, len(sizes))
	for si, n := range sizes {
		rows[si] = fmt.Sprintf("%2d KiB", n>>10)
	}
	wasmbench.PrintBestMedian("size      build: best / median MB/s (thread CPU)", rows, entries, runs)
}
