// Package schema generates and serves the JSON Schema of the plugin configuration.
//
// The schema is derived from config.Config by reflection: JSON names come from the json
// tags, types from the Go types (nested structs, slices, maps, and types embedded from
// other packages such as credentials), defaults from config.Default(), and descriptions
// from the fields' doc comments (read from the Go sources with go/ast). Every object is
// closed (additionalProperties: false), like config.Parse, which rejects unknown fields.
//
// The committed copy is config.schema.json; regenerate it with `make schema` (or
// `go generate ./schema`). A test fails when it is out of date.
package schema

//go:generate go run ./gen -o config.schema.json

import (
	"bytes"
	_ "embed"
	"encoding"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/egressguard/egressguard/internal/config"
)

// ID is the schema's $id.
const ID = "https://github.com/egressguard/egressguard/internal/schema/config.schema.json"

// modulePath is this repository's Go module; doc comments are read only from its packages.
const modulePath = "github.com/egressguard/egressguard"

//go:embed config.schema.json
var committed []byte

// JSON returns the committed schema (config.schema.json).
func JSON() []byte { return committed }

// Enums lists the allowed values of string fields, keyed by "<package>.<Type>.<Field>"
// (the Go declaration, so the entry follows the type wherever it is embedded). Reflection
// cannot see these sets; TestEnumsMatchValidation checks each one against config.Parse.
// Entries for types not (yet) reachable from config.Config are ignored.
var Enums = map[string][]string{
	"config.API.OtherPaths":             {config.OtherReads, config.OtherDeny},
	"config.Upstream.Provider":          config.Providers,
	"config.Injection.OpaqueInputs":     config.OpaqueInputKinds,
	"config.Injection.Action":           {config.ActionBlock, config.ActionSanitize, config.ActionFlag, config.ActionMonitor, config.ActionOff},
	"config.Redaction.Style":            {"tag", "mask", "hash"},
	"config.Redaction.XSS":              {"strip", "escape", "off"},
	"credentials.UpstreamAuth.Strategy": {"", "round_robin", "priority"},
	"credentials.ClientAuth.Mode":       {"", "none", "api_key", "header"},
	"moderation.Config.Provider":        {"", "mistral", "openai"},
	"moderation.Stage.Mode":             {"", "enforce", "monitor", "off"},
	"moderation.Stage.Failure":          {"", "fail_closed", "fail_open"},
}

// custom maps types with their own JSON form (json.Unmarshaler) to their schema.
var custom = map[string]map[string]any{
	"credentials.Secret": {"type": "string"},
}

// Generate builds the schema from config.Config. root is the repository root, used to
// read doc comments; with root "" descriptions are omitted.
func Generate(root string) ([]byte, error) {
	return generateFor(root, config.Default())
}

// generateFor builds the schema of def's type with def's values as defaults.
func generateFor(root string, def any) ([]byte, error) {
	g := &generator{root: root, docs: map[string]*pkgDocs{}}
	s, err := g.schemaFor(reflect.TypeOf(def), reflect.ValueOf(def), "", "")
	if err != nil {
		return nil, err
	}
	out := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         ID,
		"title":       "egressguard plugin configuration",
		"description": "The JSON document used as Envoy's wasm plugin configuration and as Istio's WasmPlugin spec.pluginConfig. Generated from config.Config by schema/gen; do not edit.",
	}
	for k, v := range s {
		if k != "description" {
			out[k] = v
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil { // map keys are sorted: the output is stable
		return nil, err
	}
	return buf.Bytes(), nil
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

type generator struct {
	root string
	docs map[string]*pkgDocs // by import path
}

var (
	jsonUnmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textUnmarshaler = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// typeKey is "<package name>.<Type>" for named types, "" otherwise.
func typeKey(t reflect.Type) string {
	if t.Name() == "" || t.PkgPath() == "" {
		return ""
	}
	return t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:] + "." + t.Name()
}

// schemaFor returns the schema of t. def is the default value at this position (invalid
// when there is none, e.g. inside arrays and maps), path the JSON path for messages and
// enumKey the "<pkg>.<Type>.<Field>" declaring this value.
func (g *generator) schemaFor(t reflect.Type, def reflect.Value, path, enumKey string) (map[string]any, error) {
	if t.Kind() == reflect.Pointer && t.Elem().Kind() != reflect.Struct {
		// An optional scalar (*bool): null means "not set, take the default".
		s, err := g.schemaFor(t.Elem(), reflect.Value{}, path, enumKey)
		if err != nil {
			return nil, err
		}
		if typ, ok := s["type"].(string); ok {
			s["type"] = []any{typ, "null"}
		}
		return s, nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
		if def.IsValid() {
			if def.IsNil() {
				def = reflect.Value{}
			} else {
				def = def.Elem()
			}
		}
	}
	var s map[string]any
	if c, ok := custom[typeKey(t)]; ok {
		s = clone(c)
	} else if reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return nil, fmt.Errorf("%s: type %s has a custom JSON form; add it to schema.custom", path, t)
	} else {
		switch t.Kind() {
		case reflect.Struct:
			return g.object(t, def, path)
		case reflect.String:
			s = map[string]any{"type": "string"}
			if e, ok := Enums[enumKey]; ok {
				s["enum"] = e
			}
		case reflect.Bool:
			s = map[string]any{"type": "boolean"}
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			s = map[string]any{"type": "integer"}
			if t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 {
				s["minimum"] = 0
			}
		case reflect.Float32, reflect.Float64:
			s = map[string]any{"type": "number"}
		case reflect.Slice, reflect.Array:
			items, err := g.schemaFor(t.Elem(), reflect.Value{}, path+"[]", enumKey)
			if err != nil {
				return nil, err
			}
			// encoding/json reads null as an empty slice (and a marshalled
			// default writes nil slices as null).
			s = map[string]any{"type": []string{"array", "null"}, "items": items}
		case reflect.Map:
			if t.Key().Kind() != reflect.String {
				return nil, fmt.Errorf("%s: map key %s is not a string", path, t.Key())
			}
			vals, err := g.schemaFor(t.Elem(), reflect.Value{}, path+"[*]", "")
			if err != nil {
				return nil, err
			}
			s = map[string]any{"type": []string{"object", "null"}, "additionalProperties": vals}
		case reflect.Interface:
			s = map[string]any{}
		default:
			return nil, fmt.Errorf("%s: unsupported type %s", path, t)
		}
	}
	if d, ok := defaultOf(def); ok {
		s["default"] = d
	}
	return s, nil
}

func (g *generator) object(t reflect.Type, def reflect.Value, path string) (map[string]any, error) {
	props := map[string]any{}
	if err := g.fields(t, def, path, props); err != nil {
		return nil, err
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if d := g.typeDoc(t); d != "" {
		s["description"] = d
	}
	return s, nil
}

// fields adds t's JSON fields to props; anonymous struct fields without a json name are
// flattened like encoding/json does.
func (g *generator) fields(t reflect.Type, def reflect.Value, path string, props map[string]any) error {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		var fdef reflect.Value
		if def.IsValid() {
			fdef = def.Field(i)
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
				if fdef.IsValid() {
					if fdef.IsNil() {
						fdef = reflect.Value{}
					} else {
						fdef = fdef.Elem()
					}
				}
			}
			if ft.Kind() == reflect.Struct {
				if err := g.fields(ft, fdef, path, props); err != nil {
					return err
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		sub := name
		if path != "" {
			sub = path + "." + name
		}
		enumKey := ""
		if k := typeKey(t); k != "" {
			enumKey = k + "." + f.Name
		}
		fs, err := g.schemaFor(f.Type, fdef, sub, enumKey)
		if err != nil {
			return err
		}
		if d := g.fieldDoc(t, f.Name); d != "" {
			// Doc comments start with the Go name; show the JSON name instead.
			if rest, ok := strings.CutPrefix(d, f.Name+" "); ok {
				d = name + " " + rest
			}
			fs["description"] = d
		}
		props[name] = fs
	}
	return nil
}

// defaultOf renders a default value; zero-length slices and maps have none.
func defaultOf(v reflect.Value) (any, bool) {
	if !v.IsValid() {
		return nil, false
	}
	switch v.Kind() {
	case reflect.Struct:
		return nil, false // objects carry defaults on their fields
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return nil, false
		}
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, false
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return nil, false
	}
	return out, true
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// pkgDocs holds the doc comments of one package's struct types and their fields.
type pkgDocs struct {
	types  map[string]string
	fields map[string]map[string]string
}

func (g *generator) pkg(path string) *pkgDocs {
	if d, ok := g.docs[path]; ok {
		return d
	}
	d := &pkgDocs{types: map[string]string{}, fields: map[string]map[string]string{}}
	g.docs[path] = d
	if g.root == "" || (path != modulePath && !strings.HasPrefix(path, modulePath+"/")) {
		return d
	}
	dir := filepath.Join(g.root, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(path, modulePath), "/")))
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return d
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments)
		if err != nil {
			continue
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				d.types[ts.Name.Name] = text(doc)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				fm := map[string]string{}
				for _, fld := range st.Fields.List {
					c := fld.Doc
					if c == nil {
						c = fld.Comment
					}
					for _, id := range fld.Names {
						fm[id.Name] = text(c)
					}
				}
				d.fields[ts.Name.Name] = fm
			}
		}
	}
	return d
}

func (g *generator) typeDoc(t reflect.Type) string {
	if t.Name() == "" {
		return ""
	}
	return g.pkg(t.PkgPath()).types[t.Name()]
}

func (g *generator) fieldDoc(t reflect.Type, field string) string {
	if t.Name() == "" {
		return ""
	}
	return g.pkg(t.PkgPath()).fields[t.Name()][field]
}

// text turns a comment group into one paragraph of plain text.
func text(c *ast.CommentGroup) string {
	if c == nil {
		return ""
	}
	return strings.Join(strings.Fields(c.Text()), " ")
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
