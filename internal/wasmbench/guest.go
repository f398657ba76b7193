package wasmbench

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// Guest is a wasip1 command (a Go main package) built once per test binary and run
// under wazero: the shape of the bench/*wasm guests, which read their input on stdin,
// take "-n iterations" and print one JSON result line.
type Guest struct {
	pkg  string
	once sync.Once
	bin  []byte
	err  error
}

// NewGuest returns the guest built from the Go package pkg (e.g. "./guest").
func NewGuest(pkg string) *Guest { return &Guest{pkg: pkg} }

// Wasm returns the guest's module, building it on first use.
func (g *Guest) Wasm(t testing.TB) []byte {
	g.once.Do(func() { g.bin, g.err = Build("", g.pkg, false) })
	if g.err != nil {
		t.Fatalf("building the wasip1 guest: %v", g.err)
	}
	return g.bin
}

// Runtime returns a new wazero runtime with WASI and the guest compiled in it.
func (g *Guest) Runtime(t testing.TB) (wazero.Runtime, wazero.CompiledModule) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	mod, err := rt.CompileModule(ctx, g.Wasm(t))
	if err != nil {
		t.Fatalf("compiling guest: %v", err)
	}
	return rt, mod
}

// Run runs mod with stdin as its input, "-n n" and args, and decodes its JSON output
// into out.
func Run(t testing.TB, rt wazero.Runtime, mod wazero.CompiledModule, stdin string, n int, out any, args ...string) {
	var stdout, stderr bytes.Buffer
	cfg := wazero.NewModuleConfig().WithStdin(strings.NewReader(stdin)).WithStdout(&stdout).WithStderr(&stderr).
		WithArgs(append([]string{"guest", "-n", strconv.Itoa(n)}, args...)...).WithSysNanotime().WithSysWalltime()
	if _, err := rt.InstantiateModule(context.Background(), mod, cfg); err != nil && !strings.Contains(err.Error(), "exit_code(0)") {
		t.Fatalf("running guest: %v\nstderr: %s", err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("guest output %q: %v (stderr %s)", stdout.String(), err, stderr.String())
	}
}

// LLMText returns about 16 KiB of markdown LLM output
// (internal/redact/testdata/bench/llm.txt, the corpus of redact.BenchmarkRedactLLM)
// with one entity sentence every ~4 KiB.
func LLMText() string {
	_, here, _, _ := runtime.Caller(0)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(here), "..", "redact", "testdata", "bench", "llm.txt"))
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
}
