package fakellm

import (
	"strconv"
	"strings"
	"time"
)

// directives are the parsed [[...]] markers of one request.
type directives struct {
	reply            *string
	status           int
	slow             time.Duration
	garbage          bool
	split            int           // sse-split bytes per network write
	gap              time.Duration // sse-gap after each write
	delta            int           // sse-delta runes per content delta
	promptTokens     int           // -1: computed
	completionTokens int           // -1: computed
	finish           string
	abort            bool
	abortOnce        string        // abort the first request with this id only
	cut              bool          // headers, half the body, then drop
	respTrailers     bool          // end the (non-streaming) body with a trailer
	stall            time.Duration // headers, then nothing for this long, then drop
	shape            string        // a chat response shape (see shapes.go)
	ctype            *string       // the content-type to label the response with ("": none)
	errorEcho        bool          // an error's message quotes the reply
	echoKey          bool          // "{KEY}" in the reply is the credential the request carried
	jsonEscape       bool          // '@', '.' and ' ' inside JSON strings are sent as \u escapes
	eol              string        // the line ending of event streams ("": "\n")
	gzip             bool          // (non-streaming) the body is gzip-compressed

	// moderation endpoints only (mod-*): the guard's moderation call can be
	// faulted without touching the chat upstream that sees the same text.
	modStatus  int
	modSlow    time.Duration
	modGarbage bool
	modAbort   bool
	modResults int // -1: one result per input
}

const (
	maxSlow = 60 * time.Second
	maxGap  = 5 * time.Second
)

// parseDirectives scans text for [[name]] and [[name:arg]] markers. Unknown
// or malformed markers are ignored; when a marker repeats, the last wins.
func parseDirectives(text string) *directives {
	d := &directives{promptTokens: -1, completionTokens: -1, modResults: -1}
	for {
		i := strings.Index(text, "[[")
		if i < 0 {
			break
		}
		text = text[i+2:]
		j := strings.Index(text, "]]")
		if j < 0 {
			break
		}
		body := text[:j]
		if k := strings.LastIndex(body, "[["); k >= 0 {
			// "[[x [[reply:..]]": restart at the innermost opener.
			text = text[k:]
			continue
		}
		name, arg, hasArg := strings.Cut(body, ":")
		text = text[j+2:]
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "reply":
			if hasArg {
				a := arg
				d.reply = &a
			}
		case "status":
			if n, err := strconv.Atoi(strings.TrimSpace(arg)); err == nil && n >= 400 && n <= 599 {
				d.status = n
			}
		case "slow":
			if v, ok := parseDur(arg); ok {
				d.slow = min(v, maxSlow)
			}
		case "sse-gap":
			if v, ok := parseDur(arg); ok {
				d.gap = min(v, maxGap)
			}
		case "garbage":
			d.garbage = true
		case "abort":
			d.abort = true
		case "abort-once":
			d.abortOnce = strings.TrimSpace(arg)
		case "cut":
			d.cut = true
		case "resp-trailers":
			d.respTrailers = true
		case "shape":
			d.shape = strings.ToLower(strings.TrimSpace(arg))
		case "ctype":
			a := strings.TrimSpace(arg)
			if a == "none" {
				a = ""
			}
			d.ctype = &a
		case "error-echo":
			d.errorEcho = true
		case "echo-key":
			d.echoKey = true
		case "json-escape":
			d.jsonEscape = true
		case "sse-eol":
			switch strings.ToLower(strings.TrimSpace(arg)) {
			case "cr":
				d.eol = "\r"
			case "crlf":
				d.eol = "\r\n"
			}
		case "gzip":
			d.gzip = true
		case "stall":
			d.stall = maxSlow
			if v, ok := parseDur(arg); ok && hasArg {
				d.stall = min(v, maxSlow)
			}
		case "sse-split":
			if n, err := strconv.Atoi(strings.TrimSpace(arg)); err == nil && n > 0 {
				d.split = n
			}
		case "sse-delta":
			if n, err := strconv.Atoi(strings.TrimSpace(arg)); err == nil && n > 0 {
				d.delta = n
			}
		case "tokens":
			p, c, two := strings.Cut(arg, ",")
			if two {
				pn, err1 := strconv.Atoi(strings.TrimSpace(p))
				cn, err2 := strconv.Atoi(strings.TrimSpace(c))
				if err1 == nil && err2 == nil && pn >= 0 && cn >= 0 {
					d.promptTokens, d.completionTokens = pn, cn
				}
			} else if n, err := strconv.Atoi(strings.TrimSpace(arg)); err == nil && n >= 0 {
				d.completionTokens = n
			}
		case "mod-status":
			if n, err := strconv.Atoi(strings.TrimSpace(arg)); err == nil && n >= 400 && n <= 599 {
				d.modStatus = n
			}
		case "mod-slow":
			if v, ok := parseDur(arg); ok {
				d.modSlow = min(v, maxSlow)
			}
		case "mod-garbage":
			d.modGarbage = true
		case "mod-abort":
			d.modAbort = true
		case "mod-results":
			if n, err := strconv.Atoi(strings.TrimSpace(arg)); err == nil && n >= 0 && n <= 100 {
				d.modResults = n
			}
		case "finish":
			if f := strings.TrimSpace(arg); f != "" {
				d.finish = f
			}
		}
	}
	return d
}

func parseDur(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return time.Duration(n) * time.Millisecond, true
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, false
	}
	return v, true
}
