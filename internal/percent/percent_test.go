package percent

import "testing"

func TestDecode(t *testing.T) {
	for _, c := range []struct {
		s    string
		i    int
		want byte
		ok   bool
	}{
		{"%41", 0, 'A', true}, {"a%2fb", 1, '/', true}, {"%2F", 0, '/', true}, {"%ff", 0, 0xff, true},
		{"%00", 0, 0, true}, {"%4", 0, 0, false}, {"%", 0, 0, false}, {"%g1", 0, 0, false},
		{"%1g", 0, 0, false}, {"x41", 0, 0, false}, {"%41", 1, 0, false}, {"%41", -1, 0, false},
	} {
		got, ok := Decode(c.s, c.i)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("Decode(%q, %d) = %#x, %v; want %#x, %v", c.s, c.i, got, ok, c.want, c.ok)
		}
	}
}

func TestDigit(t *testing.T) {
	for c := 0; c < 256; c++ {
		v, ok := Digit(byte(c))
		want := -1
		switch {
		case c >= '0' && c <= '9':
			want = c - '0'
		case c >= 'a' && c <= 'f':
			want = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			want = c - 'A' + 10
		}
		if ok != (want >= 0) || (ok && int(v) != want) {
			t.Errorf("Digit(%q) = %d, %v", c, v, ok)
		}
	}
}
