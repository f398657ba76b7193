package moderation

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/llmreq"
)

func TestCacheTTLAndCAS(t *testing.T) {
	m := mustNew(t, Config{Provider: "openai", Cluster: "mod", CacheTTLSeconds: 60})
	st := newStore()
	now := time.Unix(1_700_000_000, 0)
	v := Verdict{Flagged: true, Categories: []string{"hate", "violence"}}
	if _, ok := m.CachedVerdict(st, "hello", now); ok {
		t.Fatal("hit on an empty cache")
	}
	if !m.RememberVerdict(st, "hello", v, now) {
		t.Fatal("put failed")
	}
	if got, ok := m.CachedVerdict(st, "hello", now.Add(59*time.Second)); !ok || !reflect.DeepEqual(got, v) {
		t.Fatalf("got %+v %v", got, ok)
	}
	if _, ok := m.CachedVerdict(st, "hello", now.Add(60*time.Second)); ok {
		t.Fatal("hit after the TTL")
	}
	if _, ok := m.CachedVerdict(st, "hello!", now); ok {
		t.Fatal("hit for another text")
	}
	// Another configuration never sees this verdict.
	m2 := mustNew(t, Config{Provider: "openai", Cluster: "mod", CacheTTLSeconds: 60, Thresholds: map[string]float64{"hate": 0.9}})
	if _, ok := m2.CachedVerdict(st, "hello", now); ok {
		t.Fatal("verdict shared across configurations")
	}

	// CAS mismatches are retried.
	st.Races = 3
	if !m.RememberVerdict(st, "raced", Verdict{}, now) {
		t.Fatal("put did not survive 3 CAS races")
	}
	if _, ok := m.CachedVerdict(st, "raced", now); !ok {
		t.Fatal("raced entry missing")
	}
	// ... but not forever, and never with an error.
	st.Races = 100
	if m.RememberVerdict(st, "lost", Verdict{}, now) {
		t.Fatal("put reported success under permanent contention")
	}
	st.Races = 0
	// Store errors: misses and no-ops, never panics.
	st.FailGet = errBroken
	if _, ok := m.CachedVerdict(st, "hello", now); ok {
		t.Fatal("hit with a broken store")
	}
	if m.RememberVerdict(st, "x", Verdict{}, now) {
		t.Fatal("put with a broken store")
	}
	st.FailGet, st.FailSet = nil, errBroken
	if m.RememberVerdict(st, "x", Verdict{}, now) {
		t.Fatal("put with a failing Set")
	}
	// nil store and disabled cache.
	if m.RememberVerdict(nil, "x", Verdict{}, now) {
		t.Fatal("put into nil store")
	}
	off := mustNew(t, Config{Provider: "openai", Cluster: "mod", CacheTTLSeconds: -1})
	if off.RememberVerdict(newStore(), "x", Verdict{}, now) {
		t.Fatal("put with the cache off")
	}
}

func TestCacheBounded(t *testing.T) {
	m := mustNew(t, Config{Provider: "openai", Cluster: "mod", CacheMaxEntries: 64})
	st := newStore()
	now := time.Unix(1_700_000_000, 0)
	for i := range 5000 {
		m.RememberVerdict(st, fmt.Sprint("text ", i), Verdict{}, now.Add(time.Duration(i)*time.Millisecond))
	}
	if len(st.Snapshot()) != 8 {
		t.Errorf("%d keys, want 8 buckets", len(st.Snapshot()))
	}
	n := 0
	for k, v := range st.Snapshot() {
		if !strings.HasPrefix(k, CacheKeyPrefix) {
			t.Errorf("key %q", k)
		}
		es := parseBucket(v)
		if len(es) > cacheBucketSize {
			t.Errorf("bucket %s has %d entries", k, len(es))
		}
		n += len(es)
	}
	if n != 64 {
		t.Errorf("%d entries, want 64", n)
	}
	// The newest entries survive.
	if _, ok := m.CachedVerdict(st, "text 4999", now.Add(5*time.Second)); !ok {
		t.Error("newest entry evicted")
	}
	// A corrupt bucket is a miss and gets rewritten.
	for k := range st.Snapshot() {
		st.Put(k, []byte("garbage|||"))
	}
	if _, ok := m.CachedVerdict(st, "text 4999", now); ok {
		t.Error("hit in a corrupt bucket")
	}
	if !m.RememberVerdict(st, "text 4999", Verdict{}, now) {
		t.Error("could not rewrite a corrupt bucket")
	}
}

func parseReq(t *testing.T, kind llmreq.API, body string) *llmreq.Request {
	t.Helper()
	r, err := llmreq.Parse(kind, []byte(body), llmreq.Options{SkipMediaCheck: true})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return r
}

func inputsOf(t *testing.T, c *Call) []string {
	t.Helper()
	if c == nil {
		return nil
	}
	return gjsonArray(c.Body, "input")
}

func TestPlanInputOnlyNew(t *testing.T) {
	m := mustNew(t, Config{Provider: "openai", Cluster: "mod"})
	st := newStore()
	now := time.Unix(1_700_000_000, 0)
	ok := []byte(`{"results":[{"flagged":false,"categories":{"hate":false},"category_scores":{"hate":0.01}}]}`)

	turn1 := `{"model":"gpt-4o","messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"Hi there"}]}`
	c, cached := m.PlanInput(parseReq(t, llmreq.Chat, turn1), st, now)
	if got := inputsOf(t, c); !reflect.DeepEqual(got, []string{"Hi there"}) || cached.Flagged {
		t.Fatalf("turn 1 inputs %q", got)
	}
	if v, f := m.Finish(c, 200, ok, st, now); f != nil || v.Flagged {
		t.Fatal(v, f)
	}

	turn2 := `{"model":"gpt-4o","messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"Hi there"},
	  {"role":"assistant","content":"Hello!","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},
	  {"role":"tool","tool_call_id":"c1","content":"tool said X"},
	  {"role":"user","content":[{"type":"text","text":"part one"},{"type":"image_url","image_url":{"url":"data:x"}},{"type":"text","text":"part two"}],"name":"bob"}]}`
	c, _ = m.PlanInput(parseReq(t, llmreq.Chat, turn2), st, now.Add(time.Second))
	if got := inputsOf(t, c); !reflect.DeepEqual(got, []string{"tool said X", "part one\npart two"}) {
		t.Fatalf("turn 2 inputs %q", got)
	}
	two := []byte(`{"results":[{"categories":{"hate":false}},{"categories":{"hate":true},"category_scores":{"hate":0.9}}]}`)
	v, f := m.Finish(c, 200, two, st, now.Add(time.Second))
	if f != nil || !v.Flagged || !reflect.DeepEqual(v.Categories, []string{"hate"}) {
		t.Fatal(v, f)
	}
	// Third time: everything cached, the flagged verdict comes back without a call.
	c, cached = m.PlanInput(parseReq(t, llmreq.Chat, turn2), st, now.Add(2*time.Second))
	if c != nil || !cached.Flagged || !reflect.DeepEqual(cached.Categories, []string{"hate"}) {
		t.Fatalf("turn 3: call %v cached %+v", c, cached)
	}
	// After the TTL everything is moderated again.
	c, _ = m.PlanInput(parseReq(t, llmreq.Chat, turn2), st, now.Add(time.Hour))
	if got := inputsOf(t, c); len(got) != 3 {
		t.Fatalf("after TTL inputs %q", got)
	}
	// Duplicates and blank texts are sent once / not at all.
	dup := `{"model":"m","messages":[{"role":"user","content":"same"},{"role":"assistant","content":"a"},{"role":"user","content":"same"},{"role":"user","content":"  \n"}]}`
	c, _ = m.PlanInput(parseReq(t, llmreq.Chat, dup), nil, now)
	if got := inputsOf(t, c); !reflect.DeepEqual(got, []string{"same"}) {
		t.Fatalf("dup inputs %q", got)
	}
	// FIM prompt and suffix; input stage off.
	c, _ = m.PlanInput(parseReq(t, llmreq.FIM, `{"model":"codestral-latest","prompt":"def f(","suffix":"return 1"}`), nil, now)
	if got := inputsOf(t, c); !reflect.DeepEqual(got, []string{"def f(", "return 1"}) {
		t.Fatalf("fim inputs %q", got)
	}
	off := mustNew(t, Config{Provider: "openai", Cluster: "mod", Input: Stage{Mode: ModeOff}})
	if c, _ := off.PlanInput(parseReq(t, llmreq.Chat, turn2), nil, now); c != nil {
		t.Fatal("input off still plans a call")
	}
}

func TestPlanInputChatContext(t *testing.T) {
	m := mustNew(t, Config{Provider: "mistral", Cluster: "mod", Path: "/v1/chat/moderations", MaxChunkChars: 100, ChunkOverlapChars: 10})
	body := `{"model":"mistral-small-latest","messages":[{"role":"system","content":"sys"},{"role":"user","content":"q1"},
	  {"role":"assistant","content":"a1"},{"role":"user","content":"q2"}]}`
	c, _ := m.PlanInput(parseReq(t, llmreq.Chat, body), nil, time.Now())
	want := `{"model":"mistral-moderation-2411","input":[` +
		`[{"role":"user","content":"q1"}],` +
		`[{"role":"user","content":"q1"},{"role":"assistant","content":"a1"},{"role":"user","content":"q2"}]]}`
	if string(c.Body) != want {
		t.Errorf("body\n%s\nwant\n%s", c.Body, want)
	}
	ctx := m.LastUserContext(parseReq(t, llmreq.Chat, body))
	if !reflect.DeepEqual(ctx, []Message{{"user", "q2"}}) {
		t.Errorf("LastUserContext %v", ctx)
	}
	// Context is cut to max_chunk_chars, keeping the newest text.
	long := strings.Repeat("x", 150)
	body = `{"model":"m","messages":[{"role":"user","content":"old"},{"role":"assistant","content":"` + long + `"},{"role":"user","content":"new"}]}`
	c, _ = m.PlanInput(parseReq(t, llmreq.Chat, body), nil, time.Now())
	last := gjsonRaw(c.Body, "input.1")
	if want := `[{"role":"assistant","content":"` + strings.Repeat("x", 100) + `"},{"role":"user","content":"new"}]`; last != want {
		t.Errorf("cut context %s", last)
	}
}
