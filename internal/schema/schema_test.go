package schema

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
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
		t.Fatal("schema/config.schema.json is out of date with config.Config: run `make schema` (or go generate ./schema) and commit the result")
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

// enumTemplates place one enum value (%s, JSON-quoted) in a document, and name the
// field path config.Parse reports for it.
var enumTemplates = map[string][2]string{
	"config.API.OtherPaths":             {`{"api":{"other_paths":%s}}`, "api.other_paths"},
	"config.Upstream.Provider":          {`{"upstreams":[{"name":"u","provider":%s,"hosts":["*"]}]}`, "upstreams[0].provider"},
	"config.Injection.Action":           {`{"injection":{"action":%s}}`, "injection.action"},
	"config.Injection.OpaqueInputs":     {`{"injection":{"opaque_inputs":[%s]}}`, "injection.opaque_inputs[0]"},
	"config.Redaction.Style":            {`{"redaction":{"style":%s,"hash_key":"k"}}`, "redaction.style"},
	"config.Redaction.XSS":              {`{"redaction":{"xss":%s}}`, "redaction.xss"},
	"credentials.UpstreamAuth.Strategy": {`{"upstreams":[{"name":"u","provider":"openai","hosts":["*"],"auth":{"keys":[{"env":"K"}],"strategy":%s}}]}`, "upstreams[0].auth.strategy"},
	"credentials.ClientAuth.Mode":       {`{"clients":{"mode":%s}}`, "clients.mode"},
	"moderation.Config.Provider":        {`{"moderation":{"provider":%s}}`, "moderation.provider"},
	"moderation.Stage.Mode":             {`{"moderation":{"provider":"mistral","cluster":"c","input":{"mode":%s}}}`, "moderation.input.mode"},
	"moderation.Stage.Failure":          {`{"moderation":{"provider":"mistral","cluster":"c","input":{"failure":%s}}}`, "moderation.input.failure"},
}

// reachable lists "<pkg>.<Type>.<Field>" for every field reachable from config.Config.
func reachable() map[string]bool {
	seen := map[string]bool{}
	var walk func(reflect.Type)
	visited := map[reflect.Type]bool{}
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || visited[t] {
			return
		}
		visited[t] = true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if k := typeKey(t); k != "" {
				seen[k+"."+f.Name] = true
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeOf(config.Config{}))
	return seen
}

// The enum sets are what config.Parse accepts: each value passes validation of its
// field, and a value outside the set is reported on that field.
func TestEnumsMatchValidation(t *testing.T) {
	live := reachable()
	for key, values := range Enums {
		if !live[key] {
			t.Logf("%s: not reachable from config.Config in this build; skipped", key)
			continue
		}
		tmpl, ok := enumTemplates[key]
		if !ok {
			t.Errorf("%s: add a template to enumTemplates", key)
			continue
		}
		check := func(v string) error {
			q, _ := json.Marshal(v)
			_, err := config.Parse([]byte(fmt.Sprintf(tmpl[0], q)))
			return err
		}
		for _, v := range values {
			if err := check(v); err != nil && strings.Contains(err.Error(), tmpl[1]+":") {
				t.Errorf("%s: config.Parse rejects enum value %q: %v", key, v, err)
			}
		}
		if err := check("not-a-valid-value"); err == nil || !strings.Contains(err.Error(), tmpl[1]+":") {
			t.Errorf("%s: config.Parse accepts a value outside %v (err %v); the enum is incomplete", key, values, err)
		}
	}
}

// Sections embedded from other packages (as upstreams[].auth and clients will be) get
// their doc comments, enums and the custom form of credentials.Secret.
func TestEmbeddedPackagesAndCustomTypes(t *testing.T) {
	type upstream struct {
		Name string                   `json:"name"`
		Auth credentials.UpstreamAuth `json:"auth"`
	}
	type doc struct {
		Upstreams []upstream             `json:"upstreams"`
		Clients   credentials.ClientAuth `json:"clients"`
	}
	b, err := generateFor(repoRoot(t), doc{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Compile(b)
	if err != nil {
		t.Fatal(err)
	}
	ok := `{"upstreams":[{"name":"m","auth":{"keys":[{"name":"k","value":"sk-1"},{"env":"K"}],"strategy":"priority","cooldown":{"max_seconds":10}}}],
	        "clients":{"mode":"header","identity_header":"x-sub","identity_map":{"a":"b"},"tenants":[{"name":"b","allowed_models":["m*"]}]}}`
	if err := ValidateWith(s, []byte(ok)); err != nil {
		t.Errorf("valid document rejected: %v", err)
	}
	for _, bad := range []string{
		`{"upstreams":[{"auth":{"keys":[{"value":{"x":1}}]}}]}`,
		`{"upstreams":[{"auth":{"strategy":"random"}}]}`,
		`{"clients":{"mode":"mtls"}}`,
		`{"clients":{"tenants":[{"nmae":"x"}]}}`,
	} {
		if err := ValidateWith(s, []byte(bad)); err == nil {
			t.Errorf("schema accepted %s", bad)
		}
	}
	for _, want := range []string{
		`"description": "Strategy is \"round_robin\"`,
		`"description": "Mode is \"none\" (default)`,
	} {
		want = strings.Replace(want, "Strategy", "strategy", 1)
		want = strings.Replace(want, "Mode", "mode", 1)
		if !strings.Contains(string(b), want) {
			t.Errorf("generated schema lacks %s", want)
		}
	}
}
