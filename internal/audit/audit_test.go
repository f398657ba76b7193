package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, line []byte) map[string]any {
	t.Helper()
	rest, ok := bytes.CutPrefix(line, []byte(Prefix))
	if !ok {
		t.Fatalf("line lacks prefix: %s", line)
	}
	if bytes.ContainsAny(line, "\n\r") {
		t.Fatalf("line contains a line break: %q", line)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(rest))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, rest)
	}
	return m
}

func TestMarshal(t *testing.T) {
	rec := &Record{
		Time:      time.Date(2026, 3, 1, 13, 0, 0, 123456789, time.FixedZone("CET", 3600)),
		RequestID: "req-1", Tenant: "team-a", Upstream: "openai", Model: "gpt-4o-mini",
		Path: PathChat, Stream: true, MessageCount: 3, PromptChars: 1200, CompletionChars: 800,
		PromptTokens: 300, CompletionTokens: 200, EstimatedTokens: 1324, Status: 200,
		Decision: DecisionForwarded, Reasons: []string{"redaction:EMAIL_ADDRESS=2", "injection:role_override"},
		KeyName: "primary", LatencyMs: 1234,
	}
	line := Marshal(rec)
	want := `egressguard.audit {"time":"2026-03-01T12:00:00.123456789Z","request_id":"req-1","tenant":"team-a",` +
		`"upstream":"openai","model":"gpt-4o-mini","path":"chat","stream":true,"message_count":3,` +
		`"prompt_chars":1200,"completion_chars":800,"prompt_tokens":300,"completion_tokens":200,` +
		`"estimated_tokens":1324,"status":200,"decision":"forwarded",` +
		`"reasons":["redaction:EMAIL_ADDRESS=2","injection:role_override"],"key":"primary","latency_ms":1234}`
	if string(line) != want {
		t.Fatalf("got\n%s\nwant\n%s", line, want)
	}
	parse(t, line)
	buf := append(make([]byte, 0, 1024), "kept "...)
	if got := Append(buf, rec); string(got) != "kept "+want {
		t.Fatalf("Append after a prefix: %s", got)
	}
	if n := testing.AllocsPerRun(20, func() { buf = Append(buf[:0], rec) }); n != 0 {
		t.Errorf("Append into a large enough buffer allocates %.0f times", n)
	}
}

func TestZeroRecordHasEveryField(t *testing.T) {
	m := parse(t, Marshal(&Record{}))
	for _, f := range []string{"time", "request_id", "tenant", "upstream", "model", "path", "stream", "message_count",
		"prompt_chars", "completion_chars", "prompt_tokens", "completion_tokens", "estimated_tokens", "status",
		"decision", "reasons", "key", "latency_ms"} {
		if _, ok := m[f]; !ok {
			t.Errorf("field %s missing", f)
		}
	}
	if len(m) != 18 {
		t.Errorf("%d fields", len(m))
	}
	if r := m["reasons"].([]any); len(r) != 0 {
		t.Errorf("reasons %v", r)
	}
}

// Hostile client-supplied strings (model, request id) cannot break or forge the line.
func TestEscaping(t *testing.T) {
	for _, s := range []string{
		"a\"b\\c", "line\nbreak\r\n", "tab\there", "\x00\x01\x1f\x7f", "\u2028\u2029",
		"bad \xff\xfe utf8", "héllo 世界 🙂", `","tenant":"admin`, "</script>",
	} {
		m := parse(t, Marshal(&Record{Model: s, RequestID: s, Reasons: []string{s}}))
		got := m["model"].(string)
		want := string([]rune(s)) // each invalid byte becomes U+FFFD
		if got != want {
			t.Errorf("model %q round-tripped as %q", s, got)
		}
		if m["tenant"].(string) != "" {
			t.Errorf("forged tenant from %q", s)
		}
	}
}

func TestLimits(t *testing.T) {
	long := strings.Repeat("é", 300) // 600 bytes
	m := parse(t, Marshal(&Record{Model: long}))
	got := m["model"].(string)
	if !strings.HasSuffix(got, "…") || len(got) > MaxStringBytes+len("…") {
		t.Errorf("model cut to %d bytes: %q", len(got), got)
	}
	reasons := make([]string, MaxReasons+5)
	for i := range reasons {
		reasons[i] = "r"
	}
	m = parse(t, Marshal(&Record{Reasons: reasons}))
	r := m["reasons"].([]any)
	if len(r) != MaxReasons+1 || r[MaxReasons] != "+5 more" {
		t.Errorf("reasons %v", r)
	}
}

// The record type has no field that could carry content or a key: only the listed
// metadata fields exist.
func TestNoContentFields(t *testing.T) {
	var names []string
	rt := reflect.TypeOf(Record{})
	for i := 0; i < rt.NumField(); i++ {
		names = append(names, rt.Field(i).Name)
	}
	want := []string{"Time", "RequestID", "Tenant", "Upstream", "Model", "Path", "Stream", "MessageCount",
		"PromptChars", "CompletionChars", "PromptTokens", "CompletionTokens", "EstimatedTokens", "Status",
		"Decision", "Reasons", "KeyName", "LatencyMs"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("Record fields changed: %v\nreview that none can carry content or key material, then update this test", names)
	}
}

func BenchmarkMarshal(b *testing.B) {
	rec := &Record{Time: time.Now(), RequestID: "3f2a9c1e-7b7d-4a8e-9a4b-2f9d1c0e5a77", Tenant: "team-a",
		Upstream: "openai", Model: "gpt-4o-mini", Path: PathChat, MessageCount: 5, PromptChars: 4000,
		Status: 200, Decision: DecisionForwarded, Reasons: []string{"redaction:EMAIL_ADDRESS=1"}, KeyName: "k1"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Marshal(rec)
	}
}

// The audit timestamp is exactly time.RFC3339Nano in UTC, whether its second was
// formatted before or not.
func TestAppendTime(t *testing.T) {
	base := time.Date(2026, 3, 1, 23, 59, 59, 0, time.FixedZone("x", 3600))
	for _, tm := range []time.Time{
		base, base.Add(1), base.Add(120 * time.Millisecond), base.Add(999999999), base.Add(time.Second),
		base.Add(time.Second + 100), base, time.Unix(0, 0), time.Date(12000, 1, 1, 0, 0, 0, 5, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), time.Now(), time.Now().Add(time.Hour),
	} {
		want := tm.UTC().Format(time.RFC3339Nano)
		for range 2 { // the second's text computed, then reused
			if got := string(appendTime(nil, tm)); got != want {
				t.Errorf("appendTime(%v) = %s, want %s", tm, got, want)
			}
		}
	}
}

// A line whose counts are all zero (a request passed through) renders them like any
// other line.
func TestZeroCountsSameAsGeneral(t *testing.T) {
	const counts = `"stream":%t,"message_count":0,"prompt_chars":0,"completion_chars":0,"prompt_tokens":%d,` +
		`"completion_tokens":0,"estimated_tokens":0,"status":200`
	for _, rec := range []Record{{Status: 200}, {Status: 200, Stream: true}, {Status: 200, PromptTokens: 12}} {
		want := fmt.Sprintf(`"path":""`+","+counts, rec.Stream, rec.PromptTokens)
		if line := string(Marshal(&rec)); !strings.Contains(line, want) {
			t.Errorf("line %s\nwant it to contain %s", line, want)
		}
	}
}
