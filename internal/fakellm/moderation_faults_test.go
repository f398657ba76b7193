package fakellm

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestModerationFaults(t *testing.T) {
	tests := []struct {
		name, path, body string
		status           int
		check            func(t *testing.T, body string, m map[string]any)
	}{
		{"mod-status 500 openai", "/v1/moderations", `{"model":"omni-moderation-latest","input":["ok","[[mod-status:500]]"]}`, 500,
			func(t *testing.T, _ string, m map[string]any) {
				if path(m, "error", "type") != "server_error" {
					t.Errorf("error %v", m)
				}
			}},
		{"mod-status 429 mistral", "/v1/moderations", `{"model":"mistral-moderation-2411","input":"[[mod-status:429]]"}`, 429,
			func(t *testing.T, _ string, m map[string]any) {
				if path(m, "type") != "rate_limited" {
					t.Errorf("error %v", m)
				}
			}},
		{"status 503 applies too", "/v1/chat/moderations", `{"model":"mistral-moderation-2411","input":[{"role":"user","content":"[[status:503]]"}]}`, 503, nil},
		{"mod-garbage", "/v1/moderations", `{"model":"omni-moderation-latest","input":"[[mod-garbage]]"}`, 200,
			func(t *testing.T, body string, m map[string]any) {
				if !strings.Contains(body, "not json") {
					t.Errorf("body %q", body)
				}
			}},
		{"mod-results fewer", "/v1/moderations", `{"model":"omni-moderation-latest","input":["a","b","[[mod-results:1]]"]}`, 200,
			func(t *testing.T, _ string, m map[string]any) {
				if n := len(m["results"].([]any)); n != 1 {
					t.Errorf("%d results", n)
				}
			}},
		{"mod-results more", "/v1/chat/moderations", `{"model":"mistral-moderation-2411","input":[[{"role":"user","content":"[[mod-results:3]] MODERATE:pii"}]]}`, 200,
			func(t *testing.T, _ string, m map[string]any) {
				res := m["results"].([]any)
				if len(res) != 3 || path(res[2], "categories", "pii") != true {
					t.Errorf("results %v", res)
				}
			}},
		{"mod-results zero", "/v1/moderations", `{"model":"mistral-moderation-2411","input":"x [[mod-results:0]]"}`, 200,
			func(t *testing.T, _ string, m map[string]any) {
				if n := len(m["results"].([]any)); n != 0 {
					t.Errorf("%d results", n)
				}
			}},
		{"chat moderation: context markers do not count", "/v1/chat/moderations",
			`{"model":"mistral-moderation-2411","input":[{"role":"user","content":"MODERATE:violence [[mod-status:500]]"},{"role":"assistant","content":"fine"}]}`, 200,
			func(t *testing.T, _ string, m map[string]any) {
				if path(m, "results", 0, "categories", "violence_and_threats") != false {
					t.Errorf("context was classified: %v", m)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, newTest(Options{}), "POST", tc.path, tc.body)
			if w.Code != tc.status {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if tc.check != nil {
				var m map[string]any
				if !strings.Contains(tc.name, "garbage") {
					m = decode(t, w.Body.Bytes())
				}
				tc.check(t, w.Body.String(), m)
			}
		})
	}

	// mod-* markers are ignored by chat completions.
	w := do(t, newTest(Options{}), "POST", "/v1/chat/completions", chatBody("gpt-4o-mini", "[[mod-status:500]] [[mod-garbage]] [[mod-slow:5s]]", ""))
	if w.Code != 200 || path(decode(t, w.Body.Bytes()), "object") != "chat.completion" {
		t.Errorf("chat with mod markers: %d %s", w.Code, w.Body)
	}
}

func TestModerationSlowAndAbortOverNetwork(t *testing.T) {
	srv := httptest.NewServer(newTest(Options{}))
	defer srv.Close()
	post := func(ctx context.Context, body string) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/v1/moderations", strings.NewReader(body))
		req.Header.Set("content-type", "application/json")
		return srv.Client().Do(req)
	}
	// Slow past the caller's timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := post(ctx, `{"model":"omni-moderation-latest","input":"[[mod-slow:2s]]"}`)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Errorf("slow: err %v after %v", err, time.Since(start))
	}
	// Slow within the timeout still answers.
	resp, err := post(context.Background(), `{"model":"omni-moderation-latest","input":"[[mod-slow:50ms]]"}`)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("slow but in time: %v", err)
	}
	resp.Body.Close()
	// Connection dropped before any response byte.
	if _, err := post(context.Background(), `{"model":"omni-moderation-latest","input":"[[mod-abort]]"}`); err == nil {
		t.Error("abort: got a response")
	}
}

func TestModerationRecorded(t *testing.T) {
	s := newTest(Options{})
	do(t, s, "POST", "/v1/chat/completions", chatBody("gpt-4o-mini", "hello", ""))
	do(t, s, "POST", "/v1/moderations", `{"model":"omni-moderation-latest","input":["hello"]}`)
	do(t, s, "POST", "/v1/moderations", `{"model":"omni-moderation-latest","input":["only the new turn"]}`)
	do(t, s, "POST", "/v1/chat/moderations", `{"model":"mistral-moderation-2411","input":[[{"role":"user","content":"ctx"},{"role":"user","content":"new"}]]}`)
	mods := s.RequestsTo("/v1/moderations")
	if len(mods) != 2 {
		t.Fatalf("%d moderation requests", len(mods))
	}
	got, err := ModerationInputs(mods[1].Body, false)
	if err != nil || !reflect.DeepEqual(got, []string{"only the new turn"}) {
		t.Errorf("inputs %q %v", got, err)
	}
	chat := s.RequestsTo("/v1/chat/moderations")
	got, err = ModerationInputs(chat[0].Body, true)
	if err != nil || !reflect.DeepEqual(got, []string{"new"}) {
		t.Errorf("chat inputs %q %v", got, err)
	}
	if _, err := ModerationInputs([]byte("nope"), false); err == nil {
		t.Error("garbage body parsed")
	}
}
