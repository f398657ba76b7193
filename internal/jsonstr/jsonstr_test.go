package jsonstr

import (
	"encoding/json"
	"testing"
)

func TestAppend(t *testing.T) {
	cases := map[string]string{
		"plain":            `"plain"`,
		"q\"b\\n\nr\rt\t":  `"q\"b\\n\nr\rt\t"`,
		"\x00\x1f\x7f":     `"\u0000\u001f\u007f"`,
		"bad\xffutf8":      `"bad\ufffdutf8"`,
		"ls\u2028ps\u2029": `"ls\u2028ps\u2029"`,
		"é😀":               `"é😀"`,
	}
	for in, want := range cases {
		got := string(Append(nil, in))
		if got != want {
			t.Errorf("Append(%q) = %s, want %s", in, got, want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("Append(%q) is not a JSON string: %v", in, err)
		}
	}
}

func FuzzAppend(f *testing.F) {
	f.Add("a\"\\\n\x00\xff\u2028")
	f.Fuzz(func(t *testing.T, s string) {
		var back string
		if err := json.Unmarshal(Append(nil, s), &back); err != nil {
			t.Fatalf("not valid JSON for %q: %v", s, err)
		}
	})
}
