package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/envoytest"
)

// TestShippedEnvoyConfigs loads the repository's Envoy configurations with the built
// plugin in Envoy's validate mode (which starts the plugin): envoy.yaml for `make run`,
// and envoy-mistral.yaml for `make run MISTRAL_API_KEY=…`, which must refuse to start
// without the key and name the variable.
func TestShippedEnvoyConfigs(t *testing.T) {
	root := envoytest.RepoRoot()
	validate := func(file string, env ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, envoytest.DefaultEnvoyBin(), "--mode", "validate", "-c", file,
			"--disable-hot-restart", "--log-level", "warn", "--component-log-level", "wasm:info")
		cmd.Dir = root
		cmd.Env = append(withoutEnv(os.Environ(), "MISTRAL_API_KEY"), env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if _, err := os.Stat(filepath.Join(root, "build", "egressguard.wasm")); err != nil {
		t.Fatalf("the shipped configs load build/egressguard.wasm: %v", err)
	}
	if out, err := validate("envoy.yaml"); err != nil {
		t.Fatalf("envoy.yaml: %v\n%s", err, out)
	}
	if out, err := validate("envoy-mistral.yaml", "MISTRAL_API_KEY=e2e-dummy-key"); err != nil {
		t.Fatalf("envoy-mistral.yaml with a key: %v\n%s", err, out)
	}
	out, err := validate("envoy-mistral.yaml")
	if err == nil || !strings.Contains(out, "environment variable MISTRAL_API_KEY is not set") {
		t.Fatalf("envoy-mistral.yaml without a key must fail naming the variable; err=%v\n%s", err, out)
	}
}

func withoutEnv(env []string, name string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, name+"=") {
			out = append(out, e)
		}
	}
	return out
}
