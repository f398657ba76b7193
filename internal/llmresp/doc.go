// Package llmresp is the response model of the egress guard: what a client can read
// in the response of each LLM API the guard routes, and how it is redacted, read for
// usage, given to output moderation and replaced by a refusal. It is pure Go (no
// host calls); the plugin calls it once per phase (see Plan, Response).
//
// # The rule
//
// On LLM paths every string value of a JSON response or of an SSE event payload is
// redacted, and so is every object key that is not a plain lower-case name, except
// the values of a short list of inert keys (ids, object and event types, model,
// role, finish and stop reasons, status, timestamps, encrypted or signed blobs a
// client must send back unchanged; see inertKey). A field a provider adds tomorrow
// is therefore redacted by default. What the model of each API adds on top of the
// rule is:
//
//   - the mode of each string: text a person reads (content, reasoning, refusal,
//     transcripts, unknown fields) gets every detector, including unsafe HTML,
//     markdown exfiltration and system-prompt leaks; data a program reads (tool-call
//     arguments and inputs, error messages, request fields a response echoes) gets
//     the PII and secret detectors only (redact.Redactor.RedactData);
//   - continuity: the pieces of one text (a choice's content deltas, a content
//     block's text deltas, the parts of a content array, a sequence of logprob
//     tokens) are redacted as one text, so an entity split across events, parts or
//     tokens is still caught (Key names the text each piece belongs to);
//   - the usage a response reports, the texts output moderation reads (per choice),
//     and the refusal that replaces a refused response, in each API's shape.
//
// Streams hold back at most about redact.Config.Window bytes of each text; what is
// held when the text ends is released in an event of the API's own shape placed
// just before the event that ends it.
//
// # Phases
//
// At the response headers, NewResponse(redactor, Request, status, content-type,
// content-encoding, Options) returns the Response and its Plan: Pass, Reject (answer
// Plan.Error), Buffer (hold the whole body, then Response.Body gives the bytes to
// send, the redaction report, the usage and the texts for output moderation) or
// Stream (Response.AppendWrite per chunk, AppendClose at the end of the body,
// trailers included; then Report, Usage and Err). Plan.HoldHeaders asks to keep the
// headers until Response.Decided knows whether the body is refused. Output
// moderation reads streams with an Observer (moderation.StreamGate does) and
// replaces refused responses with RefusalBody or Observer.Refusal.
//
// See docs/responses.md for the coverage of each API.
package llmresp
