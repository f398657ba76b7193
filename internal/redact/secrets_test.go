package redact

import (
	"strings"
	"testing"
)

// Fake keys in the providers' formats (prefix, length, alphabet).
var (
	keyOpenAILegacy = "sk-" + "Ab3dEf6hIj9kLm2nOp5qT3BlbkFJRs8tUv1wXy4zAb7cDe0fGh"
	keyOpenAIProj   = "sk-proj-" + strings.Repeat("Xk9_mQ2-vL7pR4tZ", 9) + "a1B2c3D4e5F6g7H8i9J0"
	keyOpenAISvc    = "sk-svcacct-" + strings.Repeat("Pq8Rs7Tu6Vw5Xy4Z", 8)
	keyAnthropic    = "sk-ant-api03-" + strings.Repeat("Zx81kQ2mN7pL0vB4rT6yW9eH", 4) + "-a1B2c3AA"
	keyStripeLive   = "sk_live_51H8x2kL3mN4pQ5rS6tU7vW8xY9zA0bC1dE2fG3hI4jK5lM6nO7pQ8rS9tU0vW1xY2z"
	keyStripeRK     = "rk_live_51H8x2kL3mN4pQ5rS6tU7vW8xY9zA0bC1dE2fG3hI4jK5lM6n"
	keyStripeTest   = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
	keyGoogle       = "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"
	keyAWSID        = "AKIAIOSFODNN7EXAMPLE"
	keyAWSSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	keyMistral      = "Qz7vN2pL9kR4tX8mW1sB6yF3hJ5dG0cA"
)

// TestProviderSecrets covers the provider key formats of issue item 4: each
// is found whole, in prose, in JSON, in shell and across stream deltas.
func TestProviderSecrets(t *testing.T) {
	r := mustNew(t, DefaultConfig())
	cases := []struct {
		name, text string
		want       []string
	}{
		{"openai legacy", "key: " + keyOpenAILegacy, []string{"API_KEY=" + keyOpenAILegacy}},
		{"openai project", `{"api_key": "` + keyOpenAIProj + `"}`, []string{"API_KEY=" + keyOpenAIProj}},
		{"openai service account", "export OPENAI_API_KEY=" + keyOpenAISvc, []string{"API_KEY=" + keyOpenAISvc}},
		{"anthropic", "use " + keyAnthropic + " here", []string{"API_KEY=" + keyAnthropic}},
		{"stripe live", "Stripe.api_key = '" + keyStripeLive + "'", []string{"API_KEY=" + keyStripeLive}},
		{"stripe restricted", "restricted key " + keyStripeRK + ".", []string{"API_KEY=" + keyStripeRK}},
		{"stripe test", "curl -u " + keyStripeTest + ": https://api.stripe.com", []string{"API_KEY=" + keyStripeTest}},
		{"google", "maps?key=" + keyGoogle + "&v=3", []string{"API_KEY=" + keyGoogle}},
		{"google prose", "The Google key " + keyGoogle + " works.", []string{"API_KEY=" + keyGoogle}},
		{"aws pair same line", keyAWSID + " " + keyAWSSecret, []string{"AWS_ACCESS_KEY=" + keyAWSID, "AWS_SECRET_KEY=" + keyAWSSecret}},
		{"aws pair csv", "Access key ID,Secret access key\n" + keyAWSID + "," + keyAWSSecret + "\n",
			[]string{"AWS_ACCESS_KEY=" + keyAWSID, "AWS_SECRET_KEY=" + keyAWSSecret}},
		{"aws pair prose", "Access key " + keyAWSID + " and its secret is " + keyAWSSecret + ".",
			[]string{"AWS_ACCESS_KEY=" + keyAWSID, "AWS_SECRET_KEY=" + keyAWSSecret}},
		{"aws credentials file", "[default]\naws_access_key_id = " + keyAWSID + "\naws_secret_access_key = " + keyAWSSecret + "\n",
			[]string{"AWS_ACCESS_KEY=" + keyAWSID, "AWS_SECRET_KEY=" + keyAWSSecret}},
		{"aws secret by name alone", "AWS_SECRET_ACCESS_KEY=" + keyAWSSecret, []string{"AWS_SECRET_KEY=" + keyAWSSecret}},
		{"aws json", `{"AccessKeyId": "` + keyAWSID + `", "SecretAccessKey": "` + keyAWSSecret + `"}`,
			[]string{"AWS_ACCESS_KEY=" + keyAWSID, "AWS_SECRET_KEY=" + keyAWSSecret}},
		{"mistral by name", "MISTRAL_API_KEY=" + keyMistral, []string{"API_KEY=" + keyMistral}},
		{"mistral bare after key", "Your Mistral API key is " + keyMistral + ", keep it safe.", []string{"API_KEY=" + keyMistral}},
		{"bare after token", "the token " + keyMistral + " expires", []string{"API_KEY=" + keyMistral}},
		{"bare after secret, digit first", "client secret 7" + keyMistral[1:] + " ok", []string{"API_KEY=7" + keyMistral[1:]}},
		// negatives
		{"bare without keyword", "commit " + keyMistral + " fixed it", nil},
		{"hash after key word", "the key is the sha 3f2a1b4c5d6e7f8091a2b3c4d5e6f708 then", []string{"API_KEY=3f2a1b4c5d6e7f8091a2b3c4d5e6f708"}},
		{"keyboard", "my keyboard model Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", nil},
		{"short token", "the key abc123 works", nil},
		{"low entropy bare", "key aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1 x", nil},
		{"google short", "AIzaSyD-9tSrke72 only", nil},
		{"AI word", "AI models and AIza words", nil},
		{"sk words", "use sk-learn and sk_live_demo here", nil},
		{"aws id alone", "id " + keyAWSID + " then some words", []string{"AWS_ACCESS_KEY=" + keyAWSID}},
		{"aws id then path", keyAWSID + " /usr/local/share/doc/packages/example/readme.txt", []string{"AWS_ACCESS_KEY=" + keyAWSID}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := found(r, c.text)
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("Find(%q)\n got %q\nwant %q", c.text, got, c.want)
			}
			whole, _ := r.Redact(c.text, nil)
			for _, cuts := range [][]int{everyThird(len(c.text)), {len(c.text) / 2}} {
				if st := streamPieces(r, c.text, cuts); st != whole {
					t.Errorf("streamed %q, whole %q", st, whole)
				}
			}
		})
	}
}

// TestExactSecrets: the keys the guard injects are redacted anywhere, also
// split across deltas and with invisible characters inside, in responses
// and in requests.
func TestExactSecrets(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ExactSecrets = [][]byte{[]byte(keyMistral), []byte("plain-lowercase-secret")}
	r := mustNew(t, cfg)
	cases := []struct{ text, want string }{
		{"echo " + keyMistral + " done", "echo [KNOWN_SECRET] done"},
		{keyMistral, "[KNOWN_SECRET]"},
		{"x" + keyMistral + "y", "x[KNOWN_SECRET]y"},
		{"zw " + keyMistral[:10] + "\u200b" + keyMistral[10:] + " done", "zw [KNOWN_SECRET] done"},
		{"zw2 " + keyMistral[:1] + "\u200d" + keyMistral[1:20] + "\u2060" + keyMistral[20:] + ".", "zw2 [KNOWN_SECRET]."},
		{"a plain-lowercase-secret b", "a [KNOWN_SECRET] b"},
		{"near miss " + keyMistral[:31] + "X", "near miss " + keyMistral[:31] + "X"},
	}
	for _, c := range cases {
		got, _ := r.Redact(c.text, nil)
		if got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.text, got, c.want)
		}
		for cut := 1; cut < len(c.text); cut++ {
			if st := streamPieces(r, c.text, []int{cut}); st != got {
				t.Fatalf("split at %d: %q, whole %q", cut, st, got)
			}
		}
	}
	req, _ := r.redactRequest("my key is " + keyMistral)
	if req != "my key is [KNOWN_SECRET]" {
		t.Errorf("request side: %q", req)
	}
	for _, bad := range [][]byte{[]byte("short"), []byte("has a space in it")} {
		if _, err := New(Config{ExactSecrets: [][]byte{bad}}); err == nil {
			t.Errorf("ExactSecrets %q accepted", bad)
		}
	}
}
