package policy

import (
	"strconv"
	"strings"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/chatreq"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/inspect"
)

// Injection is the prompt-injection verdict for one request.
type Injection struct {
	Score    float64
	Flagged  bool     // at or above the threshold in some text (and not allowed)
	Rules    []string // rule families that fired, sorted; never user text
	Action   string   // the configured action that was applied ("block", "sanitize", …)
	Segments int      // texts flagged
}

// HeaderInjection is the request header added in "flag" mode.
const HeaderInjection = "x-egressguard-injection"

// newInspector compiles the engine for the configuration ("off" → nil).
func newInspector(c config.Injection) (*inspect.Engine, error) {
	if c.Action == config.ActionOff {
		return nil, nil
	}
	return compileInspector(inspect.Config{Threshold: c.Threshold, Deny: c.Deny, Allow: c.Allow})
}

// inspectRequest scans every segment and applies the configured action to d.
func (p *Policy) inspectRequest(r *chatreq.Request, body []byte, d *Decision) []byte {
	if p.inspector == nil {
		return body
	}
	results := make([]inspect.Result, len(r.Segments))
	v := &Injection{Action: p.cfg.Injection.Action}
	for i, seg := range r.Segments {
		results[i] = p.inspector.ScanOrigin(seg.Text, origin(seg))
		if results[i].Flagged {
			v.Segments++
		}
	}
	all := inspect.Combine(results...)
	v.Score, v.Flagged, v.Rules = all.Score, all.Flagged, all.Rules
	d.Injection = v
	if !v.Flagged {
		return body
	}
	switch v.Action {
	case config.ActionBlock:
		d.Reject = apierr.New(403, apierr.TypePolicy, "prompt_injection",
			"request blocked by the prompt-injection policy (rules: %s)", strings.Join(v.Rules, ", "))
	case config.ActionSanitize:
		for i, seg := range r.Segments {
			if results[i].Flagged {
				body, d.Reject = set(body, seg.Path, replaceSpans(seg.Text, results[i].Spans, p.cfg.Injection.Marker))
				if d.Reject != nil {
					return nil
				}
			}
		}
		d.Actions = append(d.Actions, "injection_sanitized")
	case config.ActionFlag:
		d.Headers = append(d.Headers, [2]string{HeaderInjection,
			"score=" + strconv.FormatFloat(v.Score, 'f', 2, 64) + "; rules=" + strings.Join(v.Rules, ",")})
	}
	return body
}

// replaceSpans swaps each [Start,End) byte span (sorted, non-overlapping) for marker.
func replaceSpans(text string, spans []inspect.Span, marker string) string {
	var b strings.Builder
	last := 0
	for _, s := range spans {
		if s.Start < last || s.End > len(text) || s.Start >= s.End {
			continue
		}
		b.WriteString(text[last:s.Start])
		b.WriteString(marker)
		last = s.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// hardenRequest applies the optional delimiting and control-character stripping.
func (p *Policy) hardenRequest(r *chatreq.Request, body []byte, d *Decision) []byte {
	c := p.cfg.Injection
	if !c.WrapUserContent && !c.StripControlChars {
		return body
	}
	changed := false
	for _, seg := range r.Segments {
		text := seg.Text
		if c.StripControlChars {
			text = stripControl(text)
		}
		if c.WrapUserContent && seg.Role == "user" && seg.Field == chatreq.FieldContent {
			text = "<user_query>\n" + text + "\n</user_query>"
		}
		if text == seg.Text {
			continue
		}
		if body, d.Reject = set(body, seg.Path, text); d.Reject != nil {
			return nil
		}
		changed = true
	}
	if changed {
		d.Actions = append(d.Actions, "content_hardened")
	}
	return body
}

func stripControl(s string) string {
	clean := func(r rune) rune {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return -1
		}
		return r
	}
	if strings.IndexFunc(s, func(r rune) bool { return clean(r) < 0 }) < 0 {
		return s
	}
	return strings.Map(clean, s)
}

// origin is how far a segment's author is trusted: tool and function results (what a
// tool or a retrieved document said) are untrusted, so instructions about the
// assistant's answer count in full there; in user-authored turns the same words are
// ordinary formatting requests.
func origin(seg chatreq.Segment) inspect.Origin {
	if seg.Field == chatreq.FieldToolResult {
		return inspect.OriginUntrusted
	}
	return inspect.OriginUser
}
