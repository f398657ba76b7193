package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/egressguard/egressguard/internal/posture"
	"github.com/egressguard/egressguard/internal/schema"
)

func runPosture(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("posture", stderr)
	cfgPath := fs.String("config", "", "plugin configuration (JSON) or a WasmPlugin/EnvoyFilter manifest (required)")
	require := fs.String("require", "", "comma-separated requirements; exit 1 when any is not met. Known: "+strings.Join(posture.RequirementNames(), ", "))
	oneLine := fs.Bool("line", false, "print only the one-line form (as in the plugin's start log)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cfgPath == "" {
		fmt.Fprintln(stderr, "-config is required")
		fs.Usage()
		return errUsage
	}
	lc, cfg, err := parseConfig(*cfgPath)
	if err != nil {
		return err
	}
	p := posture.Report(cfg)
	if *oneLine {
		fmt.Fprintln(stdout, p.String())
	} else {
		fmt.Fprintf(stdout, "configuration: %s\n\n%s", lc.Source, p.Table())
	}
	var reqs []string
	if *require != "" {
		reqs = strings.Split(*require, ",")
	}
	violations := posture.Check(p, reqs)
	if len(reqs) > 0 && !*oneLine {
		fmt.Fprintln(stdout)
		if len(violations) == 0 {
			fmt.Fprintf(stdout, "requirements met: %s\n", strings.Join(reqs, ", "))
		}
	}
	for _, v := range violations {
		fmt.Fprintf(stdout, "VIOLATION %s\n", v)
	}
	if len(violations) > 0 {
		return exitError(1)
	}
	return nil
}

func runValidate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", stderr)
	cfgPath := fs.String("config", "", "plugin configuration (JSON) or a WasmPlugin/EnvoyFilter manifest (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cfgPath == "" {
		fmt.Fprintln(stderr, "-config is required")
		return errUsage
	}
	lc, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	failed := false
	if err := schema.Validate(lc.JSON); err != nil {
		fmt.Fprintf(stdout, "schema: %v\n", err)
		failed = true
	} else {
		fmt.Fprintln(stdout, "schema: ok")
	}
	if _, err := parseConfigJSON(lc.JSON); err != nil {
		fmt.Fprintf(stdout, "plugin: %v\n", err)
		failed = true
	} else {
		fmt.Fprintln(stdout, "plugin: ok")
	}
	if failed {
		return exitError(1)
	}
	return nil
}

func runSchema(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("schema", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(schema.JSON(), &v); err != nil {
		return err
	}
	_, err := stdout.Write(schema.JSON())
	return err
}
