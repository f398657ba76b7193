// Command egressguard is the operator's tool for the egress guard plugin.
//
//	egressguard dryrun  -config cfg.json -request req.json [-path p] [-header k=v]... [-response resp.json | -sse stream.txt] [-wasm build/egressguard.wasm]
//	egressguard posture -config cfg.json [-require injection-block,no-inline-keys,...]
//	egressguard validate -config cfg.json
//	egressguard schema
//	egressguard oci     -wasm build/egressguard.wasm [-layout build/oci] [-tar build/egressguard-oci.tar] [-tag egressguard:dev] [-push registry/repo:tag]
//
// -config accepts the plugin's JSON configuration, or a YAML/JSON Kubernetes manifest
// (WasmPlugin: spec.pluginConfig; EnvoyFilter: the wasm filter's configuration value),
// so the manifests under deploy/istio can be checked as they are.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// errUsage marks errors already explained by the flag package.
var errUsage = errors.New("usage")

// exitError carries a non-zero exit status without an extra message.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

var commands = []struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) error
}{
	{"dryrun", "run the compiled plugin under wazero on one request (and response) and print what it does", runDryrun},
	{"posture", "print which protections a configuration enables; exit 1 when -require is not met", runPosture},
	{"validate", "check a configuration against the JSON Schema and the plugin's own validation", runValidate},
	{"schema", "print the configuration JSON Schema", runSchema},
	{"oci", "package the plugin as an Istio/Envoy Gateway wasm OCI image (compat variant) and print its digest", runOCI},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "help" || args[0] == "--help" {
		usage(stderr)
		return 2
	}
	for _, c := range commands {
		if c.name == args[0] {
			err := c.run(args[1:], stdout, stderr)
			var code exitError
			switch {
			case err == nil:
				return 0
			case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
				return 2
			case errors.As(err, &code):
				return int(code)
			default:
				fmt.Fprintf(stderr, "egressguard %s: %v\n", c.name, err)
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "egressguard: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: egressguard <command> [flags]   (egressguard <command> -h for its flags)")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
}

// newFlags returns a FlagSet that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("egressguard "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments: %v\n", fs.Args())
		fs.Usage()
		return errUsage
	}
	return nil
}
