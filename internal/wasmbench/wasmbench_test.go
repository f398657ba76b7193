package wasmbench

import (
	"slices"
	"testing"
)

func TestABConfig(t *testing.T) {
	cases := []struct {
		builds, rounds string
		want           []string
		wantRounds     int
	}{
		{"", "", nil, 30},
		{"a", "", []string{"a"}, 30},
		{"a,b|satconv+signext", "5", []string{"a", "b|satconv+signext"}, 5},
		{"a", "0", []string{"a"}, 30},
		{"a", "x", []string{"a"}, 30},
	}
	for _, c := range cases {
		t.Setenv("WASMBENCH_TEST", c.builds)
		t.Setenv("WASMBENCH_TEST_ROUNDS", c.rounds)
		got, rounds := ABConfig("WASMBENCH_TEST")
		if !slices.Equal(got, c.want) || rounds != c.wantRounds {
			t.Errorf("ABConfig(%q, rounds %q) = %q, %d; want %q, %d", c.builds, c.rounds, got, rounds, c.want, c.wantRounds)
		}
	}
}
