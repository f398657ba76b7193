package ratelimit

import "unicode/utf8"

// Per-message and per-request overheads of the chat format, in tokens (OpenAI's
// published counting recipe: about 3 per message for role and separators, 3 to prime the
// reply).
const (
	TokensPerMessage = 4
	TokensPerRequest = 3
)

// EstimateTokens estimates how many tokens a BPE tokenizer (cl100k / o200k, Mistral's
// Tekken) produces for s, without a vocabulary. It refines the "4 characters per token"
// rule, which is fine for English prose but undercounts code, numbers and non-Latin
// scripts badly (a CJK character is about one token, not a quarter):
//
//   - a run of ASCII letters: one token per started 6 letters (common words are one
//     token, long or rare words split);
//   - a run of digits: one token per started 3 digits (numbers are split in groups of 3);
//   - ASCII punctuation and symbols: one token each (slightly high: "()" or "```" merge);
//   - a single space before a word is free; longer runs of spaces and tabs cost one token
//     per started 4; a run of line breaks costs one token;
//   - other characters below U+0800 (accented Latin, Greek, Cyrillic, Hebrew, Arabic):
//     half a token each;
//   - U+0800 and above (CJK, kana, Hangul, Indic, Thai, …): one token each; emoji and
//     other supplementary-plane characters two.
//
// It errs high on English prose (about 1.1–1.3× the real count) and stays within about
// 0.8–1.5× elsewhere; the provider's reported usage corrects it (Limiter.Charge).
func EstimateTokens(s string) int {
	var tokens, halves int
	var word, digits, spaces, newlines int
	flush := func() {
		tokens += (word + 5) / 6
		tokens += (digits + 2) / 3
		if spaces > 1 {
			tokens += (spaces + 2) / 4 // the first space rides with the next word
		}
		if newlines > 0 {
			tokens++
		}
		word, digits, spaces, newlines = 0, 0, 0, 0
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
				if digits > 0 || spaces > 0 || newlines > 0 {
					flush()
				}
				word++
			case c >= '0' && c <= '9':
				if word > 0 || spaces > 0 || newlines > 0 {
					flush()
				}
				digits++
			case c == ' ' || c == '\t':
				if word > 0 || digits > 0 || newlines > 0 {
					flush()
				}
				spaces++
			case c == '\n' || c == '\r':
				if word > 0 || digits > 0 || spaces > 0 {
					flush()
				}
				newlines++
			default: // punctuation, symbols, controls
				flush()
				tokens++
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		flush()
		switch {
		case r < 0x0800:
			halves++
		case r < 0x10000:
			tokens++
		default:
			tokens += 2
		}
	}
	flush()
	return tokens + (halves+1)/2
}

// EstimatePrompt estimates the prompt tokens of a request: every text the model reads
// (message contents and parts, names, tool calls and results, FIM prompt and suffix; the
// same segments the guard inspects) plus the chat format's overheads for messages
// messages. Non-text inputs (images, audio) are not counted; the provider's usage
// corrects the estimate.
func EstimatePrompt(texts []string, messages int) int {
	n := TokensPerRequest + TokensPerMessage*max(messages, 0)
	for _, t := range texts {
		n += EstimateTokens(t)
	}
	return n
}

// AdmissionCost is the token estimate a request is admitted with: its prompt estimate
// plus the most it can generate — the effective max_tokens (or max_completion_tokens)
// after the guard's caps. Pass the cap when the request sets no limit and the guard
// adds none (0 = unknown counts nothing, and the overshoot bound then no longer holds).
// For n > 1 choices pass max_tokens·n.
func AdmissionCost(promptTokens, maxTokens int) int {
	return min(max(promptTokens, 0)+max(maxTokens, 0), maxCost)
}
