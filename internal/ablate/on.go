//go:build egressguard_ablate

package ablate

import (
	"os"
	"strings"
)

// The stages named in EGRESSGUARD_ABLATE (comma-separated: metrics, audit, decide, http),
// which bench/envoy sets in the VM's environment, are switched off.
func init() {
	s := "," + os.Getenv("EGRESSGUARD_ABLATE") + ","
	Metrics, Audit = strings.Contains(s, ",metrics,"), strings.Contains(s, ",audit,")
	Decide, HTTP = strings.Contains(s, ",decide,"), strings.Contains(s, ",http,")
}
