//go:build egressguard_ablate

package main

import (
	"os"
	"strings"
)

// The stages named in EGRESSGUARD_ABLATE (comma-separated: metrics, audit, decide, http; set
// by bench/envoy through the VM's environment) are switched off.
func init() {
	for _, s := range strings.Split(os.Getenv("EGRESSGUARD_ABLATE"), ",") {
		switch s {
		case "metrics":
			ablate.metrics = true
		case "audit":
			ablate.audit = true
		case "decide":
			ablate.decide = true
		case "http":
			ablate.http = true
		}
	}
}
