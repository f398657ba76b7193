package credentials

import (
	"slices"
	"testing"
)

func TestStripQuery(t *testing.T) {
	names := DefaultStripQueryParams
	cases := []struct {
		in, want string
		removed  []string
	}{
		{"/v1/chat/completions", "/v1/chat/completions", nil},
		{"/v1/chat/completions?key=abc", "/v1/chat/completions", []string{"key"}},
		{"/v1/models?limit=5&api-key=abc", "/v1/models?limit=5", []string{"api-key"}},
		{"/v1/models?api_key=abc&limit=5", "/v1/models?limit=5", []string{"api_key"}},
		{"/v1/x?a=1&KEY=2&b=3", "/v1/x?a=1&b=3", []string{"key"}},
		{"/v1/x?%6Bey=2", "/v1/x", []string{"key"}},                                 // percent-encoded name
		{"/v1/x?a=1;access_token=t;b=2", "/v1/x?a=1;b=2", []string{"access_token"}}, // ';' separators
		{"/v1/x?key", "/v1/x", []string{"key"}},                                     // name without value
		{"/v1/x?keys=1&monkey=2", "/v1/x?keys=1&monkey=2", nil},                     // whole names only
		{"/v1/x?a=1&&b=2", "/v1/x?a=1&&b=2", nil},                                   // empty segments kept
		{"/v1/x?token=a&token=b", "/v1/x", []string{"token", "token"}},              // repeated
		{"/v1/x?subscription-key=%zz", "/v1/x", []string{"subscription-key"}},
		{"/v1/x?ke%79=1&z=%41", "/v1/x?z=%41", []string{"key"}}, // kept params copied verbatim
	}
	for _, c := range cases {
		got, removed := StripQuery(c.in, names)
		if got != c.want || !slices.Equal(removed, c.removed) {
			t.Errorf("StripQuery(%q) = %q %v, want %q %v", c.in, got, removed, c.want, c.removed)
		}
	}
	if got, _ := StripQuery("/v1/x?key=1", nil); got != "/v1/x?key=1" {
		t.Errorf("no names must leave the path alone, got %q", got)
	}
}

func TestStripQueryParamsPerUpstream(t *testing.T) {
	if got := StripQueryParams(nil); got != nil {
		t.Errorf("no upstream auth: %v", got)
	}
	pass := &UpstreamAuth{StripQueryParams: []string{" Sig "}}
	if got := StripQueryParams(pass); !slices.Equal(got, []string{"sig"}) {
		t.Errorf("pass-through upstream strips only its extras, got %v", got)
	}
	keyed := &UpstreamAuth{Keys: []KeyRef{{Env: "K"}}, StripQueryParams: []string{"sig"}}
	got := StripQueryParams(keyed)
	if !slices.Contains(got, "key") || !slices.Contains(got, "access_token") || !slices.Contains(got, "sig") {
		t.Errorf("keyed upstream: %v", got)
	}
}

func TestStripHeadersVendorDefaults(t *testing.T) {
	got := StripHeaders(&UpstreamAuth{Keys: []KeyRef{{Env: "K"}}}, nil)
	for _, h := range []string{"authorization", "x-api-key", "api-key", "x-goog-api-key", "anthropic-api-key",
		"ocp-apim-subscription-key", "x-auth-token", "x-access-token", "cookie"} {
		if !slices.Contains(got, h) {
			t.Errorf("%s not stripped for a keyed upstream: %v", h, got)
		}
	}
}

func TestScrubHeaders(t *testing.T) {
	hs := [][2]string{{"x-request-id", "r1"}, {"x-debug", "used key sk-live-123 for org"}, {"www-authenticate", "Bearer sk-live-123"}}
	got := ScrubHeaders(hs, "", "sk-live-123")
	want := [][2]string{{"x-debug", "used key " + Redacted + " for org"}, {"www-authenticate", "Bearer " + Redacted}}
	if !slices.Equal(got, want) {
		t.Errorf("ScrubHeaders = %v, want %v", got, want)
	}
	if got := ScrubHeaders(hs); got != nil {
		t.Errorf("no secrets: %v", got)
	}
}

func TestValidateStripQueryParams(t *testing.T) {
	a := UpstreamAuth{StripQueryParams: []string{"ok", "a=b", " "}}
	if fe := a.Validate("upstreams[0].auth"); len(fe) != 2 {
		t.Errorf("want 2 errors, got %q", fe)
	}
}
