package ratelimit

import (
	"strings"
	"testing"
)

func TestEstimateTokens(t *testing.T) {
	for _, tc := range []struct {
		text     string
		min, max int // plausible range around the real cl100k/o200k count
	}{
		{"", 0, 0},
		{"Hello", 1, 1},
		{"Hello, world!", 4, 5}, // real: 4
		{"The quick brown fox jumps over the lazy dog.", 10, 13},                     // real: 10
		{"Summarise the following quarterly report in three bullet points.", 10, 16}, // real: 11
		{"1234567890", 4, 4},                                // digits in groups of 3
		{"你好，世界", 5, 6},                                     // real: about 5
		{"Привет, как дела?", 6, 12},                        // real: about 7
		{"func main() {\n\tfmt.Println(\"hi\")\n}", 12, 18}, // real: about 12
		{"🙂🙂", 4, 4},
	} {
		got := EstimateTokens(tc.text)
		if got < tc.min || got > tc.max {
			t.Errorf("EstimateTokens(%q) = %d, want %d…%d", tc.text, got, tc.min, tc.max)
		}
	}
}

// Against the chars/4 rule: close to it for prose (real English runs about 4.5–5
// characters per token), and far above it where the
// rule undercounts (CJK, digits).
func TestEstimateVersusCharsOver4(t *testing.T) {
	prose := strings.Repeat("Please review the attached contract and list every clause that limits our liability. ", 50)
	if got, rule := EstimateTokens(prose), len(prose)/4; got < rule*7/10 || got > rule*3/2 {
		t.Errorf("prose: %d vs chars/4 %d", got, rule)
	}
	cjk := strings.Repeat("这是一个测试句子", 100)
	if got, runes := EstimateTokens(cjk), 800; got < runes {
		t.Errorf("CJK: %d for %d characters", got, runes)
	}
}

func TestEstimatePromptAndCost(t *testing.T) {
	if got := EstimatePrompt([]string{"Hello", "Hello"}, 2); got != 3+8+2 {
		t.Errorf("EstimatePrompt = %d", got)
	}
	if got := EstimatePrompt(nil, 0); got != 3 {
		t.Errorf("empty prompt = %d", got)
	}
	if AdmissionCost(100, 1024) != 1124 || AdmissionCost(-1, -1) != 0 || AdmissionCost(maxCost, maxCost) != maxCost {
		t.Error("AdmissionCost")
	}
}
