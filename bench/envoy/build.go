package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// modules builds (or finds) the wasm file of every build name the specs need and fills
// in spec.module. A floor that fails to build is reported and its variants dropped; the
// guard module must exist (make build).
func resolveModules(ss []spec, root, guardWasm, baseWasm string) ([]spec, []string, error) {
	built := map[string]string{}
	failed := map[string]error{}
	var notes []string
	out := ss[:0:0]
	for _, s := range ss {
		if s.build == "" {
			out = append(out, s)
			continue
		}
		if _, ok := built[s.build]; !ok && failed[s.build] == nil {
			p, err := buildModule(s.build, root, guardWasm, baseWasm)
			if err != nil {
				if s.build == "guard" || s.build == "guard-base" {
					return nil, nil, err
				}
				failed[s.build] = err
				notes = append(notes, fmt.Sprintf("%s not built, its variants dropped: %v", s.build, err))
				fmt.Fprintf(os.Stderr, "bench/envoy: %s\n", notes[len(notes)-1])
			} else {
				built[s.build] = p
			}
		}
		if p, ok := built[s.build]; ok {
			s.module = p
			out = append(out, s)
		}
	}
	return out, notes, nil
}

func buildModule(name, root, guardWasm, baseWasm string) (string, error) {
	dir := filepath.Join(root, "build", "bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	switch name {
	case "guard":
		if _, err := os.Stat(guardWasm); err != nil {
			return "", fmt.Errorf("%v (run `make build` first)", err)
		}
		return guardWasm, nil
	case "guard-base":
		if baseWasm == "" {
			return "", fmt.Errorf("the guard-base variants need -base-wasm")
		}
		_, err := os.Stat(baseWasm)
		return baseWasm, err
	case "guard-ablate":
		// The guard's source with the ablation switches (plugin/ablate_on.go).
		out := filepath.Join(dir, "guard-ablate.wasm")
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-tags", "egressguard_ablate", "-o", out, "./plugin")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		return out, run(cmd)
	case "gofloor":
		// The guard's build: GOOS=wasip1 GOARCH=wasm -buildmode=c-shared -trimpath.
		out := filepath.Join(dir, "gofloor.wasm")
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-o", out, "./bench/envoy/floors/gofloor")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		return out, run(cmd)
	case "rustfloor":
		// Pinned by its Cargo.lock; target dir under build/ so nothing lands in the tree.
		target := filepath.Join(dir, "rust-target")
		cmd := exec.Command("cargo", "build", "--release", "--locked", "--target", "wasm32-wasip1",
			"--manifest-path", filepath.Join(root, "bench", "envoy", "floors", "rustfloor", "Cargo.toml"),
			"--target-dir", target)
		cmd.Dir = root
		return filepath.Join(target, "wasm32-wasip1", "release", "rustfloor.wasm"), run(cmd)
	case "extproc":
		// Its own module (bench/envoy/extproc/go.mod): gRPC and go-control-plane stay out
		// of the product's dependencies.
		out := filepath.Join(dir, "extproc-server")
		cmd := exec.Command("go", "build", "-trimpath", "-o", out, ".")
		cmd.Dir = filepath.Join(root, "bench", "envoy", "extproc")
		return out, run(cmd)
	}
	return "", fmt.Errorf("unknown module %q", name)
}

func run(cmd *exec.Cmd) error {
	b, err := cmd.CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(b))
		if len(msg) > 800 {
			msg = "…" + msg[len(msg)-800:]
		}
		return fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, msg)
	}
	return nil
}
