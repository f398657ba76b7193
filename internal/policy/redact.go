package policy

import (
	"fmt"
	"strings"

	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/redact"
)

// newRedactor compiles the redactor when responses or requests are redacted. secrets
// are the keys the guard injects, redacted as KNOWN_SECRET wherever a response echoes
// them.
func newRedactor(c config.Redaction, secrets [][]byte) (*redact.Redactor, error) {
	if !c.Responses && !c.Requests {
		return nil, nil
	}
	rc := redact.DefaultConfig()
	rc.ExactSecrets = secrets
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

// newSecretRedactor compiles a redactor that finds nothing but the keys the guard
// injects (nil when it injects none): an echo of a key is redacted from responses
// whatever else the configuration redacts, also with response redaction off, from
// error bodies left unredacted (redaction.error_bodies false) and from errors on
// passthrough paths.
func newSecretRedactor(secrets [][]byte) (*redact.Redactor, error) {
	if len(secrets) == 0 {
		return nil, nil
	}
	rc := redact.DefaultConfig()
	rc.ExactSecrets = secrets
	rc.XSS = redact.XSSOff
	rc.MinPromptOverlap = -1
	for _, t := range append(append([]string{}, redact.PIITypes...), redact.SecretTypes...) {
		if t != redact.KnownSecret {
			rc.Disabled = append(rc.Disabled, t)
		}
	}
	rc.Disabled = append(rc.Disabled, redact.UnsafeHTML, redact.UnsafeURL, redact.MarkdownExfil, redact.Canary, redact.PromptLeak)
	r, err := compileRedactor(rc)
	if err != nil {
		return nil, fmt.Errorf("injected keys: %w", err)
	}
	return r, nil
}

// exactSecrets are the injected keys a redactor can look for: at least 8 bytes (a
// shorter one would match ordinary text), without whitespace; skipped counts the others.
func exactSecrets(keys []credentials.Secret) (out [][]byte, skipped int) {
	for _, k := range keys {
		v := k.Reveal()
		if len(v) < 8 || strings.ContainsAny(v, " \t\r\n\f\v") {
			skipped++
			continue
		}
		out = append(out, []byte(v))
	}
	return out, skipped
}

// SecretRedactor returns the redactor that finds only the injected keys (nil when the
// guard injects none).
func (p *Policy) SecretRedactor() *redact.Redactor { return p.secrets }

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
func (p *Policy) maskRequest(r *llmreq.Request, cur *texts, d *Decision) {
	if !p.cfg.Redaction.Requests || p.redactor == nil {
		return
	}
	n := 0
	for i := range r.Segments {
		if !r.Segments[i].Rewritable() {
			continue
		}
		out, rep := p.redactor.RedactData(cur.get(i))
		if rep.Total() > 0 {
			cur.set(i, out)
			n += rep.Total()
		}
	}
	if n > 0 {
		d.Actions = append(d.Actions, "request_masked")
	}
}
