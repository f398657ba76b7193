// Package inspect is the prompt-injection inspection engine of the egress
// guard. It is pure Go (no proxy-wasm host calls) so that it runs unchanged
// natively, in tests and inside the Envoy wasm filter.
//
// A Scan makes one pass over the text. Each rune is folded (NFKC-style
// compatibility forms, mathematical alphanumerics, confusables, diacritics,
// case, leetspeak inside words, character references and escapes; Han,
// kana, Hangul, Arabic and Indic letters as pseudo-letters), invisible
// characters are dropped and separators collapse, producing a stream over
// a 32-symbol alphabet that is fed directly into a dense Aho–Corasick DFA
// built once by New. Matches are lexicon concepts ("override verb",
// "instruction noun", "secret noun", …) and fixed phrases; short-range
// pairs of concepts become weighted signals grouped in rule families.
// Structure signals can block alone; weak cues and context evidence are
// capped below the threshold; ordinary objects, reported speech, quoted
// phrases and talk about attacks lower the score; a middle band
// (Result.Monitor) marks what is worth logging but not blocking. Base64,
// base32, hex and %-encoded runs found during the pass are all decoded
// and scanned (the budget grows with the text; a run left undecoded
// counts as an encoded payload).
//
// See docs/injection.md for the measured detection quality and speed.
package inspect
