package inspectwasm

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/egressguard/egressguard/internal/wasmbench"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

var sizes = []int{1 << 10, 4 << 10, 64 << 10}

var (
	buildOnce sync.Once
	wasmBytes []byte
	buildErr  error
)

// guestWasm builds the guest with the local toolchain (works on a clean clone).
func guestWasm(t testing.TB) []byte {
	buildOnce.Do(func() { wasmBytes, buildErr = wasmbench.Build("", "./guest", true) })
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return wasmBytes
}

// guest is one instantiated module.
type guest struct {
	rt         wazero.Runtime
	setup, run api.Function
}

// newGuest compiles the module once and instantiates it as a reactor.
func newGuest(t testing.TB) *guest { return instantiate(t, guestWasm(t)) }

// instantiate compiles a guest module and starts it (as a reactor) in its own runtime.
func instantiate(t testing.TB, wasm []byte) *guest {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	compiled, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	cfg := wazero.NewModuleConfig().WithStartFunctions("_initialize").WithSysNanotime().WithSysWalltime()
	mod, err := rt.InstantiateModule(ctx, compiled, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &guest{rt: rt, setup: mod.ExportedFunction("setup"), run: mod.ExportedFunction("run")}
}

func (g *guest) call(t testing.TB, f api.Function, args ...uint64) uint64 {
	res, err := f.Call(context.Background(), args...)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) == 0 {
		return 0
	}
	return res[0]
}

// TestGuest checks that the wasm engine runs and does not flag benign text.
func TestGuest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the wasm guest")
	}
	g := newGuest(t)
	defer g.rt.Close(context.Background())
	for _, mode := range []uint64{0, 1} {
		g.call(t, g.setup, mode, 4<<10)
		if hits := g.call(t, g.run, 3); hits != 0 {
			t.Fatalf("mode %d flagged benign text %d times", mode, hits)
		}
	}
}

// BenchmarkWasm reports MB/s of the engine and the baseline under wazero.
func BenchmarkWasm(b *testing.B) {
	g := newGuest(b)
	defer g.rt.Close(context.Background())
	for _, n := range sizes {
		for mode, name := range []string{"engine", "baseline"} {
			b.Run(fmt.Sprintf("%s/%dKiB", name, n>>10), func(b *testing.B) {
				g.call(b, g.setup, uint64(mode), uint64(n))
				b.SetBytes(int64(n))
				b.ResetTimer()
				g.call(b, g.run, uint64(b.N))
			})
		}
	}
}
