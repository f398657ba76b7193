package redactwasm

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// BenchmarkRedactWasmAB compares the guest built from several source trees
// (REDACTWASM_AB=dir1,dir2,..., e.g. a `git worktree` of the old commit and
// this one) in one process: it alternates the trees for REDACTWASM_AB_ROUNDS
// rounds (default 30) of 40 AppendRedact passes per text and prints each
// tree's best and median guest-timed MB/s. On a shared machine whose speed
// swings within a run, the best of many short interleaved runs is far
// steadier than separate benchmark runs; the median shows the loaded case.
func BenchmarkRedactWasmAB(b *testing.B) {
	dirs := strings.Split(os.Getenv("REDACTWASM_AB"), ",")
	if dirs[0] == "" {
		b.Skip("set REDACTWASM_AB=dir1,dir2 to compare source trees")
	}
	rounds := 30
	if n, err := fmt.Sscan(os.Getenv("REDACTWASM_AB_ROUNDS"), &rounds); n != 1 || err != nil {
		rounds = 30
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	mods := make([]wazero.CompiledModule, len(dirs))
	for i, d := range dirs {
		m, err := rt.CompileModule(ctx, buildGuestIn(b, d))
		if err != nil {
			b.Fatal(err)
		}
		mods[i] = m
	}
	texts := []struct{ name, text string }{{"llm", llmText}, {"plain", plainText}, {"entities", englishText}}
	runs := make([][][]float64, len(texts)) // MB/s per text, tree and round
	for i := range runs {
		runs[i] = make([][]float64, len(mods))
	}
	for b.Loop() {
		for range rounds {
			for ti, tx := range texts {
				for mi, m := range mods {
					res := runGuest(b, rt, m, tx.text, 40, "-mode", "append")
					mbs := float64(res.Bytes*res.Iterations) / float64(res.NS) * 1e3
					runs[ti][mi] = append(runs[ti][mi], mbs)
				}
			}
		}
	}
	fmt.Println("text       tree: best / median MB/s")
	for ti, tx := range texts {
		line := fmt.Sprintf("%-9s", tx.name)
		for mi, d := range dirs {
			r := runs[ti][mi]
			slices.Sort(r)
			line += fmt.Sprintf("  %s: %6.1f / %6.1f", d, r[len(r)-1], r[len(r)/2])
		}
		fmt.Println(line)
	}
}

// buildGuestIn builds ./bench/redactwasm/guest of the source tree at dir.
func buildGuestIn(b *testing.B, dir string) []byte {
	out := filepath.Join(b.TempDir(), "guest.wasm")
	cmd := exec.Command("go", "build", "-o", out, "./bench/redactwasm/guest")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building the guest in %s: %v\n%s", dir, err, msg)
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	return wasm
}
