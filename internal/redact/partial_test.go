package redact

import (
	"strings"
	"testing"
)

// TestPartialAtEveryCut cuts texts at every byte inside an entity (as an
// upstream that dies mid-body, max_tokens or a stream end does) and checks
// that once the cut text holds what partialAt defines as a partial entity,
// the output holds none of it — for Redact and for a Stream fed the cut text
// in pieces and flushed.
func TestPartialAtEveryCut(t *testing.T) {
	r := mustNew(t, DefaultConfig())
	cases := []struct {
		prefix, entity string
		from           int // the partial is redacted once the cut is at least this far into the entity
	}{
		{"Contact jane.roe at ", "jane.roe@example.com", len("jane.roe@")},
		{"mail: ", "a@b.co", len("a@")},
		{"card ", "4111 1111 1111 1111", len("4111 1111 1111")},
		{"card ", "4111-1111-1111-1111", len("4111-1111-1111")},
		{"card ", "4111111111111111", len("411111111111")},
		{"amex ", "3782 822463 10005", len("3782 822463 1")},
		{"card ", "5555.5555.5555.4444", len("5555.5555.5555")},
		{"iban ", "DE89 3704 0044 0532 0130 00", len("DE89 3704 0044")},
		{"key ", "sk-proj-abc123DEF456ghi789JKL012mno", len("sk-proj-abc123")},
		{"key ", "sk_live_51H8x2kL3mN4pQ5rS6tU7vW8x", len("sk_live_51H8x2kL")},
		{"aws ", "AKIAIOSFODNN7EXAMPLE", len("AKIAIOSF") + 8},
		{"gh ", "ghp_0123456789abcdefghijABCDEFGHIJ012345", len("ghp_0123456789a")},
		{"jwt ", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", len("eyJhbGciOiJ")},
		{"Authorization: ", "Bearer abcDEF123456ghiJKL789", len("Bearer abcDEF12")},
	}
	for _, c := range cases {
		text := c.prefix + c.entity
		for cut := len(c.prefix) + 1; cut <= len(text); cut++ {
			in := text[:cut]
			part := in[len(c.prefix):]
			got, _ := r.Redact(in, nil)
			if cut-len(c.prefix) >= c.from && strings.Contains(got, part) {
				t.Errorf("cut at %d: %q released in %q", cut, part, got)
			}
			for _, cuts := range [][]int{{len(in) / 2}, everyThird(len(in)), {len(in) - 1}} {
				if st := streamPiecesRC(r, nil, in, cuts); st != got {
					t.Fatalf("cut at %d, pieces %v: stream %q, whole %q", cut, cuts, st, got)
				}
			}
		}
	}
}

// TestPartialNotClaimed: text that ends with something that is not a
// partial entity is released as it is.
func TestPartialNotClaimed(t *testing.T) {
	r := mustNew(t, DefaultConfig())
	for _, text := range []string{
		"ping @alice",             // no local part
		"see x@1.2.3.4",           // an IP after '@' (found as IP_ADDRESS, not as an e-mail)
		"order 123456789012",      // 12 digits, but not an issuer prefix
		"card 4111 1111",          // too few digits
		"date 2024-03-01 10:30",   // not card-like
		"use sk-learn-library",    // a word, not a key body
		"the bearer aaaaaaaaaaaa", // no digit
		"version 2.3.4",
		"total: 1,234,567,890",
	} {
		got, _ := r.Redact(text, nil)
		want := text
		if text == "see x@1.2.3.4" {
			want = "see x@[IP_ADDRESS]"
		}
		if got != want {
			t.Errorf("Redact(%q) = %q", text, got)
		}
	}
}
