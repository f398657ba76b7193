package main

import (
	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/flow"
)

// testHook runs at the start of each phase. It does nothing in the shipped plugin; the
// test-hook build (tag egressguard_testhooks, build/egressguard-testhooks.wasm) and the
// native tests set it to panicOnRequest, to prove that a panic fails one request only.
var testHook = func(*flow.Exchange, string) {}

// testPanicHeader names the phase ("request_headers", "request_body",
// "response_headers", "response_body") in which panicOnRequest panics.
const testPanicHeader = "x-egressguard-test-panic"

// pendingPanics remembers, per exchange, the phase asked for on the request headers
// (later phases cannot read request headers in the default flow).
var pendingPanics = map[*flow.Exchange]string{}

func panicOnRequest(x *flow.Exchange, phase string) {
	if phase == "request_headers" {
		if v := hostcalls.RequestHeader(testPanicHeader); v != "" {
			pendingPanics[x] = v
		}
	}
	if pendingPanics[x] == phase {
		delete(pendingPanics, x)
		panic("egressguard test hook: panic in " + phase)
	}
}
