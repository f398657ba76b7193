package moderation

import "testing"

// The answers are the ones Envoy 1.40 hands a dispatched call (recorded in e2e): its own
// local replies carry no x-envoy-upstream-service-time, the service's answers do.
func TestLocalReply(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		fromService bool
		body        string
		want        Reason // ReasonNone: the service's answer, for Finish
	}{
		{"connection refused", 503, false, "upstream connect error or disconnect/reset before headers. reset reason: remote connection failure", ReasonConnection},
		{"connection reset", 503, false, "upstream connect error or disconnect/reset before headers. reset reason: connection termination", ReasonConnection},
		{"no endpoint", 503, false, "no healthy upstream", ReasonConnection},
		{"timeout", 504, false, "upstream request timeout", ReasonTimeout},
		{"provider 503", 503, true, `{"error":{"message":"overloaded"}}`, ReasonNone},
		{"provider 504 with Envoy's text (an Envoy in front of it)", 504, true, "upstream request timeout", ReasonNone},
		{"provider 500", 500, true, `{"object":"error","type":"internal_server_error"}`, ReasonNone},
		{"unknown local body", 503, false, "service unavailable", ReasonNone},
		{"provider 429", 429, false, "upstream connect error or disconnect/reset before headers", ReasonNone},
	} {
		got := ReasonNone
		if f := LocalReply(tc.status, tc.fromService, []byte(tc.body)); f != nil {
			got = f.Reason
			if f.Status != 0 {
				t.Errorf("%s: a local reply has no provider status, got %d", tc.name, f.Status)
			}
		}
		if got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
