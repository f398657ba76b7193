package redact

import "github.com/egressguard/egressguard/internal/jsonscan"

// The SSE fast path: the usual chat.completion.chunk (OpenAI and Mistral)
//
//	{"id":…,"object":"chat.completion.chunk",…,"choices":[{"index":0,"delta":{"content":"…"},…}],…}
//
// is validated and its content string located in one scan, without gjson
// (whose Valid plus Get/ForEach passes cost about 80 calls and 20 µs per
// event in wasm). Only that string is unescaped, streamed and re-escaped;
// all other bytes are copied verbatim. Anything unusual makes the scan give
// up and the event takes the general (gjson) path: more or fewer than one
// choice, tool_calls, a non-object delta, non-string non-null content, a
// duplicated key of interest, an escaped key, a surrogate \u escape, nesting
// deeper than fastMaxDepth, or invalid JSON. The fast path accepts only
// JSON that gjson.Valid accepts, and for what it accepts it produces the
// same output byte for byte (TestSSEFastMatchesGeneral, FuzzSSE).

// fastEvent is what the fast scan found in an event.
type fastEvent struct {
	choice      bool // there is one choice (else "choices" is absent or [])
	index       int  // its "index" (0 when absent)
	finish      bool // its "finish_reason" is a string
	content     bool // its delta has a string "content"
	cStart      int  // the content string literal is payload[cStart:cEnd], quotes included
	cEnd        int
	cEsc        bool // the literal contains escapes
	choicesSeen bool
}

const fastMaxDepth = 16

// Contexts of the JSON container being scanned.
const (
	cxOther   uint8 = iota
	cxTop           // the event object
	cxChoices       // its "choices" array
	cxChoice        // the one choice
	cxDelta         // the choice's "delta"
)

// Keys of interest in those contexts.
const (
	keyOther uint8 = iota
	keyChoices
	keyIndex
	keyDelta
	keyFinish
	keyContent
	keyToolCalls
)

// strStop marks the bytes that end the fast part of a JSON string scan.
var strStop = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = 1
	}
	t['"'], t['\\'] = 1, 1
	return t
}()

// strEnd returns the index just past the JSON string literal that starts
// at s[i] (a '"') and whether it contains escapes, or -1 if it is not a
// valid literal. Plain bytes are skipped 8 per step (calls and per-byte
// branches are what cost in wasm).
func strEnd(s string, i int) (int, bool) {
	i++
	esc := false
	for {
		for ; i+8 <= len(s); i += 8 {
			b := s[i : i+8]
			if strStop[b[0]]|strStop[b[1]]|strStop[b[2]]|strStop[b[3]]|strStop[b[4]]|strStop[b[5]]|strStop[b[6]]|strStop[b[7]] != 0 {
				break
			}
		}
		for i < len(s) && strStop[s[i]] == 0 {
			i++
		}
		if i+1 >= len(s) {
			return -1, false // also a final '"': a complete event ends with '}'
		}
		switch s[i] {
		case '"':
			return i + 1, esc
		case '\\':
			esc = true
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) || !isHex(s[i+5]) {
					return -1, false
				}
				i += 6
			default:
				return -1, false
			}
		default:
			return -1, false // a control byte
		}
	}
}

// skipWS returns the index of the first non-whitespace byte at or after i.
func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t') {
		i++
	}
	return i
}

// scanFastEvent validates payload (standard JSON, whitespace " \t\n\r",
// no stricter check than gjson.Valid) and locates the parts of the usual
// chunk shape in one pass; ok is false when the general path must handle
// the event. It is one function with an explicit stack: calls are
// expensive in Go compiled to wasm.
func scanFastEvent(s string) (ev fastEvent, ok bool) {
	const (
		stValue = iota // a value starts at i (after whitespace)
		stAfter        // a value ended at i
		stKey          // a member key starts at i (after whitespace)
	)
	var stack [fastMaxDepth]uint8 // the enclosing containers' contexts, bit 7 set for objects
	depth, i, state := 0, 0, stValue
	cx, obj, key := cxOther, false, keyOther
	var chSeen, dSeen uint8 // keys seen in the choice and in the delta
	for {
		switch state {
		case stValue:
			i = skipWS(s, i)
			if i >= len(s) {
				return ev, false
			}
			c := s[i]
			want := cxOther // context of a container value
			switch {
			case depth == 0:
				if c != '{' {
					return ev, false
				}
				want = cxTop
			case cx == cxTop && key == keyChoices:
				if c != '[' {
					return ev, false
				}
				want = cxChoices
			case cx == cxChoices:
				if ev.choice || c != '{' {
					return ev, false // a second choice, or not an object
				}
				ev.choice, want = true, cxChoice
			case cx == cxChoice && key == keyIndex:
				n, st := 0, i
				for i < len(s) && isDigit(s[i]) && i-st < 7 {
					n = n*10 + int(s[i]-'0')
					i++
				}
				if i == st || i-st > 1 && s[st] == '0' || i < len(s) && (isDigit(s[i]) || s[i] == '.' || s[i]|0x20 == 'e') {
					return ev, false
				}
				ev.index, state = n, stAfter
				continue
			case cx == cxChoice && key == keyDelta:
				if c != '{' {
					return ev, false
				}
				want = cxDelta
			case cx == cxChoice && key == keyFinish:
				ev.finish = c == '"'
			case cx == cxDelta && key == keyContent:
				if c == '"' {
					ev.content, ev.cStart = true, i
				} else if c != 'n' {
					return ev, false // text parts and other shapes
				}
			}
			switch c {
			case '{', '[':
				if depth == fastMaxDepth {
					return ev, false
				}
				b := cx
				if obj {
					b |= 0x80
				}
				stack[depth] = b
				depth++
				cx, obj = want, c == '{'
				i = skipWS(s, i+1)
				if i < len(s) && (obj && s[i] == '}' || !obj && s[i] == ']') {
					state = stAfter // empty: closed below
					continue
				}
				if obj {
					state = stKey
				}
				continue
			case '"':
				e, esc := strEnd(s, i)
				if e < 0 {
					return ev, false
				}
				if ev.content && ev.cStart == i {
					ev.cEnd, ev.cEsc = e, esc
				}
				i = e
			case 't', 'f', 'n':
				w := "null"
				if c == 't' {
					w = "true"
				} else if c == 'f' {
					w = "false"
				}
				if len(s)-i < len(w) || s[i:i+len(w)] != w {
					return ev, false
				}
				i += len(w)
			default:
				if c == '-' {
					i++
				}
				switch {
				case i < len(s) && s[i] == '0':
					i++
				case i < len(s) && s[i] >= '1' && s[i] <= '9':
					for i < len(s) && isDigit(s[i]) {
						i++
					}
				default:
					return ev, false
				}
				if i < len(s) && s[i] == '.' {
					i++
					if i >= len(s) || !isDigit(s[i]) {
						return ev, false
					}
					for i < len(s) && isDigit(s[i]) {
						i++
					}
				}
				if i < len(s) && s[i]|0x20 == 'e' {
					i++
					if i < len(s) && (s[i] == '+' || s[i] == '-') {
						i++
					}
					if i >= len(s) || !isDigit(s[i]) {
						return ev, false
					}
					for i < len(s) && isDigit(s[i]) {
						i++
					}
				}
			}
			state = stAfter
		case stAfter:
			i = skipWS(s, i)
			if depth == 0 {
				return ev, i == len(s)
			}
			if i >= len(s) {
				return ev, false
			}
			switch c := s[i]; {
			case c == ',':
				i++
				state = stValue
				if obj {
					state = stKey
				}
			case obj && c == '}' || !obj && c == ']':
				i++
				depth--
				cx, obj = stack[depth]&0x7f, stack[depth]&0x80 != 0
			default:
				return ev, false
			}
		case stKey:
			i = skipWS(s, i)
			if i >= len(s) || s[i] != '"' {
				return ev, false
			}
			e, esc := strEnd(s, i)
			if e < 0 {
				return ev, false
			}
			key = keyOther
			if cx != cxOther {
				if esc {
					return ev, false // an escaped key might spell one of interest
				}
				var bit uint8
				switch k := s[i+1 : e-1]; {
				case cx == cxTop && k == "choices":
					key, bit = keyChoices, 1
					if ev.choicesSeen {
						return ev, false
					}
					ev.choicesSeen = true
				case cx == cxChoice && k == "index":
					key, bit = keyIndex, seenIndex
				case cx == cxChoice && k == "delta":
					key, bit = keyDelta, seenDelta
				case cx == cxChoice && k == "finish_reason":
					key, bit = keyFinish, seenFinish
				case cx == cxDelta && k == "content":
					key, bit = keyContent, seenContent
				case cx == cxDelta && k == "tool_calls":
					return ev, false
				}
				if cx == cxChoice {
					if chSeen&bit != 0 {
						return ev, false
					}
					chSeen |= bit
				} else if cx == cxDelta {
					if dSeen&bit != 0 {
						return ev, false
					}
					dSeen |= bit
				}
			}
			i = skipWS(s, e)
			if i >= len(s) || s[i] != ':' {
				return ev, false
			}
			i++
			state = stValue
		}
	}
}

// unescapeJSON appends the value of the string literal lit (quotes included,
// valid as checked by strEnd) to dst with the repository's decoder. It returns
// false for a \u escape of a UTF-16 surrogate, which gjson (the general path)
// decodes its own way: the general path handles those, so that both paths agree.
func unescapeJSON(dst []byte, lit string) ([]byte, bool) {
	for i := 1; i < len(lit)-1; i++ {
		if lit[i] != '\\' {
			continue
		}
		if lit[i+1] == 'u' && i+2 < len(lit) && (lit[i+2]|0x20) == 'd' && i+3 < len(lit) && lit[i+3] >= '8' {
			return dst, false // \uD800-\uDFFF
		}
		i++
	}
	return jsonscan.AppendUnquote(dst, lit)
}
