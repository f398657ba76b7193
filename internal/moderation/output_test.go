package moderation

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/llmresp"
	"github.com/tidwall/gjson"
)

// chatTexts and chatRefusal are what the plugin uses for a whole chat completion.
func chatTexts(body []byte) []string { return llmresp.Texts(llmresp.Chat, body) }

func chatRefusal(body []byte, refusal string) []byte {
	return llmresp.RefusalBody(llmresp.Chat, body, refusal)
}

const oaiCompletion = `{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini",` +
	`"choices":[{"index":0,"message":{"role":"assistant","content":"bad words","refusal":null,"annotations":[],` +
	`"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"q\":\"bad args\"}"}}]},` +
	`"logprobs":{"content":[{"token":"bad","logprob":-0.1}]},"finish_reason":"tool_calls"},` +
	`{"index":1,"message":{"role":"assistant","content":[{"type":"text","text":"part"}]},"logprobs":null,"finish_reason":"stop"}],` +
	`"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7},"service_tier":"default","system_fingerprint":"fp_x"}`

const mistralCompletion = `{"id":"cmpl-e5cc70bb28c444948073e77776eb30ef","object":"chat.completion","model":"mistral-small-latest",` +
	`"usage":{"prompt_tokens":16,"completion_tokens":34,"total_tokens":50},"created":1702256327,` +
	`"choices":[{"index":0,"message":{"content":"bad words","tool_calls":null,"role":"assistant"},"finish_reason":"stop"}]}`

func TestChatTexts(t *testing.T) {
	if got := chatTexts([]byte(oaiCompletion)); !reflect.DeepEqual(got, []string{"bad words\n{\"q\":\"bad args\"}", "part"}) {
		t.Errorf("openai %q", got)
	}
	if got := chatTexts([]byte(mistralCompletion)); !reflect.DeepEqual(got, []string{"bad words"}) {
		t.Errorf("mistral %q", got)
	}
	if got := chatTexts([]byte(`{"choices":[{"text":"legacy"}]}`)); !reflect.DeepEqual(got, []string{"legacy"}) {
		t.Errorf("legacy %q", got)
	}
	if got := chatTexts([]byte(`not json`)); got != nil {
		t.Errorf("garbage %q", got)
	}
}

func TestChatRefusal(t *testing.T) {
	refusal := `I "cannot" provide that response.`
	cases := []struct{ name, body string }{
		{"openai", oaiCompletion},
		{"mistral", mistralCompletion},
		{"legacy", `{"id":"x","object":"text_completion","choices":[{"index":0,"text":"bad","finish_reason":"stop"}]}`},
		{"garbage", `<html>oops`},
		{"no choices", `{"id":"x"}`},
		{"empty choices", `{"id":"x","choices":[]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := chatRefusal([]byte(tc.body), refusal)
			var v map[string]any
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatalf("invalid JSON %v: %s", err, out)
			}
			if strings.Contains(string(out), "bad") {
				t.Errorf("flagged content survived: %s", out)
			}
			root := gjson.ParseBytes(out)
			root.Get("choices").ForEach(func(_, ch gjson.Result) bool {
				if ch.Get("finish_reason").String() != "content_filter" {
					t.Errorf("finish_reason %s", ch.Get("finish_reason").Raw)
				}
				text := ch.Get("message.content").String()
				if !ch.Get("message").Exists() {
					text = ch.Get("text").String()
				}
				if text != refusal {
					t.Errorf("content %q", text)
				}
				if ch.Get("message.tool_calls").Exists() || ch.Get("logprobs").Type == gjson.JSON {
					t.Errorf("tool_calls or logprobs kept: %s", ch.Raw)
				}
				return true
			})
			orig := gjson.Parse(tc.body)
			for _, k := range []string{"id", "object", "created", "model", "usage", "system_fingerprint"} {
				if orig.Get("choices.0").Exists() && orig.Get(k).Raw != root.Get(k).Raw {
					t.Errorf("%s changed: %s -> %s", k, orig.Get(k).Raw, root.Get(k).Raw)
				}
			}
		})
	}
	out := chatRefusal([]byte(oaiCompletion), "no")
	if gjson.GetBytes(out, "choices.0.message").Raw != `{"role":"assistant","content":"no","refusal":null,"annotations":[]}` {
		t.Errorf("openai message %s", gjson.GetBytes(out, "choices.0.message").Raw)
	}
	out = chatRefusal([]byte(mistralCompletion), "no")
	if gjson.GetBytes(out, "choices.0.message").Raw != `{"role":"assistant","content":"no"}` {
		t.Errorf("mistral message %s", gjson.GetBytes(out, "choices.0.message").Raw)
	}
}

func TestDecide(t *testing.T) {
	flag := Verdict{Flagged: true, Categories: []string{"hate", "violence"}}
	fail := &Failure{Reason: ReasonServerError, Status: 502}
	cases := []struct {
		stage   StageKind
		st      Stage
		v       Verdict
		f       *Failure
		action  Action
		outcome string
		status  int
		header  bool
	}{
		{Input, Stage{}, Verdict{}, nil, ActionAllow, OutcomePass, 0, false},
		{Input, Stage{}, flag, nil, ActionReject, OutcomeFlagged, 403, false},
		{Output, Stage{}, flag, nil, ActionRefuse, OutcomeFlagged, 0, false},
		{Input, Stage{}, Verdict{}, fail, ActionFailClosed, OutcomeFailedClosed, 503, false},
		{Output, Stage{}, Verdict{}, fail, ActionFailClosed, OutcomeFailedClosed, 503, false},
		{Input, Stage{Failure: FailOpen}, Verdict{}, fail, ActionFailOpen, OutcomeFailedOpen, 0, true},
		{Output, Stage{Failure: FailOpen}, Verdict{}, fail, ActionFailOpen, OutcomeFailedOpen, 0, true},
		{Input, Stage{Mode: ModeMonitor}, flag, nil, ActionAllow, OutcomeMonitorFlagged, 0, false},
		{Output, Stage{Mode: ModeMonitor}, Verdict{}, fail, ActionAllow, OutcomeMonitorFailed, 0, false},
		{Input, Stage{Mode: ModeOff}, flag, nil, ActionAllow, OutcomePass, 0, false},
	}
	for i, tc := range cases {
		cfg := Config{Provider: "openai", Cluster: "mod", Input: tc.st, Output: tc.st}
		m := mustNew(t, cfg)
		d := m.Decide(tc.stage, tc.v, tc.f)
		if d.Action != tc.action || d.Outcome != tc.outcome {
			t.Errorf("%d: got %v/%s, want %v/%s", i, d.Action, d.Outcome, tc.action, tc.outcome)
		}
		e := d.Error()
		if (e == nil) != (tc.status == 0) || (e != nil && e.Status != tc.status) {
			t.Errorf("%d: error %v, want status %d", i, e, tc.status)
		}
		if e != nil && e.Status == 403 && !strings.Contains(e.Message, "hate, violence") {
			t.Errorf("%d: message %q", i, e.Message)
		}
		if _, _, ok := d.Header(); ok != tc.header {
			t.Errorf("%d: header %v", i, ok)
		}
		if d.Outcome != OutcomePass && !strings.Contains(d.LogLine("r1"), "outcome="+d.Outcome) {
			t.Errorf("%d: log %q", i, d.LogLine("r1"))
		}
	}
}
