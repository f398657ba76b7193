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
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/egressguard/egressguard/redact"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// englishText is typical English prose with a few entities (about 16 KiB).
var englishText = func() string {
	para := "The quarterly report was reviewed by the team on Monday, and everyone agreed that the new onboarding " +
		"flow improved retention by 12 percent. Please contact the support desk if you have questions about " +
		"billing, and remember that passwords must never be shared in chat. The meeting moved to room 4B at " +
		"3:30 pm; bring the printed agenda (version 2) and your laptop. "
	var b strings.Builder
	for b.Len() < 16384 {
		b.WriteString(para)
	}
	b.WriteString("Reach Jane at jane.doe@example.com or +44 20 7946 0958; card 4111 1111 1111 1111. ")
	return b.String()
}()

// guestResult is the guest's JSON line.
type guestResult struct {
	Bytes, Iterations int
	NS                int64
	Entities          int
	OutputSHA256      string `json:"output_sha256"`
}

var (
	buildOnce sync.Once
	wasmBin   []byte
	buildErr  error
)

// guestWasm builds ./guest for wasip1 once per test binary.
func guestWasm(t testing.TB) []byte {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "redactwasm")
		if err != nil {
			buildErr = err
			return
		}
		out := filepath.Join(dir, "guest.wasm")
		cmd := exec.Command("go", "build", "-o", out, "./guest")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if msg, err := cmd.CombinedOutput(); err != nil {
			buildErr = &buildError{err, string(msg)}
			return
		}
		wasmBin, buildErr = os.ReadFile(out)
		os.RemoveAll(dir)
	})
	if buildErr != nil {
		t.Fatalf("building the wasip1 guest: %v", buildErr)
	}
	return wasmBin
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// runGuest runs the guest under wazero with text on stdin.
func runGuest(t testing.TB, rt wazero.Runtime, mod wazero.CompiledModule, text string, n int) guestResult {
	var stdout, stderr bytes.Buffer
	cfg := wazero.NewModuleConfig().WithStdin(strings.NewReader(text)).WithStdout(&stdout).WithStderr(&stderr).
		WithArgs("guest", "-n", strconv.Itoa(n)).WithSysNanotime().WithSysWalltime()
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

// TestWasmMatchesNative checks that the wasm build redacts exactly like the native one.
func TestWasmMatchesNative(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a wasm guest")
	}
	rt, mod := newRuntime(t)
	defer rt.Close(context.Background())
	res := runGuest(t, rt, mod, englishText, 1)
	r, err := redact.New(redact.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	out, rep := r.Redact(englishText, nil)
	sum := sha256.Sum256([]byte(out))
	if res.OutputSHA256 != hex.EncodeToString(sum[:]) || res.Entities != rep.Total() {
		t.Fatalf("wasm output differs from native: wasm %+v, native %d entities", res, rep.Total())
	}
}

// BenchmarkRedactWasm reports the guest-measured throughput ("wasm-MB/s") of
// Redact on English text inside wazero.
func BenchmarkRedactWasm(b *testing.B) {
	rt, mod := newRuntime(b)
	defer rt.Close(context.Background())
	var total, ns int64
	for b.Loop() {
		res := runGuest(b, rt, mod, englishText, 50)
		total += int64(res.Bytes * res.Iterations)
		ns += res.NS
	}
	b.ReportMetric(float64(total)/(float64(ns)/1e9)/1e6, "wasm-MB/s")
}
