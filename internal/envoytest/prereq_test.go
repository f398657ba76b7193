package envoytest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMissingPrereqs(t *testing.T) {
	present := filepath.Join(t.TempDir(), "envoy")
	if err := os.WriteFile(present, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	absent := filepath.Join(t.TempDir(), "nope")
	cases := []struct {
		name, ci     string
		paths        []string
		missing      bool
		code         int
		wantInOutput string
	}{
		{"all present", "true", []string{present}, false, 0, ""},
		{"missing locally skips", "", []string{present, absent}, true, 0, "SKIP"},
		{"missing in CI fails", "true", []string{absent}, true, 1, "FAIL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("CI", c.ci)
			t.Setenv("E2E_REQUIRED", "")
			var out strings.Builder
			missing, code := MissingPrereqs(&out, "suite", "install it", c.paths...)
			if missing != c.missing || code != c.code || !strings.Contains(out.String(), c.wantInOutput) {
				t.Fatalf("MissingPrereqs = %v, %d, %q", missing, code, out.String())
			}
			if c.missing && !strings.Contains(out.String(), absent) {
				t.Errorf("output does not name the missing path: %q", out.String())
			}
		})
	}
}
