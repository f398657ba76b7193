package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// A completion whose card number is split across SSE events and network chunks reaches
// the official SDKs redacted, and they parse the stream without error.
func TestStreamedCardRedacted(t *testing.T) {
	const secret = "4111 1111 1111 1111"
	for _, c := range []struct {
		sdk    string
		stream bool
	}{{"openai", true}, {"mistral", true}, {"openai", false}, {"mistral", false}} {
		t.Run(fmt.Sprintf("%s/stream=%v", c.sdk, c.stream), func(t *testing.T) {
			prompt := "card please [[reply:Sure. Your card " + secret + " and mail ann@example.org are on file.]] [[sse-delta:5]] [[sse-split:7]] " + uniq(t)
			model := "gpt-4o-mini"
			if c.sdk == "mistral" {
				model = "mistral-small-latest"
			}
			r := runSDK(t, sdkSpec(c.sdk, "chat", lnDefault, c.stream, map[string]any{
				"model": model, "messages": []any{map[string]any{"role": "user", "content": prompt}}}))
			if !r.OK {
				t.Fatalf("SDK failed on the redacted response: %+v", r)
			}
			if strings.Contains(r.Content, "4111") || strings.Contains(r.Content, "1111 1111") || strings.Contains(r.Content, "ann@example.org") {
				t.Fatalf("PII reached the client: %q", r.Content)
			}
			if !strings.Contains(r.Content, "[CREDIT_CARD]") || !strings.Contains(r.Content, "[EMAIL_ADDRESS]") ||
				!strings.HasPrefix(r.Content, "Sure. Your card ") || !strings.HasSuffix(r.Content, " are on file.") {
				t.Errorf("content = %q", r.Content)
			}
			if c.stream && r.Chunks < 3 {
				t.Errorf("stream arrived in %d chunks; the hold-back must not buffer the whole stream", r.Chunks)
			}
		})
	}
}
