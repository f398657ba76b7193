package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

const testKey = "sk-live-THIS-MUST-NEVER-BE-PRINTED-0123456789"

func TestSecretNeverPrinted(t *testing.T) {
	s := NewSecret(testKey)
	type exported struct {
		Name string
		Key  Secret
	}
	type unexported struct {
		name string
		key  Secret
	}
	ref := KeyRef{Name: "dev", Value: s}
	ua := UpstreamAuth{Keys: []KeyRef{ref}}
	k, _, err := NewKeyring("u", completed(ua), MapEnv{})
	if err != nil {
		t.Fatal(err)
	}
	renders := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-20v"} {
		for name, v := range map[string]any{
			"secret": s, "ptr": &s, "exported": exported{"a", s}, "unexported": unexported{"a", s},
			"keyref": ref, "auth": ua, "slice": []Secret{s}, "map": map[string]Secret{"k": s},
			"keyring": k, "entries": k.keys,
		} {
			renders[verb+" "+name] = fmt.Sprintf(verb, v)
		}
	}
	renders["Sprint"] = fmt.Sprint(s, ref)
	renders["Sprintln"] = fmt.Sprintln(s)
	renders["error"] = fmt.Errorf("wrapping %v: %w", s, errors.New("x")).Error()
	for name, v := range map[string]any{"secret": s, "keyref": ref, "auth": ua, "map": map[string]Secret{"k": s}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%s): %v", name, err)
		}
		renders["json "+name] = string(b)
	}
	text, _ := s.MarshalText()
	renders["text"] = string(text)
	for name, out := range renders {
		if strings.Contains(out, testKey) || strings.Contains(out, "sk-live") {
			t.Errorf("%s leaks the key: %s", name, out)
		}
	}
	if got := fmt.Sprintf("%v|%s|%#v", s, s, s); got != "[REDACTED]|[REDACTED]|[REDACTED]" {
		t.Errorf("formatting = %q", got)
	}
	if s.Reveal() != testKey {
		t.Error("Reveal lost the value")
	}
}

func TestSecretUnmarshalJSON(t *testing.T) {
	cases := []struct {
		in      string
		want    string
		wantErr string
	}{
		{`{"value":"abc"}`, "abc", ""},
		{`{"value":null}`, "", ""},
		{`{}`, "", ""},
		{`{"value":12345}`, "", "number"},
		{`{"value":{"k":"sk-live-nested"}}`, "", "object"},
	}
	for _, c := range cases {
		var ref KeyRef
		err := json.Unmarshal([]byte(c.in), &ref)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.in, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr) || strings.Contains(err.Error(), "sk-live") || strings.Contains(err.Error(), "12345")):
			t.Errorf("%s: error %v, want one naming %q without the content", c.in, err, c.wantErr)
		case err == nil && ref.Value.Reveal() != c.want:
			t.Errorf("%s: value %q", c.in, ref.Value.Reveal())
		}
	}
	var ref KeyRef
	if err := json.Unmarshal([]byte(`{"value":12}`), &ref); err == nil || !strings.Contains(err.Error(), "value") {
		t.Errorf("type error does not name the field: %v", err)
	}
}

func TestSecretMethods(t *testing.T) {
	s := NewSecret(testKey)
	var str fmt.Stringer = s
	var gs fmt.GoStringer = s
	if str.String() != Redacted || gs.GoString() != Redacted || s.IsZero() {
		t.Error("String/GoString/IsZero")
	}
	if z := NewSecret(""); !z.IsZero() || z.Reveal() != "" || (Secret{}).Reveal() != "" {
		t.Error("empty secret")
	}
}
