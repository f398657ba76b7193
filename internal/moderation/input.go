package moderation

import (
	"strings"
	"time"
	"unicode"

	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/shareddata"
)

// inputMsg is the moderated text of one message (or prompt field) and its context.
type inputMsg struct {
	index int    // message index (-1 for FIM fields)
	role  string // original role
	text  string // moderated text: user content, tool result, prompt fields
	all   string // every content text of the message (context for chat moderation)
}

// PlanInput picks what to moderate in a request: the content of user messages,
// tool results and documents, prompt fields (FIM prompt and suffix, completions
// prompt, embeddings input) (names, tool-call arguments, tool definitions, other
// fields, system and assistant messages are not moderated; with chat moderation the assistant and
// user messages before a text are its context). Texts whose verdict is in the
// cache (store; nil disables it) are not sent again; their verdicts are merged
// into cached. call is nil when nothing is left to moderate, or when the input
// stage is off.
//
// The plugin: if call is nil, decide on cached; if cached is flagged and the
// stage enforces, reject at once (no call needed); otherwise dispatch call and
// decide on Finish's verdict, which includes cached.
func (m *Moderator) PlanInput(req *llmreq.Request, store shareddata.Store, now time.Time) (call *Call, cached Verdict) {
	if m == nil || req == nil || m.cfg.Input.Mode == ModeOff {
		return nil, Verdict{}
	}
	msgs := inputMessages(req)
	cache := m.cache(store)
	var items [][]wireInput
	var keys []cacheKey
	seen := map[cacheKey]bool{}
	for i, im := range msgs {
		if strings.TrimFunc(im.text, unicode.IsSpace) == "" {
			continue
		}
		k := m.hashText(im.text)
		if seen[k] {
			continue
		}
		seen[k] = true
		if v, ok := cache.get(k, now); ok {
			cached = cached.Merge(v)
			continue
		}
		var ctx []Message
		if m.chat {
			ctx = contextBefore(msgs[:i], m.cfg.MaxChunkChars)
		}
		items = append(items, m.chunks(ctx, "user", im.text))
		keys = append(keys, k)
	}
	if len(items) == 0 {
		return nil, cached
	}
	call = m.build(Input, items)
	call.items, call.cached, call.store = keys, cached, cache != nil
	return call, cached
}

// inputMessages groups a request's message texts by message.
func inputMessages(req *llmreq.Request) []inputMsg {
	var out []inputMsg
	cur := -2
	for _, s := range req.Segments {
		switch s.Field {
		case llmreq.FieldPrompt:
			out = append(out, inputMsg{index: -1, role: "user", text: s.Text, all: s.Text})
			cur = -2
			continue
		case llmreq.FieldContent:
		default:
			continue
		}
		if s.Msg < 0 || s.Msg != cur || len(out) == 0 {
			out = append(out, inputMsg{index: s.Msg, role: s.Role})
			cur = s.Msg
		}
		im := &out[len(out)-1]
		im.all = joinText(im.all, s.Text)
		if s.Origin == llmreq.OriginUser || s.Origin.Untrusted() {
			im.text = joinText(im.text, s.Text)
		}
	}
	return out
}

func joinText(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}

// contextBefore is the conversation before a text, newest last, within budget
// code points (the oldest message kept is cut at its start). System messages are
// left out; tool results are given as user messages.
func contextBefore(msgs []inputMsg, budget int) []Message {
	var rev []Message
	for i := len(msgs) - 1; i >= 0 && budget > 0; i-- {
		im := msgs[i]
		role := "user"
		switch im.role {
		case "system", "developer":
			continue
		case "assistant":
			role = "assistant"
		}
		text := im.all
		if strings.TrimFunc(text, unicode.IsSpace) == "" {
			continue
		}
		n := runeCount(text)
		if n > budget {
			text = tailRunes(text, budget)
			n = budget
		}
		budget -= n
		rev = append(rev, Message{Role: role, Content: text})
	}
	out := make([]Message, len(rev))
	for i, msg := range rev {
		out[len(rev)-1-i] = msg
	}
	return out
}

// LastUserContext is the context for output chat moderation: the last user
// message of the request (its content texts), cut to max_chunk_chars.
func (m *Moderator) LastUserContext(req *llmreq.Request) []Message {
	if m == nil || req == nil || !m.chat {
		return nil
	}
	msgs := inputMessages(req)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].role == "user" && msgs[i].all != "" {
			return []Message{{Role: "user", Content: tailRunes(msgs[i].all, m.cfg.MaxChunkChars)}}
		}
	}
	return nil
}

// CachedVerdict looks a text up in the verdict cache (ok false on a miss or any
// store error).
func (m *Moderator) CachedVerdict(store shareddata.Store, text string, now time.Time) (Verdict, bool) {
	return m.cache(store).get(m.hashText(text), now)
}

// RememberVerdict stores a verdict on a text in the cache for cache_ttl_seconds;
// it reports whether the write landed (failures are harmless).
func (m *Moderator) RememberVerdict(store shareddata.Store, text string, v Verdict, now time.Time) bool {
	return m.cache(store).put(m.hashText(text), v, now)
}
