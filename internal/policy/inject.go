package policy

import (
	"slices"
	"strconv"
	"strings"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/inspect"
	"github.com/egressguard/egressguard/internal/llmreq"
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

// inspectRequest scans every segment, and every message's parts joined, and applies
// the configured action to d; in sanitize mode it rewrites cur.
func (p *Policy) inspectRequest(r *llmreq.Request, cur *texts, d *Decision) {
	if !p.inspects(r.API) {
		return
	}
	v := &Injection{Action: p.cfg.Injection.Action}
	// Only sanitize needs every text's result; otherwise they are combined as they come.
	var results []inspect.Result
	if v.Action == config.ActionSanitize {
		results = make([]inspect.Result, len(r.Segments)+len(r.Joined))
	}
	var acc inspect.Result
	add := func(k int, res inspect.Result) {
		if results != nil {
			results[k] = res
		}
		acc.Score = max(acc.Score, res.Score)
		acc.Flagged = acc.Flagged || res.Flagged
		acc.Monitor = acc.Monitor || res.Monitor
		acc.Allowed = acc.Allowed || res.Allowed
		acc.Rules = append(acc.Rules, res.Rules...)
	}
	for i := range r.Segments {
		seg := &r.Segments[i]
		res := p.inspector.ScanOrigin(seg.Text, origin(seg.Origin))
		if res.Flagged {
			v.Segments++
		}
		add(i, res)
	}
	for j := range r.Joined {
		jn := &r.Joined[j]
		add(len(r.Segments)+j, p.inspector.ScanOrigin(jn.Text, origin(r.Segments[jn.First].Origin)))
	}
	all := inspect.Combine(acc) // what Combine of every result gives: rules sorted and deduplicated
	v.Score, v.Flagged, v.Rules = all.Score, all.Flagged, all.Rules
	d.Injection = v
	if !v.Flagged {
		return
	}
	switch v.Action {
	case config.ActionBlock:
		d.Reject = apierr.New(403, apierr.TypePolicy, "prompt_injection",
			"request blocked by the prompt-injection policy (rules: %s)", strings.Join(v.Rules, ", "))
	case config.ActionSanitize:
		p.sanitize(r, results, cur, d)
	case config.ActionFlag:
		d.Headers = append(d.Headers, [2]string{HeaderInjection,
			"score=" + strconv.FormatFloat(v.Score, 'f', 2, 64) + "; rules=" + strings.Join(v.Rules, ",")})
	}
}

// sanitize replaces the flagged spans of every segment with the marker, those found
// in a joined text included (mapped back to the parts they cover). A flagged text
// that cannot be rewritten (an object key, a decoded file) blocks the request.
func (p *Policy) sanitize(r *llmreq.Request, results []inspect.Result, cur *texts, d *Decision) {
	spans := make([][]inspect.Span, len(r.Segments))
	for i := range r.Segments {
		if results[i].Flagged {
			spans[i] = append(spans[i], results[i].Spans...)
		}
	}
	for j := range r.Joined {
		res := results[len(r.Segments)+j]
		if !res.Flagged {
			continue
		}
		for _, sp := range res.Spans {
			for _, part := range r.Joined[j].Parts {
				s, e := max(sp.Start, part.Start), min(sp.End, part.End)
				if s < e {
					spans[part.Segment] = append(spans[part.Segment], inspect.Span{Start: s - part.Start, End: e - part.Start})
				}
			}
		}
	}
	for i := range r.Segments {
		if len(spans[i]) == 0 {
			continue
		}
		if !r.Segments[i].Rewritable() {
			d.Reject = apierr.New(403, apierr.TypePolicy, "prompt_injection",
				"request blocked by the prompt-injection policy: a flagged text is in a %s, which the guard cannot sanitise", r.Segments[i].Field)
			return
		}
		cur.set(i, replaceSpans(cur.get(i), mergeSpans(spans[i]), p.cfg.Injection.Marker))
	}
	d.Actions = append(d.Actions, "injection_sanitized")
}

// mergeSpans sorts spans and merges overlapping or touching ones.
func mergeSpans(sp []inspect.Span) []inspect.Span {
	slices.SortFunc(sp, func(a, b inspect.Span) int { return a.Start - b.Start })
	out := sp[:0]
	for _, s := range sp {
		if n := len(out); n > 0 && s.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
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

// hardenRequest applies the optional delimiting and control-character stripping to
// every text that can be rewritten.
func (p *Policy) hardenRequest(r *llmreq.Request, cur *texts, d *Decision) {
	c := p.cfg.Injection
	if !c.WrapUserContent && !c.StripControlChars {
		return
	}
	changed := false
	for i := range r.Segments {
		seg := &r.Segments[i]
		if !seg.Rewritable() {
			continue
		}
		text := cur.get(i)
		if c.StripControlChars {
			text = stripControl(text)
		}
		if c.WrapUserContent && seg.Origin == llmreq.OriginUser && seg.Field == llmreq.FieldContent {
			text = "<user_query>\n" + text + "\n</user_query>"
		}
		if text != cur.get(i) {
			cur.set(i, text)
			changed = true
		}
	}
	if changed {
		d.Actions = append(d.Actions, "content_hardened")
	}
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

// origin is how far a segment's author is trusted: tool results and documents (what a
// tool or a retrieved document said) are untrusted, so instructions about the
// assistant's answer count in full there; in client-authored text the same words are
// ordinary formatting requests.
func origin(o llmreq.Origin) inspect.Origin {
	if o.Untrusted() {
		return inspect.OriginUntrusted
	}
	return inspect.OriginUser
}
