package policy

import (
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/tidwall/gjson"
)

// The generic JSON rule redacts every string of a Responses, Anthropic or
// conversations body except inert tokens and provider-signed blobs; tool
// arguments get the PII rules only.
func TestRedactResponseJSONGeneric(t *testing.T) {
	p := mustPolicy(t, `{}`)
	body := `{"id":"resp_1","object":"response","model":"gpt-4.1","status":"completed","output":[
	  {"type":"reasoning","id":"rs_1","encrypted_content":"gAAAAB jane.doe@example.com"},
	  {"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"Mail jane.doe@example.com <script>x</script>","annotations":[]}]},
	  {"type":"function_call","call_id":"c1","name":"send","arguments":"{\"to\":\"jane.doe@example.com\",\"html\":\"<b>hi</b>\"}"}]}`
	out, rep, err := p.RedactResponseJSON(llmreq.Responses, []byte(body), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !gjson.ValidBytes(out) || rep.Total() < 2 {
		t.Fatalf("out %s rep %+v", out, rep)
	}
	text := gjson.GetBytes(out, "output.1.content.0.text").String()
	if strings.Contains(text, "jane.doe") || strings.Contains(text, "<script>") {
		t.Errorf("message text not redacted: %q", text)
	}
	args := gjson.GetBytes(out, "output.2.arguments").String()
	if strings.Contains(args, "jane.doe") || !strings.Contains(args, "<b>hi</b>") {
		t.Errorf("arguments: PII redacted, markup kept: %q", args)
	}
	for _, path := range []string{"id", "model", "status", "output.0.encrypted_content", "output.1.id", "output.2.call_id"} {
		if gjson.GetBytes(out, path).Raw != gjson.Get(body, path).Raw {
			t.Errorf("%s changed", path)
		}
	}
	anth := `{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[{"type":"text","text":"Call +44 20 7946 0958"},{"type":"thinking","thinking":"t","signature":"sig +44 20 7946 0958"}],"stop_reason":"end_turn"}`
	out, _, err = p.RedactResponseJSON(llmreq.Messages, []byte(anth), nil)
	if err != nil || strings.Contains(gjson.GetBytes(out, "content.0.text").String(), "7946") ||
		gjson.GetBytes(out, "content.1.signature").String() != "sig +44 20 7946 0958" {
		t.Errorf("anthropic: %s %v", out, err)
	}
	if _, _, err := p.RedactResponseJSON(llmreq.Messages, []byte(strings.Repeat("[", 5000)), nil); err == nil {
		t.Error("a deep or broken body must be an error (the plugin then redacts it as text)")
	}
	emb := `{"object":"list","data":[{"embedding":"jane.doe@example.com"}]}`
	if out, _, _ := p.RedactResponseJSON(llmreq.Embeddings, []byte(emb), nil); string(out) != emb {
		t.Error("embeddings are not rewritten")
	}
}
