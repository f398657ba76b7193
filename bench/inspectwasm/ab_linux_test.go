package inspectwasm

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// BenchmarkInspectWasmAB compares the engine guest built from several
// source trees (INSPECTWASM_AB=dir1,dir2,...; an entry "dir|satconv+signext"
// builds with GOWASM=satconv,signext) in one process: it alternates them for
// INSPECTWASM_AB_ROUNDS rounds (default 30) per size and prints each build's
// best and median MB/s per thread-CPU second. On a shared machine whose
// speed swings within a run, this is far steadier than separate runs of
// TestCPUThroughput.
func BenchmarkInspectWasmAB(b *testing.B) {
	entries := strings.Split(os.Getenv("INSPECTWASM_AB"), ",")
	if entries[0] == "" {
		b.Skip("set INSPECTWASM_AB=dir1,dir2 to compare source trees")
	}
	rounds := 30
	if n, err := fmt.Sscan(os.Getenv("INSPECTWASM_AB_ROUNDS"), &rounds); n != 1 || err != nil {
		rounds = 30
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	guests := make([]*guest, len(entries))
	for i, e := range entries {
		dir, gowasm, _ := strings.Cut(e, "|")
		guests[i] = instantiate(b, buildEngineGuest(b, dir, strings.ReplaceAll(gowasm, "+", ",")))
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
	fmt.Println("size     build: best / median MB/s (thread CPU)")
	for si, n := range sizes {
		line := fmt.Sprintf("%2d KiB  ", n>>10)
		for gi, e := range entries {
			r := runs[si][gi]
			slices.Sort(r)
			line += fmt.Sprintf("  %s: %6.1f / %6.1f", e, r[len(r)-1], r[len(r)/2])
		}
		fmt.Println(line)
	}
}

// buildEngineGuest builds ./bench/inspectwasm/guest of the tree at dir.
func buildEngineGuest(b *testing.B, dir, gowasm string) []byte {
	out := filepath.Join(b.TempDir(), "guest.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, "./bench/inspectwasm/guest")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOWASM="+gowasm)
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building the guest in %s: %v\n%s", dir, err, msg)
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	return wasm
}
