package schema

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/config"
)

var update = flag.Bool("update", false, "rewrite config.schema.json")

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestCommittedSchemaUpToDate(t *testing.T) {
	got, err := Generate(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("config.schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, committed) {
		t.Fatal("internal/schema/config.schema.json is out of date with config.Config: run `make schema` and commit the result")
	}
}

func TestSchemaCompiles(t *testing.T) {
	if _, err := Compile(committed); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultConfigValidates(t *testing.T) {
	def, err := json.Marshal(config.Default())
	if err != nil {
		t.Fatal(err)
	}
	def = dropNulls(t, def) // encoding/json writes nil lists as null; the schema wants them absent
	for _, doc := range [][]byte{[]byte(`{}`), def} {
		if err := Validate(doc); err != nil {
			t.Errorf("%s: %v", doc, err)
		}
		if _, err := config.Parse(doc); err != nil {
			t.Errorf("config.Parse(%s): %v", doc, err)
		}
	}
}

// The schema and config.Parse agree on unknown fields and wrong types.
func TestSchemaRejectsWhatParseRejects(t *testing.T) {
	for _, doc := range []string{
		`{"limits":{"max_body_bytess":1}}`,
		`{"bogus":true}`,
		`{"upstreams":[{"name":"a","provider":"openai","hosts":["*"],"extra":1}]}`,
		`{"max_tokens":{"models":{"m":{"cap":1,"x":2}}}}`,
		`{"limits":{"max_messages":"ten"}}`,
		`{"injection":{"action":"shout"}}`,
		`{"redaction":{"responses":"yes"}}`,
	} {
		if err := Validate([]byte(doc)); err == nil {
			t.Errorf("schema accepted %s", doc)
		}
		if _, err := config.Parse([]byte(doc)); err == nil {
			t.Errorf("config.Parse accepted %s (the test case is wrong)", doc)
		}
	}
}

var fence = regexp.MustCompile("(?s)```json\n(.*?)```")

// Every configuration example in the docs validates against the schema and parses. A
// JSON block counts as a configuration example when all its top-level keys are
// configuration sections of this build (examples of sections not wired yet are skipped
// until they are).
func TestDocExamplesValidate(t *testing.T) {
	root := repoRoot(t)
	files, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append(files, filepath.Join(root, "README.md"))
	sections, err := Names(committed)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, s := range sections {
		known[s] = true
	}
	checked := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range fence.FindAllSubmatch(b, -1) {
			var top map[string]json.RawMessage
			if json.Unmarshal(m[1], &top) != nil || len(top) == 0 {
				continue
			}
			var unknown []string
			for k := range top {
				if !known[k] {
					unknown = append(unknown, k)
				}
			}
			name := fmt.Sprintf("%s#%d", filepath.Base(f), i)
			if len(unknown) > 0 {
				t.Logf("%s: skipped, sections %v are not in this build's config", name, unknown)
				continue
			}
			checked++
			if err := Validate(m[1]); err != nil {
				t.Errorf("%s does not validate against the schema: %v", name, err)
			}
			if _, err := config.Parse(m[1]); err != nil {
				t.Errorf("%s: config.Parse: %v", name, err)
			}
		}
	}
	t.Logf("%d configuration examples checked", checked)
}

// enumTemplates place one enum value (%s, JSON-quoted) in a document, keyed by the
// field's path in the schema, and name the field path config.Parse reports for it.
var enumTemplates = map[string][2]string{
	"api.other_paths":           {`{"api":{"other_paths":%s}}`, "api.other_paths"},
	"upstreams[].provider":      {`{"upstreams":[{"name":"u","provider":%s,"hosts":["*"]}]}`, "upstreams[0].provider"},
	"injection.action":          {`{"injection":{"action":%s}}`, "injection.action"},
	"injection.opaque_inputs[]": {`{"injection":{"opaque_inputs":[%s]}}`, "injection.opaque_inputs[0]"},
	"redaction.style":           {`{"redaction":{"style":%s,"hash_key":"k"}}`, "redaction.style"},
	"redaction.xss":             {`{"redaction":{"xss":%s}}`, "redaction.xss"},
	"redaction.other_bodies":    {`{"redaction":{"other_bodies":%s}}`, "redaction.other_bodies"},
	"upstreams[].auth.strategy": {`{"upstreams":[{"name":"u","provider":"openai","hosts":["*"],"auth":{"keys":[{"env":"K"}],"strategy":%s}}]}`, "upstreams[0].auth.strategy"},
	"clients.mode":              {`{"clients":{"mode":%s}}`, "clients.mode"},
	"moderation.provider":       {`{"moderation":{"provider":%s}}`, "moderation.provider"},
	"moderation.input.mode":     {`{"moderation":{"provider":"mistral","cluster":"c","input":{"mode":%s}}}`, "moderation.input.mode"},
	"moderation.input.failure":  {`{"moderation":{"provider":"mistral","cluster":"c","input":{"failure":%s}}}`, "moderation.input.failure"},
	"moderation.output.mode":    {`{"moderation":{"provider":"mistral","cluster":"c","output":{"mode":%s}}}`, "moderation.output.mode"},
	"moderation.output.failure": {`{"moderation":{"provider":"mistral","cluster":"c","output":{"failure":%s}}}`, "moderation.output.failure"},
	"moderation.auth.strategy":  {`{"moderation":{"provider":"mistral","cluster":"c","auth":{"keys":[{"env":"K"}],"strategy":%s}}}`, "moderation.auth.strategy"},
}

// node is the part of a schema document the tests walk.
type node struct {
	Enum                 []string         `json:"enum"`
	Description          string           `json:"description"`
	Properties           map[string]*node `json:"properties"`
	Items                *node            `json:"items"`
	AdditionalProperties json.RawMessage  `json:"additionalProperties"`
}

// walk calls f for every property of the schema with its path (a.b[].c; map values as {}).
func walk(n *node, path string, f func(path string, n *node)) {
	if n == nil {
		return
	}
	if path != "" {
		f(path, n)
	}
	for name, p := range n.Properties {
		sub := name
		if path != "" {
			sub = path + "." + name
		}
		walk(p, sub, f)
	}
	walk(n.Items, path+"[]", f)
	var m node
	if len(n.AdditionalProperties) > 0 && n.AdditionalProperties[0] == '{' && json.Unmarshal(n.AdditionalProperties, &m) == nil {
		walk(&m, path+"{}", f)
	}
}

func committedTree(t *testing.T) *node {
	t.Helper()
	var root node
	if err := json.Unmarshal(committed, &root); err != nil {
		t.Fatal(err)
	}
	return &root
}

// Every enum of the schema is what config.Parse accepts: each value passes validation
// of its field, and a value outside the set is reported on that field.
func TestEnumsMatchValidation(t *testing.T) {
	enums := map[string][]string{}
	walk(committedTree(t), "", func(path string, n *node) {
		if len(n.Enum) > 0 {
			enums[path] = n.Enum
		}
	})
	if len(enums) != len(enumTemplates) {
		t.Errorf("the schema has %d enums, enumTemplates %d: %v", len(enums), len(enumTemplates), enums)
	}
	for path, values := range enums {
		tmpl, ok := enumTemplates[path]
		if !ok {
			t.Errorf("%s: add a template to enumTemplates", path)
			continue
		}
		check := func(v string) error {
			q, _ := json.Marshal(v)
			_, err := config.Parse([]byte(fmt.Sprintf(tmpl[0], q)))
			return err
		}
		for _, v := range values {
			if err := check(v); err != nil && strings.Contains(err.Error(), tmpl[1]+":") {
				t.Errorf("%s: config.Parse rejects enum value %q: %v", path, v, err)
			}
		}
		if err := check("not-a-valid-value"); err == nil || !strings.Contains(err.Error(), tmpl[1]+":") {
			t.Errorf("%s: config.Parse accepts a value outside %v (err %v); the enum is incomplete", path, values, err)
		}
	}
	// The sets config exports are the tags' sets.
	for path, want := range map[string][]string{"upstreams[].provider": config.Providers, "injection.opaque_inputs[]": config.OpaqueInputKinds} {
		if !slices.Equal(enums[path], want) {
			t.Errorf("%s: schema enum %v, config %v", path, enums[path], want)
		}
	}
}

// Descriptions come from the Go doc comments of every package a section is declared
// in; only a few self-explanatory leaves have none.
func TestDescriptions(t *testing.T) {
	var missing []string
	walk(committedTree(t), "", func(path string, n *node) {
		if n.Description == "" && !strings.Contains(path, "[]") && !strings.Contains(path, "{}") {
			missing = append(missing, path)
		}
	})
	t.Logf("fields without a doc comment: %v", missing)
	for _, path := range []string{"api", "upstreams", "clients", "moderation", "rate_limits", "envoy"} {
		if slices.Contains(missing, path) {
			t.Errorf("%s has no description", path)
		}
	}
	for _, want := range []string{`"description": "Strategy is \"round_robin\"`, `"description": "Mode is \"none\" (default)`} {
		if !strings.Contains(string(committed), want) {
			t.Errorf("schema lacks %s", want)
		}
	}
}

// Sections declared in other packages (upstreams[].auth, clients) and the custom JSON
// form of credentials.Secret (a string) are in the schema.
func TestEmbeddedSections(t *testing.T) {
	ok := `{"upstreams":[{"name":"m","auth":{"keys":[{"name":"k","value":"sk-1"},{"env":"K"}],"strategy":"priority","cooldown":{"max_seconds":10}}}],
	        "clients":{"mode":"header","identity_header":"x-sub","identity_map":{"a":"b"},"tenants":[{"name":"b","allowed_models":["m*"]}]}}`
	if err := Validate([]byte(ok)); err != nil {
		t.Errorf("valid document rejected: %v", err)
	}
	for _, bad := range []string{
		`{"upstreams":[{"auth":{"keys":[{"value":{"x":1}}]}}]}`,
		`{"upstreams":[{"auth":{"strategy":"random"}}]}`,
		`{"clients":{"mode":"mtls"}}`,
		`{"clients":{"tenants":[{"nmae":"x"}]}}`,
	} {
		if err := Validate([]byte(bad)); err == nil {
			t.Errorf("schema accepted %s", bad)
		}
	}
}

func dropNulls(t *testing.T, doc []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	var drop func(v any)
	drop = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if x == nil {
					delete(v, k)
				} else {
					drop(x)
				}
			}
		case []any:
			for _, x := range v {
				drop(x)
			}
		}
	}
	drop(v)
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Every field of the configuration has a row in docs/configuration.md: `path`, or a
// `prefix.*` row for a whole object (moderation.auth.* has the fields of upstreams[].auth).
func TestEveryFieldDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	walk(committedTree(t), "", func(path string, n *node) {
		if len(n.Properties) > 0 || strings.HasSuffix(path, "[]") || strings.HasSuffix(path, "{}") ||
			(n.Items != nil && len(n.Items.Properties) > 0) || bytes.Contains(n.AdditionalProperties, []byte(`"properties"`)) {
			return // objects are documented by their fields, list items by the list
		}
		p := strings.ReplaceAll(path, "{}", ".<name>")
		if bytes.Contains(doc, []byte("`"+p+"`")) || bytes.Contains(doc, []byte("`"+p+"[]`")) {
			return
		}
		for i := strings.LastIndexByte(p, '.'); i > 0; i = strings.LastIndexByte(p[:i], '.') {
			if bytes.Contains(doc, []byte("`"+p[:i]+".*`")) {
				return
			}
		}
		t.Errorf("docs/configuration.md has no row for %s", p)
	})
}
