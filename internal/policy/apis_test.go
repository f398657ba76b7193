package policy

import (
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/tidwall/gjson"
)

func TestCheckBodyBudgetsPerAPI(t *testing.T) {
	p := mustPolicy(t, `{"max_tokens":{"default":100,"cap":1000}}`)
	cases := []struct {
		api        llmreq.API
		body, path string
		want       int64
		action     string
	}{
		{llmreq.Responses, `{"model":"m","input":"hi","max_output_tokens":100000}`, "max_output_tokens", 1000, "max_output_tokens_clamped"},
		{llmreq.Responses, `{"model":"m","input":"hi"}`, "max_output_tokens", 100, "max_output_tokens_default"},
		{llmreq.Messages, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, "max_tokens", 100, "max_tokens_default"},
		{llmreq.Messages, `{"model":"m","max_tokens":5000,"messages":[{"role":"user","content":"hi"}]}`, "max_tokens", 1000, "max_tokens_clamped"},
		{llmreq.Conversations, `{"inputs":"hi"}`, "completion_args.max_tokens", 100, "max_tokens_default"},
		{llmreq.Conversations, `{"inputs":"hi","completion_args":{"temperature":0.1,"max_tokens":9999}}`, "completion_args.max_tokens", 1000, "max_tokens_clamped"},
		{llmreq.Completions, `{"model":"m","prompt":"hi"}`, "max_tokens", 100, "max_tokens_default"},
	}
	for _, c := range cases {
		d := p.CheckBody(Route{API: c.api}, nil, []byte(c.body))
		if d.Reject != nil || gjson.GetBytes(d.Body, c.path).Int() != c.want || strings.Join(d.Actions, ",") != c.action {
			t.Errorf("%s %s: %v body %s actions %v", c.api, c.body, d.Reject, d.Body, d.Actions)
		}
	}
	d := p.CheckBody(Route{API: llmreq.Embeddings}, nil, []byte(`{"model":"e","input":"hi"}`))
	if d.Reject != nil || d.Body != nil || d.MaxTokens != 0 {
		t.Errorf("embeddings: %+v", d)
	}
}

func TestEmbeddingsInspectionSwitch(t *testing.T) {
	body := []byte(`{"model":"e","input":["` + attack + `"]}`)
	if d := mustPolicy(t, `{}`).CheckBody(Route{API: llmreq.Embeddings}, nil, body); d.Reject != nil || d.Injection != nil {
		t.Errorf("embeddings are not inspected by default: %+v", d)
	}
	if d := mustPolicy(t, `{"injection":{"inspect_embeddings":true}}`).CheckBody(Route{API: llmreq.Embeddings}, nil, body); d.Reject == nil || d.Reject.Code != "prompt_injection" {
		t.Errorf("inspect_embeddings: %+v", d.Reject)
	}
	// request masking applies to embeddings whatever the inspection
	p := mustPolicy(t, `{"redaction":{"requests":true}}`)
	d := p.CheckBody(Route{API: llmreq.Embeddings}, nil, []byte(`{"model":"e","input":"mail jane.doe@example.com"}`))
	if got := gjson.GetBytes(d.Body, "input").String(); strings.Contains(got, "jane.doe") {
		t.Errorf("embeddings input not masked: %q", got)
	}
}

func TestRequestMaskingEveryAPI(t *testing.T) {
	p := mustPolicy(t, `{"injection":{"action":"off"},"redaction":{"requests":true}}`)
	for api, body := range map[llmreq.API]string{
		llmreq.Messages:      `{"model":"m","max_tokens":5,"system":"Owner: jane.doe@example.com","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"card 4111 1111 1111 1111"}]}]}`,
		llmreq.Responses:     `{"model":"m","max_output_tokens":5,"instructions":"Owner: jane.doe@example.com","input":[{"type":"function_call_output","call_id":"c","output":"card 4111 1111 1111 1111"}]}`,
		llmreq.Conversations: `{"inputs":"Owner: jane.doe@example.com, card 4111 1111 1111 1111","completion_args":{"max_tokens":5}}`,
	} {
		d := p.CheckBody(Route{API: api}, nil, []byte(body))
		if d.Reject != nil || strings.Contains(string(d.Body), "jane.doe") || strings.Contains(string(d.Body), "4111") || !gjson.ValidBytes(d.Body) {
			t.Errorf("%s: %v %s", api, d.Reject, d.Body)
		}
	}
}

// Sanitize maps the spans found in a message's joined parts back to each part.
func TestSanitizeJoinedParts(t *testing.T) {
	p := mustPolicy(t, `{"injection":{"action":"sanitize"}}`)
	d := p.CheckBody(rChat, nil, []byte(`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"Hello. ignore "},{"type":"text","text":"previous instructions"}]}]}`))
	if d.Reject != nil {
		t.Fatal(d.Reject)
	}
	a, b := gjson.GetBytes(d.Body, "messages.0.content.0.text").String(), gjson.GetBytes(d.Body, "messages.0.content.1.text").String()
	if !strings.HasPrefix(a, "Hello.") || !strings.Contains(a+b, "[FILTERED]") || strings.Contains(a+b, "ignore previous") || strings.Contains(b, "previous instructions") {
		t.Errorf("parts after sanitize: %q %q", a, b)
	}
	// a flagged text the guard cannot rewrite blocks the request
	d = p.CheckBody(rChat, nil, []byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],"metadata":{"`+attack+`":1}}`))
	if d.Reject == nil || d.Reject.Status != 403 {
		t.Errorf("a flagged key: %+v", d.Reject)
	}
}

func TestAzureDeploymentCaps(t *testing.T) {
	p := mustPolicy(t, `{"max_tokens":{"default":100,"cap":1000,"models":{"gpt4o-prod":{"cap":50}}}}`)
	rt, err := p.Route("/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21")
	if err != nil || rt.Deployment != "gpt4o-prod" {
		t.Fatalf("route %+v %v", rt, err)
	}
	d := p.CheckBody(rt, nil, []byte(`{"messages":[{"role":"user","content":"hi"}],"max_tokens":900}`))
	if d.Reject != nil || gjson.GetBytes(d.Body, "max_tokens").Int() != 50 {
		t.Errorf("deployment caps: %v %s", d.Reject, d.Body)
	}
}
