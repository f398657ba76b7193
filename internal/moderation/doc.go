// Package moderation is the pure-Go core of out-of-band content moderation
// (OpenAI POST /v1/moderations; Mistral POST /v1/moderations and
// /v1/chat/moderations): configuration, what to send, request bodies, response
// parsing, thresholds, the verdict cache, decisions, refusals and the SSE
// stream gate. It makes no host calls: internal/flow decides when to call it and
// the plugin dispatches the HTTP calls and owns the response buffers. See
// docs/moderation.md.
//
// A Moderator (New, once per plugin start) plans the calls of each stage:
// PlanInput for a request (the user-message content, tool results and FIM
// prompt/suffix that are not already in the verdict cache, keyed by the SHA-256
// of the configuration fingerprint and the text, so turn N of a conversation
// sends only its new texts) and PlanOutput for a buffered completion. Finish
// reads a call's answer into a Verdict (or a Failure: timeout, connection,
// status, unreadable body) and Decide turns a verdict into a Decision: allow,
// reject or refuse, fail open or fail closed, with the error, header, metrics
// outcome and log line that go with it.
//
// A StreamGate moderates a streamed completion in windows of holdback_chars:
// it owns every byte it is given, releases only text a verdict has cleared (in
// monitor mode, everything at once), asks for the next call as soon as a window
// is full and none is in flight, and after a refusal emits the API's refusal
// and end of stream once and swallows the rest of the upstream stream. Without
// a call in flight fewer than holdback_chars characters are ever held; text that
// arrives during a call waits for the next window. Response headers have left
// by then, so fail-closed ends the stream with the refusal rather than a 503.
package moderation
