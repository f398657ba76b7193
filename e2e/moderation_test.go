package e2e

import (
	"bufio"
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/fakellm"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// modBody is a one-message chat request.
func modBody(content string, stream bool) []byte {
	b := []byte(`{"model":"mistral-small-latest","messages":[{"role":"user","content":""}]}`)
	b, _ = setJSON(b, "messages.0.content", content)
	if stream {
		b, _ = setJSON(b, "stream", true)
	}
	return b
}

func TestModerationInput(t *testing.T) {
	t.Run("flagged input gets 403 naming the categories, never forwarded", func(t *testing.T) {
		m := uniq(t)
		resp, body := post(t, lnModIn, "/v1/chat/completions", "application/json", modBody(m+" MODERATE:violence_and_threats", false))
		assertAPIError(t, resp, body, 403, "content_flagged")
		if !strings.Contains(string(body), "violence_and_threats") || strings.Contains(string(body), m) {
			t.Errorf("403 must name the category and not echo the content: %s", body)
		}
		if upstreamChatSaw(m) {
			t.Error("a flagged request reached the chat upstream")
		}
		waitFor(t, "audit line naming the category", func() bool {
			for _, l := range strings.Split(string(envoy.Logs()), "\n") {
				if strings.Contains(l, "egressguard.audit") && strings.Contains(l, "moderation:input:category:violence_and_threats") {
					return !strings.Contains(l, m)
				}
			}
			return false
		})
	})

	t.Run("clean input passes; second turn moderates only the new message", func(t *testing.T) {
		first, second := uniq(t)+"-first", uniq(t)+"-second"
		resp, body := post(t, lnModIn, "/v1/chat/completions", "application/json", modBody(first, false))
		if resp.StatusCode != 200 {
			t.Fatalf("turn 1: %d %s", resp.StatusCode, body)
		}
		turn2 := []byte(`{"model":"mistral-small-latest","messages":[{"role":"user","content":"` + first +
			`"},{"role":"assistant","content":"ok"},{"role":"user","content":"` + second + `"}]}`)
		if resp, body := post(t, lnModIn, "/v1/chat/completions", "application/json", turn2); resp.StatusCode != 200 {
			t.Fatalf("turn 2: %d %s", resp.StatusCode, body)
		}
		var sent [][]string
		for _, r := range upstream.RequestsTo("/v1/moderations") {
			in, _ := fakellm.ModerationInputs(r.Body, false)
			if strings.Contains(strings.Join(in, "|"), first) || strings.Contains(strings.Join(in, "|"), second) {
				sent = append(sent, in)
			}
		}
		if len(sent) != 2 || strings.Join(sent[0], "|") != first || strings.Join(sent[1], "|") != second {
			t.Errorf("moderation inputs = %q, want [[first] [second]]: turn 2 must not re-send turn 1", sent)
		}
	})

	// reason is the egressguard_moderation_failures label the failure must be counted
	// under: what actually happened, not the status Envoy made up for it.
	faults := []struct {
		name, listener, marker string
		status                 int
		code, reason           string
	}{
		{"500 fails closed", lnModIn, "[[mod-status:500]]", 503, "moderation_unavailable", "server_error"},
		{"429 fails closed", lnModIn, "[[mod-status:429]]", 503, "moderation_unavailable", "rate_limited"},
		{"garbage fails closed", lnModIn, "[[mod-garbage]]", 503, "moderation_unavailable", "unparseable"},
		{"wrong result count fails closed", lnModIn, "[[mod-results:3]]", 503, "moderation_unavailable", "result_count"},
		{"slow past timeout fails closed", lnModIn, "[[mod-slow:3s]]", 503, "moderation_unavailable", "timeout"},
		{"connection refused fails closed", lnModDead, "", 503, "moderation_unavailable", "connection"},
		{"500 fails open", lnModOpen, "[[mod-status:500]]", 200, "", "server_error"},
		{"slow fails open", lnModOpen, "[[mod-slow:3s]]", 200, "", "timeout"},
	}
	failures := func(reason string) float64 {
		return max(0, promValue(t, "egressguard_moderation_failures{", `stage="input"`, `reason="`+reason+`"`)) // -1: none yet
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			before, serverErrors := failures(f.reason), failures("server_error")
			start := time.Now()
			resp, body := post(t, f.listener, "/v1/chat/completions", "application/json", modBody(uniq(t)+" "+f.marker, false))
			if took := time.Since(start); took > 2*time.Second { // timeout 1 s + 1 s
				t.Errorf("took %v, want within the 1 s timeout + 1 s", took)
			}
			if got := failures(f.reason); got != before+1 {
				t.Errorf("egressguard_moderation_failures{reason=%q} went from %v to %v, want one more", f.reason, before, got)
			}
			if f.reason != "server_error" && failures("server_error") != serverErrors {
				t.Errorf("a %s failure was also counted as server_error", f.reason)
			}
			if f.status != 200 {
				assertAPIError(t, resp, body, f.status, f.code)
				return
			}
			if resp.StatusCode != 200 || resp.Header.Get("x-egressguard-moderation") != "failed-open" {
				t.Errorf("fail open: %d, header %q; body %s", resp.StatusCode, resp.Header.Get("x-egressguard-moderation"), body)
			}
		})
	}
}

func TestModerationOutput(t *testing.T) {
	flagged := "The first part is harmless. MODERATE:violence_and_threats and this part must never be seen."

	t.Run("flagged JSON completion is replaced by the refusal", func(t *testing.T) {
		resp, body := post(t, lnModOut, "/v1/chat/completions", "application/json", modBody("[[reply:"+flagged+"]]", false))
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		c := gjson.GetBytes(body, "choices.0")
		if c.Get("message.content").String() != "I cannot provide that response." || c.Get("finish_reason").String() != "content_filter" {
			t.Errorf("not refused: %s", body)
		}
		if strings.Contains(string(body), "never be seen") {
			t.Error("flagged text leaked")
		}
	})

	t.Run("clean JSON completion passes untouched", func(t *testing.T) {
		resp, body := post(t, lnModOut, "/v1/chat/completions", "application/json", modBody("[[reply:All good here.]]", false))
		if resp.StatusCode != 200 || gjson.GetBytes(body, "choices.0.message.content").String() != "All good here." {
			t.Errorf("%d %s", resp.StatusCode, body)
		}
	})

	t.Run("flagged stream ends with a refusal before the flagged text", func(t *testing.T) {
		content := "[[reply:" + flagged + "]] [[sse-delta:5]] [[sse-gap:5ms]]"
		req, _ := http.NewRequest("POST", envoy.URL(lnModOut)+"/v1/chat/completions", bytes.NewReader(modBody(content, true)))
		req.Header.Set("content-type", "application/json")
		resp, body := do(t, req)
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		var text strings.Builder
		done := false
		sc := bufio.NewScanner(bytes.NewReader(body))
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "data: ") {
				continue
			}
			data := strings.TrimPrefix(line, "data: ")
			if data == "[DONE]" {
				done = true
				continue
			}
			text.WriteString(gjson.Get(data, "choices.0.delta.content").String())
		}
		got := text.String()
		if strings.Contains(got, "MODERATE") || strings.Contains(got, "never be seen") {
			t.Errorf("flagged text reached the client: %q", got)
		}
		if !strings.Contains(got, "I cannot provide that response.") || !done {
			t.Errorf("stream did not end with the refusal and [DONE]: %q done=%v", got, done)
		}
	})

	t.Run("official SDKs parse a refused stream", func(t *testing.T) {
		for _, sdk := range []string{"openai", "mistral"} {
			r := runSDK(t, sdkSpec(sdk, "chat", lnModOut, true, map[string]any{
				"model": "mistral-small-latest", "messages": []any{map[string]any{"role": "user", "content": "[[reply:" + flagged + "]]"}}}))
			if !r.OK || !strings.Contains(r.Content, "I cannot provide that response.") || strings.Contains(r.Content, "never be seen") {
				t.Errorf("%s: ok=%v content=%q err=%+v", sdk, r.OK, r.Content, r.Error)
			}
		}
	})
}

// upstreamChatSaw reports whether a chat request containing marker reached fakellm.
func upstreamChatSaw(marker string) bool {
	for _, r := range upstream.RequestsTo("/v1/chat/completions") {
		if bytes.Contains(r.Body, []byte(marker)) {
			return true
		}
	}
	return false
}

// setJSON sets a value in a JSON document.
func setJSON(b []byte, path string, v any) ([]byte, error) { return sjson.SetBytes(b, path, v) }

// waitFor polls cond for up to 5 s (audit lines are written when the stream is done).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
