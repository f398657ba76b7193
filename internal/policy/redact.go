package policy

import (
	"fmt"
	"strings"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/chatreq"
	"github.com/egressguard/egressguard/internal/config"
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
// system prompt, for leak detection.
func RequestContext(r *chatreq.Request) *redact.RequestContext {
	if r == nil {
		return nil
	}
	var sys []string
	for _, s := range r.Segments {
		if s.Role == "system" && s.Field == chatreq.FieldContent {
			sys = append(sys, s.Text)
		}
	}
	return &redact.RequestContext{SystemPrompt: strings.Join(sys, "\n")}
}

// maskRequest applies request-side masking when configured.
func (p *Policy) maskRequest(body []byte, d *Decision) []byte {
	if !p.cfg.Redaction.Requests || p.redactor == nil {
		return body
	}
	out, rep, err := p.redactor.RedactRequestJSON(body)
	if err != nil {
		d.Reject = apierr.New(500, apierr.TypeUnavailable, "rewrite_failed", "the guard could not mask the request")
		return nil
	}
	if rep.Total() == 0 {
		return body
	}
	d.Actions = append(d.Actions, "request_masked")
	return out
}
