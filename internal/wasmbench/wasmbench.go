// Package wasmbench holds what the wasm benchmarks (bench/*wasm) share: building a
// guest with the local toolchain, running a command guest under wazero, the markdown
// corpus, and the A/B comparison's configuration and report.
package wasmbench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Build compiles the Go package pkg (e.g. "./guest") of the source tree at dir
// ("" for the current directory) for wasip1, as a reactor
// (-buildmode=c-shared) when reactor is set, with env added to the build's
// environment (e.g. "GOWASM=satconv,signext"), and returns the module.
func Build(dir, pkg string, reactor bool, env ...string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "wasmbench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "guest.wasm")
	args := []string{"build", "-o", out}
	if reactor {
		args = append(args, "-buildmode=c-shared")
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm"), env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %s in %q for wasip1: %v\n%s", pkg, dir, err, msg)
	}
	return os.ReadFile(out)
}

// ABConfig reads the builds an A/B benchmark compares from the environment
// variable name (comma-separated; nil when unset) and its number of rounds
// from name_ROUNDS (default 30).
func ABConfig(name string) (builds []string, rounds int) {
	if v := os.Getenv(name); v != "" {
		builds = strings.Split(v, ",")
	}
	rounds = 30
	if n, err := strconv.Atoi(os.Getenv(name + "_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	return builds, rounds
}

// PrintBestMedian prints a header line, then per row the best and the median
// of every build's runs (runs[row][build], sorted in place), in MB/s.
func PrintBestMedian(header string, rows, builds []string, runs [][][]float64) {
	fmt.Println(header)
	for ri, row := range rows {
		line := fmt.Sprintf("%-9s", row)
		for bi, b := range builds {
			r := runs[ri][bi]
			slices.Sort(r)
			line += fmt.Sprintf("  %s: %6.1f / %6.1f", b, r[len(r)-1], r[len(r)/2])
		}
		fmt.Println(line)
	}
}
