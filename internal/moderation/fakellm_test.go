package moderation

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/fakellm"
	"github.com/egressguard/egressguard/internal/llmreq"
)

// roundTrip sends a call to srv like the plugin would and finishes it.
func roundTrip(t *testing.T, m *Moderator, srv *httptest.Server, c *Call, store *fakeStore) (Verdict, *Failure) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+c.Path, bytes.NewReader(c.Body))
	for _, h := range m.Headers(c) {
		if h[0][0] != ':' {
			req.Header.Set(h[0], h[1])
		}
	}
	cl := &http.Client{Timeout: m.Timeout()}
	start := time.Now()
	resp, err := cl.Do(req)
	if err != nil {
		return Verdict{}, m.NoResponse(time.Since(start))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if store == nil {
		return m.Finish(c, resp.StatusCode, body, nil, time.Now())
	}
	return m.Finish(c, resp.StatusCode, body, store, time.Now())
}

func TestAgainstFakeLLM(t *testing.T) {
	fake := fakellm.New(fakellm.Options{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	chat := func(user string) *llmreq.Request {
		return parseReq(t, llmreq.Chat, `{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},{"role":"user","content":`+jsonStr(user)+`}]}`)
	}
	for _, cfg := range []Config{
		{Provider: "openai"},
		{Provider: "mistral"},
		{Provider: "mistral", Path: "/v1/chat/moderations"},
	} {
		cfg.Cluster, cfg.TimeoutMS = "mod", 300
		m := mustNew(t, cfg)
		name := cfg.Provider + cfg.Path
		cases := []struct {
			user string
			cats []string
			fail Reason
		}{
			{"a kind question", nil, ReasonNone},
			{"MODERATE:violence", []string{map[string]string{"openai": "violence", "mistral": "violence_and_threats"}[cfg.Provider]}, ReasonNone},
			{"MODERATE:pii", nil, ReasonNone}, // not an enforced Mistral category by default; unknown to OpenAI
			{"[[mod-status:500]]", nil, ReasonServerError},
			{"[[mod-status:429]]", nil, ReasonRateLimited},
			{"[[mod-status:401]]", nil, ReasonStatus},
			{"[[mod-garbage]]", nil, ReasonUnparseable},
			{"[[mod-results:5]]", nil, ReasonResultCount},
			{"[[mod-slow:1s]]", nil, ReasonTimeout},
			{"[[mod-abort]]", nil, ReasonConnection},
		}
		for _, tc := range cases {
			c, _ := m.PlanInput(chat(tc.user), nil, time.Now())
			if c == nil {
				t.Fatalf("%s %q: no call", name, tc.user)
			}
			v, f := roundTrip(t, m, srv, c, nil)
			if tc.fail != ReasonNone {
				if f == nil || f.Reason != tc.fail {
					t.Errorf("%s %q: failure %v, want %v", name, tc.user, f, tc.fail)
				}
				continue
			}
			if f != nil || v.Flagged != (len(tc.cats) > 0) || !reflect.DeepEqual(v.Categories, tc.cats) {
				t.Errorf("%s %q: verdict %+v %v, want %v", name, tc.user, v, f, tc.cats)
			}
		}
	}

	// Multi-turn with the cache: the second turn sends only the new message.
	fake.Reset()
	m := mustNew(t, Config{Provider: "openai", Cluster: "mod"})
	st := newStore()
	c, _ := m.PlanInput(parseReq(t, llmreq.Chat, `{"model":"m","messages":[{"role":"user","content":"turn one"}]}`), st, time.Now())
	if _, f := roundTrip(t, m, srv, c, st); f != nil {
		t.Fatal(f)
	}
	c, _ = m.PlanInput(chat("turn two"), st, time.Now())
	if _, f := roundTrip(t, m, srv, c, st); f != nil {
		t.Fatal(f)
	}
	c, _ = m.PlanInput(parseReq(t, llmreq.Chat, `{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},{"role":"user","content":"turn two"},{"role":"assistant","content":"ok"},{"role":"user","content":"turn three"}]}`), st, time.Now())
	if _, f := roundTrip(t, m, srv, c, st); f != nil {
		t.Fatal(f)
	}
	var sent [][]string
	for _, r := range fake.RequestsTo("/v1/moderations") {
		in, err := fakellm.ModerationInputs(r.Body, false)
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, in)
	}
	if want := [][]string{{"turn one"}, {"hi", "turn two"}, {"turn three"}}; !reflect.DeepEqual(sent, want) {
		t.Errorf("moderated %q, want %q", sent, want)
	}

	// Output: a flagged completion is refused.
	body := `{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"MODERATE:self-harm"},"finish_reason":"stop"}]}`
	oc := m.PlanOutput(chatTexts([]byte(body)), nil)
	v, f := roundTrip(t, m, srv, oc, nil)
	d := m.Decide(Output, v, f)
	if d.Action != ActionRefuse || !reflect.DeepEqual(d.Categories, []string{"self-harm"}) {
		t.Errorf("output decision %+v", d)
	}
}
