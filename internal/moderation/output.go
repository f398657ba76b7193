package moderation

import "github.com/egressguard/egressguard/internal/llmresp"

// FinishReasonContentFilter is the finish_reason of a refused completion.
const FinishReasonContentFilter = llmresp.FinishContentFilter

// PlanOutput builds the call moderating a completion's texts (llmresp.Result.Texts or
// llmresp.Texts: one per choice),
// each in the given context for chat moderation (see LastUserContext). It is nil
// when there is no text or the output stage is off.
func (m *Moderator) PlanOutput(texts []string, context []Message) *Call {
	if m == nil || m.cfg.Output.Mode == ModeOff {
		return nil
	}
	var items [][]wireInput
	for _, t := range texts {
		if t == "" {
			continue
		}
		items = append(items, m.chunks(context, "assistant", t))
	}
	if len(items) == 0 {
		return nil
	}
	c := m.build(Output, items)
	c.items = make([]cacheKey, len(items)) // zero keys: never cached
	return c
}

// RefusalSSE is the end of a refused chat stream: one chunk event carrying refusal as
// the content delta of every choice index in choices (nil: [0]) with finish_reason
// "content_filter", then "data: [DONE]" (see llmresp.RefusalChunk; a StreamGate ends
// the streams of every API in their own shape).
func RefusalSSE(envelope []byte, choices []int, refusal string) []byte {
	return llmresp.RefusalChunk(envelope, choices, refusal)
}
