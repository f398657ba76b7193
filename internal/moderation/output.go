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
