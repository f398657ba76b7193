package moderation

import (
	"bytes"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/llmresp"
	"github.com/egressguard/egressguard/internal/sse"
)

// StreamGate holds a streamed completion (text/event-stream) back until its text
// is moderated, in windows of about holdback_chars characters. It is fed the
// bytes that would otherwise go to the client (the output of the redactor, or the
// raw upstream chunks; split anywhere) and releases them whole events at a time,
// each only once every character of text it carries has been cleared by
// moderation: the model output of its API as llmresp.Observer reads it (content,
// reasoning, refusal, tool arguments, …; per choice). Events without text (role,
// finish, usage chunks, comments, [DONE], pings) are released as soon as
// everything before them is. Released bytes are the fed bytes,
// unchanged and in order. Parsing what is released, rather than being told,
// guarantees that what is moderated is exactly what the client sees.
//
// A window is requested (Call) when at least holdback_chars characters are
// pending and no call is in flight, or at the end of the stream ([DONE] or
// Close). Text arriving while a call is in flight goes into the next window. Each
// window is sent per choice with the last chunk_overlap_chars characters of the
// choice's previously cleared text in front, so words and sentences cut by a
// window boundary are still seen whole.
//
// In monitor mode every event is released at once; windows are still moderated
// and recorded. A StreamGate is not safe for concurrent use (one per response).
type StreamGate struct {
	m       *Moderator
	ctx     []Message
	monitor bool

	rd  sse.Reader        // splits the fed bytes into events
	obs *llmresp.Observer // the texts of each event, the stream's end and its refusal

	queue     []gateEvent  // complete events not yet released
	open      []choiceText // text of the window being filled
	openChars int
	openID    int // id of the window being filled (from 1)
	cleared   int // windows with id <= cleared are moderated
	inflight  *gateWindow

	tails   []choiceText // per choice: the last overlap characters cleared
	ended   bool         // the stream's end event seen or Close called
	refused bool         // the refusal was emitted; everything else is dropped
	out     []byte       // released, not yet taken by Release
	onEvent func(*sse.Event)
	evText  func(int, string)
	evChars int
}

type gateEvent struct {
	b   []byte
	win int // window holding its text (0: no text)
}

type choiceText struct {
	index int
	text  []byte
}

type gateWindow struct {
	id    int
	texts []choiceText // new text per choice (without overlap)
	chars int
}

// gateMaxEvent bounds one event the gate holds: twice the redactor's limit, as
// redaction may lengthen an event. A longer event refuses the stream.
const gateMaxEvent = 2 * sse.DefaultMax

// NewStreamGate starts a gate for one streamed chat completion; see NewStreamGateFor.
func (m *Moderator) NewStreamGate(context []Message) *StreamGate {
	return m.NewStreamGateFor(llmresp.Chat, context)
}

// NewStreamGateFor starts a gate for one streamed response of api. context is the
// chat moderation context (see LastUserContext; nil for the plain endpoint). It
// returns nil when the output stage is off.
func (m *Moderator) NewStreamGateFor(api llmresp.API, context []Message) *StreamGate {
	if m == nil || m.cfg.Output.Mode == ModeOff {
		return nil
	}
	g := &StreamGate{m: m, ctx: context, monitor: m.cfg.Output.Mode == ModeMonitor, openID: 1, obs: llmresp.NewObserver(api)}
	g.rd.Max = gateMaxEvent
	g.onEvent = g.event
	g.evText = func(unit int, text string) { g.evChars += g.addText(unit, []byte(text)) }
	return g
}

// Write takes bytes of the stream (split anywhere). Then call Call, then Paused.
func (g *StreamGate) Write(chunk []byte) {
	if g.refused || len(chunk) == 0 {
		return
	}
	if err := g.rd.Feed(chunk, g.onEvent); err != nil {
		g.refuse() // an event too large to moderate is never released
		return
	}
	g.advance()
}

// Close ends the stream (the upstream's end of stream): an unterminated last
// event is taken as it is. Then call Call, then Paused.
func (g *StreamGate) Close() {
	if !g.refused {
		if err := g.rd.Close(g.onEvent); err != nil {
			g.refuse()
			return
		}
	}
	g.ended = true
	g.advance()
}

// event queues one complete event (copied) and adds its texts to the open window.
func (g *StreamGate) event(e *sse.Event) {
	ev := gateEvent{b: bytes.Clone(e.Raw)}
	g.evChars = 0
	if e.HasData {
		g.obs.Event(e.Name, e.Data, g.evText)
		g.ended = g.ended || g.obs.Ended()
	}
	if g.evChars > 0 && !g.monitor {
		ev.win = g.openID
	}
	g.queue = append(g.queue, ev)
}

func (g *StreamGate) addText(idx int, text []byte) int {
	n := utf8.RuneCount(text)
	if n == 0 {
		return 0
	}
	ct := findChoice(&g.open, idx)
	ct.text = append(ct.text, text...)
	g.openChars += n
	return n
}

func findChoice(list *[]choiceText, idx int) *choiceText {
	for i := range *list {
		if (*list)[i].index == idx {
			return &(*list)[i]
		}
	}
	*list = append(*list, choiceText{index: idx})
	return &(*list)[len(*list)-1]
}

// refuse drops everything not yet released and ends the stream with the refusal.
func (g *StreamGate) refuse() {
	g.refused = true
	g.queue, g.open, g.openChars = nil, nil, 0
	g.out = append(g.out, g.obs.Refusal(g.m.cfg.Refusal)...)
}

// advance moves releasable events from the queue to out.
func (g *StreamGate) advance() {
	k := 0
	for k < len(g.queue) && g.queue[k].win <= g.cleared {
		g.out = append(g.out, g.queue[k].b...)
		k++
	}
	if k > 0 {
		g.queue = append(g.queue[:0], g.queue[k:]...)
	}
}

// Call returns the moderation call for the next window when one is due (at least
// holdback_chars characters pending, or the stream ended with text pending) and
// no call is in flight; nil otherwise. Dispatch it and pass its decision to
// Resolve (also when the dispatch itself fails).
func (g *StreamGate) Call() *Call {
	if g == nil || g.refused || g.inflight != nil || g.openChars == 0 {
		return nil
	}
	if g.openChars < g.m.cfg.HoldbackChars && !g.ended {
		return nil
	}
	w := &gateWindow{id: g.openID, texts: g.open, chars: g.openChars}
	g.open, g.openChars = nil, 0
	g.openID++
	g.inflight = w
	var items [][]wireInput
	for _, ct := range w.texts {
		text := string(ct.text)
		if t := findTail(g.tails, ct.index); t != "" {
			text = t + text
		}
		items = append(items, g.m.chunks(g.ctx, "assistant", text))
	}
	c := g.m.build(Output, items)
	c.items = make([]cacheKey, len(items))
	return c
}

func findTail(list []choiceText, idx int) string {
	for _, t := range list {
		if t.index == idx {
			return string(t.text)
		}
	}
	return ""
}

// Resolve applies the decision on the window in flight (from Decide(Output, …)).
// Allow and fail-open release the window's events; refuse and fail-closed drop
// everything not yet released and end the stream with the refusal event and
// "data: [DONE]" (a 503 is impossible once a stream has started). Then call
// Call again, then release.
func (g *StreamGate) Resolve(d Decision) {
	if g == nil || g.inflight == nil {
		return
	}
	w := g.inflight
	g.inflight = nil
	if d.Action == ActionRefuse || d.Action == ActionFailClosed {
		g.refuse()
		return
	}
	g.cleared = w.id
	if ov := g.m.cfg.overlap(); ov > 0 {
		for _, ct := range w.texts {
			t := findChoice(&g.tails, ct.index)
			t.text = []byte(tailRunes(string(t.text)+string(ct.text), ov))
		}
	}
	g.advance()
}

// Release returns the bytes that may go to the client now (and forgets them).
func (g *StreamGate) Release() []byte {
	if g == nil {
		return nil
	}
	out := g.out
	g.out = nil
	return out
}

// InFlight reports whether a window is being moderated.
func (g *StreamGate) InFlight() bool { return g != nil && g.inflight != nil }

// Ended reports whether the end of the stream was seen ([DONE] or Close).
func (g *StreamGate) Ended() bool { return g != nil && g.ended }

// Refused reports whether the stream was ended with the refusal.
func (g *StreamGate) Refused() bool { return g != nil && g.refused }

// Done reports whether nothing is left to moderate or release after the end of
// the stream (or the refusal): the plugin may then let the end of stream through.
func (g *StreamGate) Done() bool {
	if g == nil {
		return true
	}
	return g.refused || (g.ended && g.inflight == nil && g.openChars == 0 && len(g.queue) == 0 && g.rd.Pending() == 0)
}

// Paused reports whether the plugin must keep the response paused: a window is
// in flight (enforce mode), or the stream has ended and is not Done.
func (g *StreamGate) Paused() bool {
	if g == nil {
		return false
	}
	return (g.inflight != nil && !g.monitor) || (g.ended && !g.Done())
}

// Pending is the number of characters fed but not yet cleared (in flight
// included).
func (g *StreamGate) Pending() int {
	if g == nil {
		return 0
	}
	n := g.openChars
	if g.inflight != nil {
		n += g.inflight.chars
	}
	return n
}

// Held is the number of fed bytes not yet released.
func (g *StreamGate) Held() int {
	if g == nil {
		return 0
	}
	n := g.rd.Pending() + len(g.out)
	for _, e := range g.queue {
		n += len(e.b)
	}
	return n
}
