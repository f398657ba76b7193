package envoytest

import (
	"fmt"
	"io"
	"os"
)

// MissingPrereqs decides what an e2e suite's TestMain does when a file it needs is
// absent. It returns false when every path exists (run the suite). Otherwise it
// writes why to w and returns true with the exit code: 1 under CI (CI or
// E2E_REQUIRED set — e2e never skips silently there), 0 (skip) elsewhere. hint
// says how to install what is missing.
func MissingPrereqs(w io.Writer, suite, hint string, paths ...string) (missing bool, code int) {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") != "" || os.Getenv("E2E_REQUIRED") != "" {
				fmt.Fprintf(w, "%s: FAIL: prerequisite missing: %s (CI never skips e2e; %s)\n", suite, p, hint)
				return true, 1
			}
			fmt.Fprintf(w, "%s: SKIP: prerequisite missing: %s — %s\n", suite, p, hint)
			return true, 0
		}
	}
	return false, 0
}
