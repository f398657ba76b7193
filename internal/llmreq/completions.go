package llmreq

import (
	"github.com/egressguard/egressguard/internal/apierr"
)

// Legacy text completions (prompt, suffix) and embeddings (input).

var (
	completionsRoot = keys("model", "prompt", "suffix", "max_tokens", "temperature", "top_p", "n", "stream",
		"stream_options", "logprobs", "echo", "stop", "presence_penalty", "frequency_penalty", "best_of",
		"logit_bias", "user", "seed")
	embeddingsRoot = keys("model", "input", "encoding_format", "dimensions", "user", "output_dtype", "output_dimension")
)

func parseCompletions(p *parser) *apierr.Error {
	if err := p.requireModel(); err != nil {
		return err
	}
	if err := p.promptField(p.t.Member(0, "prompt"), "prompt"); err != nil {
		return err
	}
	if _, err := p.optionalString("suffix"); err != nil {
		return err
	}
	return p.textMember(0, "suffix", FieldPrompt, false)
}

func parseEmbeddings(p *parser) *apierr.Error {
	if err := p.requireModel(); err != nil {
		return err
	}
	in := p.t.Member(0, "input")
	if in < 0 {
		return apierr.Invalid("missing_field", "input", "input is required")
	}
	return p.promptField(in, "input")
}
