package hostcalls

import (
	"encoding/binary"
	"testing"
)

// serialise builds a header map in the proxy-wasm wire layout the host hands the VM.
func serialise(pairs [][2]string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(pairs)))
	for _, kv := range pairs {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(kv[0])))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(kv[1])))
	}
	for _, kv := range pairs {
		b = append(append(b, kv[0]...), 0)
		b = append(append(b, kv[1]...), 0)
	}
	return b
}

func TestHeadersRaw(t *testing.T) {
	pairs := [][2]string{{":path", "/v1/chat/completions"}, {"x-empty", ""}, {"Content-Type", "application/json"},
		{"x-dup", "first"}, {"x-dup", "second"}, {"x-ü", "u"}}
	for _, h := range []Headers{{raw: serialise(pairs)}, {pairs: pairs}} {
		for _, tc := range []struct{ name, want string }{
			{":path", "/v1/chat/completions"},
			{"content-type", "application/json"}, // case-insensitive, like the host
			{"CONTENT-TYPE", "application/json"},
			{"x-empty", ""},
			{"x-dup", "first"},
			{"x-missing", ""},
			{"X-Ü", "u"}, // non-ASCII bytes folded like strings.EqualFold
			{"x-du", ""},
			{"", ""},
		} {
			if got := h.Get(tc.name); got != tc.want {
				t.Errorf("raw=%v Get(%q) = %q, want %q", h.raw != nil, tc.name, got, tc.want)
			}
		}
		all := h.All()
		if len(all) != len(pairs) {
			t.Fatalf("All() = %q, want %q", all, pairs)
		}
		for i := range pairs {
			if all[i] != pairs[i] {
				t.Errorf("All()[%d] = %q, want %q", i, all[i], pairs[i])
			}
		}
	}
}

// A map whose sizes point past the buffer is read as far as it is whole, never past it.
func TestHeadersRawMalformed(t *testing.T) {
	good := serialise([][2]string{{"a", "1"}, {"b", "2"}})
	for name, b := range map[string][]byte{
		"empty":          {},
		"short":          {1, 0},
		"count too big":  binary.LittleEndian.AppendUint32(nil, 1<<30),
		"truncated data": good[:len(good)-3],
	} {
		h := Headers{raw: b}
		if got := h.Get("b"); got != "" {
			t.Errorf("%s: Get(b) = %q, want \"\"", name, got)
		}
		_ = h.All()
	}
	if got := (Headers{raw: good}).Get("b"); got != "2" {
		t.Errorf("Get(b) = %q, want 2", got)
	}
}
