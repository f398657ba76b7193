// Package inspect is the prompt-injection inspection engine of the egress
// guard. It is pure Go (no proxy-wasm host calls) so that it runs unchanged
// natively, in tests and inside the Envoy wasm filter.
//
// A Scan makes one pass over the text. Each rune is folded (NFKC-style
// compatibility forms, mathematical alphanumerics, confusables, diacritics,
// case, leetspeak inside words), invisible characters are dropped and
// separators collapse, producing a stream over a 32-symbol alphabet that is
// fed directly into a dense Aho–Corasick DFA built once by New. Matches are
// lexicon concepts ("override verb", "instruction noun", …) and fixed
// phrases; short-range pairs of concepts and phrases become weighted signals
// grouped in rule families, and the signal weights add up to the score.
// Base64, hex and %-encoded segments found during the pass are decoded
// (bounded by Config.MaxDecodeBytes) and scanned as well.
//
// See docs/injection.md for the measured detection quality and speed.
package inspect
