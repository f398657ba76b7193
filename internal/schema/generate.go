// Package schema generates and serves the JSON Schema of the plugin configuration.
//
// The schema is reflected from config.Config by github.com/invopop/jsonschema: JSON names
// come from the json tags, allowed values from the jsonschema enum tags beside the fields,
// descriptions from the fields' Go doc comments and defaults from config.Default(). Every
// object is closed (additionalProperties: false), like config.Parse, which rejects
// unknown fields.
//
// The committed copy is config.schema.json; regenerate it with `make schema`. A test
// fails when it is out of date.
package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"

	"github.com/invopop/jsonschema"

	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
)

// ID is the schema's $id.
const ID = "https://github.com/egressguard/egressguard/internal/schema/config.schema.json"

// modulePath is this repository's Go module.
const modulePath = "github.com/egressguard/egressguard"

// commentDirs are the packages (relative to the repository root) declaring the types
// reachable from config.Config; their doc comments become descriptions.
var commentDirs = []string{"internal/config", "internal/credentials", "internal/moderation", "internal/ratelimit"}

//go:embed config.schema.json
var committed []byte

// JSON returns the committed schema (config.schema.json).
func JSON() []byte { return committed }

// Generate builds the schema from config.Config. root is the repository root, whose Go
// sources give the descriptions.
func Generate(root string) ([]byte, error) {
	r := &jsonschema.Reflector{
		Anonymous:                  true,
		DoNotReference:             true, // every position has its own defaults
		ExpandedStruct:             true,
		RequiredFromJSONSchemaTags: true, // config.Parse fills every omitted field
		// config, moderation and ratelimit each declare a Config: name types by package too.
		Namer: func(t reflect.Type) string { return t.PkgPath() + "." + t.Name() },
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			if t == reflect.TypeOf(credentials.Secret{}) { // its own UnmarshalJSON reads a string
				return &jsonschema.Schema{Type: "string"}
			}
			return nil
		},
	}
	if err := addComments(r, root); err != nil {
		return nil, err
	}
	s := r.Reflect(config.Config{})
	s.Version = "https://json-schema.org/draft/2020-12/schema"
	s.ID = ID
	s.Title = "egressguard plugin configuration"
	s.Description = "The JSON document used as Envoy's wasm plugin configuration and as Istio's WasmPlugin spec.pluginConfig. Generated from config.Config by internal/schema/gen; do not edit."

	def, err := json.Marshal(config.Default())
	if err != nil {
		return nil, err
	}
	var defaults any
	if err := json.Unmarshal(def, &defaults); err != nil {
		return nil, err
	}
	setDefaults(s, defaults)

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// addComments reads the doc comments of commentDirs. The library names a package by
// joining its base argument with the directory it walks, so both are given relative to
// the working directory, wherever in the repository that is.
func addComments(r *jsonschema.Reflector, root string) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	here, err := filepath.Rel(root, wd)
	if err != nil {
		return err
	}
	base := modulePath + "/" + filepath.ToSlash(here)
	for _, d := range commentDirs {
		rel, err := filepath.Rel(wd, filepath.Join(root, d))
		if err != nil {
			return err
		}
		if err := r.AddGoComments(base, rel, jsonschema.WithFullComment()); err != nil {
			return fmt.Errorf("doc comments of %s: %w", d, err)
		}
	}
	return nil
}

// setDefaults copies the default document's values onto the matching properties.
// Objects carry defaults on their fields; empty lists and maps have none.
func setDefaults(s *jsonschema.Schema, def any) {
	switch v := def.(type) {
	case nil:
		return
	case map[string]any:
		if s.Properties == nil {
			if len(v) > 0 {
				s.Default = v
			}
			return
		}
		for p := s.Properties.Oldest(); p != nil; p = p.Next() {
			setDefaults(p.Value, v[p.Key])
		}
	case []any:
		if len(v) > 0 {
			s.Default = v
		}
	default:
		s.Default = v
	}
}

// RepoRoot walks up from dir to the directory holding go.mod.
func RepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}

// Names returns the sorted top-level property names of a schema document.
func Names(schemaJSON []byte) ([]string, error) {
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(schemaJSON, &s); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}
