// Package moderation is the pure-Go core of out-of-band content moderation
// (OpenAI POST /v1/moderations; Mistral POST /v1/moderations and
// /v1/chat/moderations): configuration, what to send, request bodies, response
// parsing, thresholds, the verdict cache, decisions, refusals and the SSE
// stream gate. It makes no host calls: the plugin dispatches the HTTP calls,
// owns the shared-data store and the response buffers. See docs/moderation.md.
//
// # Objects
//
// Build once per plugin start: m, err := New(cfg.Moderation) (nil when off),
// and a credentials.Keyring for cfg.Moderation.Auth (NewKeyring("moderation",
// …)) when it has keys. Per call: a *Call (Path, Body, Inputs) dispatched to
// m.Cluster() with m.Headers(call) plus the key header, timeout m.Timeout().
// In the callback: status 0 / no headers → f := m.NoResponse(elapsed);
// otherwise v, f := m.Finish(call, status, body, store, now). Then
// d := m.Decide(stage, v, f): d.Action, d.Error() (403/503 JSON), d.Header()
// (x-egressguard-moderation: failed-open), d.Outcome and d.Failure.Reason for
// metrics, d.LogLine(requestID) (never content). Report 401/403/429 answers to
// the keyring (ReportStatus) like upstream answers. If DispatchHttpCall itself
// fails, use Unavailable(ReasonDispatch) as the failure.
//
// # Input (request body, after validation and inspection)
//
//	call, cached := m.PlanInput(req, store, now)
//	if call == nil || (cached.Flagged && input stage enforces) {
//	    apply m.Decide(Input, cached, nil) now            // no call needed
//	} else {
//	    dispatch call; return Pause (the request stays held)
//	}
//	callback: v, f := m.Finish(call, …, store, now)      // caches per-text verdicts, merges cached
//	    d := m.Decide(Input, v, f)
//	    ActionReject / ActionFailClosed: SendHttpResponse(d.Error()) (the request is never forwarded)
//	    ActionAllow / ActionFailOpen:    ResumeHttpRequest(); remember d.Header() for the response headers
//
// Only user-message content, tool results and FIM prompt/suffix are sent, and
// only those not already in the verdict cache (key: SHA-256 of the
// configuration fingerprint and the text), so turn N of a conversation sends
// just its new user message and tool results.
//
// # Output, non-streamed (application/json 2xx)
//
// Hold the response headers (return Pause from OnHttpResponseHeaders) so that
// a 503 or the failed-open header is still possible, buffer the body to its end
// (Pause), redact it as today, then
//
//	call := m.PlanOutput(result.Texts, m.LastUserContext(req))   // llmresp.Result of the body
//	nil → continue as today; else dispatch, Pause; callback:
//	    d := m.Decide(Output, v, f)
//	    ActionRefuse:     ReplaceResponseBody(llmresp.RefusalBody(api, body, m.Refusal())), ResumeHttpResponse()
//	    ActionFailClosed: SendHttpResponse(503, d.Error()) (or, if headers already left, the refusal body)
//	    otherwise:        add d.Header() if any, ResumeHttpResponse()
//
// # Output, streamed (text/event-stream 2xx)
//
// g := m.NewStreamGateFor(api, m.LastUserContext(req)) in OnHttpResponseHeaders
// (nil: output off; api is the llmresp.API of the path, whose events the gate reads
// and whose refusal ends a refused stream). The gate owns every byte it is given; the plugin always drains
// Envoy's buffer and hands it over, and only ever puts back what Release
// returns. In OnHttpResponseBody(size, eos):
//
//	chunk := ResponseBody(size)                  // everything buffered: it was emptied last time
//	out := resp.Write(chunk); if eos { out += resp.Close() } // llmresp.Response (redaction)
//	g.Write(out); if eos { g.Close() }
//	pump()                                       // dispatch g.Call() if any (see below)
//	if g.Paused() { ReplaceResponseBody(nil); paused = true; return Pause }
//	ReplaceResponseBody(g.Release()); return Continue
//
// where pump is: if c := g.Call(); c != nil { if dispatch fails:
// g.Resolve(m.Decide(Output, Verdict{}, Unavailable(ReasonDispatch))) and pump
// again }. In the call's callback:
//
//	g.Resolve(m.Decide(Output, v, f))            // allow/fail-open clears the window; refuse/fail-closed ends the stream
//	pump()
//	if paused && (!g.Ended() || g.Done()) {
//	    SetResponseBody(g.Release()); paused = false; ResumeHttpResponse()
//	}
//
// While a window is in flight every OnHttpResponseBody drains and pauses, so
// the callback is always able to release what the verdict cleared. Once the
// upstream's end of stream was seen the response stays paused until Done (the
// end of stream goes out with the last bytes). After a refusal the gate emits
// the refusal chunk and data: [DONE] once and swallows the rest of the
// upstream stream. Response headers have left by then: fail-closed cannot be a
// 503 and ends the stream with the refusal; fail-open can only be logged and
// counted.
//
// The client never receives text that has not been moderated (in monitor mode
// everything is released at once and only recorded). A window is moderated as
// soon as holdback_chars characters are pending and no call is in flight, so
// without a call in flight fewer than holdback_chars characters are ever held;
// text that arrives during a call waits for the next window.
package moderation
