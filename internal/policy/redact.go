package policy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/egressguard/egressguard/internal/jsonstr"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/redact"
)

// newRedactor compiles the redactor when responses or requests are redacted.
func newRedactor(c config.Redaction) (*redact.Redactor, error) {
	if !c.Responses && !c.Requests {
		return nil, nil
	}
	rc := redact.DefaultConfig()
	rc.Style = redact.Style(c.Style)
	rc.HashKey = c.HashKey
	rc.Disabled = c.DisabledTypes
	for _, p := range c.CustomPatterns {
		rc.Custom = append(rc.Custom, redact.CustomPattern{Name: p.Name, Pattern: p.Pattern})
	}
	rc.Canaries = c.Canaries
	rc.MinPromptOverlap = c.MinPromptOverlap
	rc.AllowedLinkHosts = c.AllowedLinkHosts
	rc.XSS = redact.XSSMode(c.XSS)
	r, err := compileRedactor(rc)
	if err != nil {
		return nil, fmt.Errorf("redaction: %w", err)
	}
	return r, nil
}

// ResponseRedactor returns the redactor for responses, or nil when off.
func (p *Policy) ResponseRedactor() *redact.Redactor {
	if !p.cfg.Redaction.Responses {
		return nil
	}
	return p.redactor
}

// RequestContext carries what the response redactor needs from the request: the
// system prompt (system and developer texts, Responses instructions, Anthropic
// system), for leak detection.
func RequestContext(r *llmreq.Request) *redact.RequestContext {
	if r == nil {
		return nil
	}
	var sys []string
	for _, s := range r.Segments {
		if s.Origin == llmreq.OriginSystem && s.Field == llmreq.FieldContent {
			sys = append(sys, s.Text)
		}
	}
	return &redact.RequestContext{SystemPrompt: strings.Join(sys, "\n")}
}

// maskRequest masks PII and secrets in every text that can be rewritten, when
// request redaction is on.
func (p *Policy) maskRequest(r *llmreq.Request, cur texts, d *Decision) {
	if !p.cfg.Redaction.Requests || p.redactor == nil {
		return
	}
	n := 0
	for i := range r.Segments {
		if !r.Segments[i].Rewritable() {
			continue
		}
		out, rep := p.redactor.RedactData(cur[i])
		if rep.Total() > 0 {
			cur[i] = out
			n += rep.Total()
		}
	}
	if n > 0 {
		d.Actions = append(d.Actions, "request_masked")
	}
}

// RedactResponseJSON redacts a non-streamed 2xx JSON response of the given API.
// Chat, FIM, agents and legacy completions go through the redactor's chat rule
// (choices' content, text and tool-call arguments). Embeddings carry no text. The
// other APIs (Responses, Anthropic Messages, Mistral Conversations) go through a
// generic rule: every string value is redacted except those of inert keys (ids,
// types, roles, model names, status and enum values, provider-signed blobs), with
// the PII-and-secrets rules only under tool arguments and inputs.
func (p *Policy) RedactResponseJSON(api llmreq.API, body []byte, rc *redact.RequestContext) ([]byte, redact.Report, error) {
	r := p.ResponseRedactor()
	switch {
	case r == nil || api == llmreq.Embeddings:
		return body, redact.Report{}, nil
	case api == llmreq.Responses || api == llmreq.Messages || api == llmreq.Conversations:
		return redactStrings(r, body, rc, p.cfg.Limits.MaxJSONDepth*4)
	}
	return r.RedactChatJSON(body, rc)
}

// responseInert are the response keys whose short token values are not text.
var responseInert = map[string]bool{
	"id": true, "object": true, "type": true, "role": true, "model": true, "status": true, "call_id": true,
	"tool_call_id": true, "tool_use_id": true, "stop_reason": true, "finish_reason": true, "service_tier": true,
	"previous_response_id": true, "conversation_id": true, "agent_id": true, "created_at": true,
	"completed_at": true, "name": true, "media_type": true, "format": true, "effort": true, "summary": true,
	"truncation": true, "tool_choice": true, "user": true, "stop_sequence": true, "detail": true, "file_id": true,
}

// responseSigned hold provider-signed blobs that must reach the client unchanged.
var responseSigned = map[string]bool{"encrypted_content": true, "signature": true, "data": true}

// argumentKeys hold tool arguments: only PII and secrets are redacted there.
var argumentKeys = map[string]bool{"arguments": true, "input": true, "partial_json": true}

var errResponseJSON = errors.New("redact: response body is not valid JSON")

// redactStrings is the generic JSON rule (see RedactResponseJSON).
func redactStrings(r *redact.Redactor, body []byte, rc *redact.RequestContext, maxDepth int) ([]byte, redact.Report, error) {
	var rep redact.Report
	t := jsonscan.Get()
	defer t.Release()
	if err := t.Scan(body, maxDepth); err != nil {
		return nil, rep, fmt.Errorf("%w (%v)", errResponseJSON, err)
	}
	var out []byte
	last := 0
	for i := range t.Nodes {
		n := &t.Nodes[i]
		if n.Kind != jsonscan.String {
			continue
		}
		key, args := "", false
		for k := i; k >= 0; k = int(t.Nodes[k].Parent) {
			if t.Nodes[k].KeyStart >= 0 {
				kk := t.Key(k)
				if key == "" {
					key = kk
				}
				if argumentKeys[kk] {
					args = true
					break
				}
			}
		}
		if responseSigned[key] || (responseInert[key] && len(t.Raw(i)) <= 130 && !strings.ContainsAny(t.Raw(i), " \\")) {
			continue
		}
		text := t.Str(i)
		var red string
		var rp redact.Report
		if args {
			red, rp = r.RedactData(text)
		} else {
			red, rp = r.Redact(text, rc)
		}
		if rp.Total() == 0 && !rp.Leak && !rp.Unsafe && red == text {
			continue
		}
		rep.Merge(rp)
		out = append(out, body[last:n.Start]...)
		out = jsonstr.Append(out, red)
		last = int(n.End)
	}
	if out == nil {
		return body, rep, nil
	}
	return append(out, body[last:]...), rep, nil
}
