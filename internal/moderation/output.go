package moderation

import "github.com/egressguard/egressguard/internal/llmresp"

// FinishReasonContentFilter is the finish_reason of a refused completion.
const FinishReasonContentFilter = llmresp.FinishContentFilter

// ResponseTexts returns the texts of a non-streamed chat, FIM or agents completion,
// one per choice (see llmresp.Texts; other APIs: llmresp.Texts or
// llmresp.Result.Texts).
func ResponseTexts(body []byte) []string { return llmresp.Texts(llmresp.Chat, body) }

// PlanOutput builds the call moderating a completion's texts (see ResponseTexts),
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

// RefusalJSON rewrites a non-streamed chat completion into a refusal (see
// llmresp.RefusalBody, which covers every API).
func RefusalJSON(body []byte, refusal string) []byte {
	return llmresp.RefusalBody(llmresp.Chat, body, refusal)
}

// RefusalSSE is the end of a refused chat stream: one chunk event carrying refusal as
// the content delta of every choice index in choices (nil: [0]) with finish_reason
// "content_filter", then "data: [DONE]" (see llmresp.RefusalChunk; a StreamGate ends
// the streams of every API in their own shape).
func RefusalSSE(envelope []byte, choices []int, refusal string) []byte {
	return llmresp.RefusalChunk(envelope, choices, refusal)
}
