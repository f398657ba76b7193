package moderation

import (
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/credentials"
)

func TestDefaults(t *testing.T) {
	c := Config{Provider: "mistral", Cluster: "moderation"}
	c.ApplyDefaults()
	if c.Authority != "api.mistral.ai" || c.Path != "/v1/moderations" || c.Model != "mistral-moderation-2411" ||
		c.TimeoutMS != 2000 || c.Input != (Stage{ModeEnforce, FailClosed}) || c.Output != (Stage{ModeEnforce, FailClosed}) ||
		c.CacheTTLSeconds != 600 || c.MaxChunkChars != 4000 || c.ChunkOverlapChars != 200 || c.HoldbackChars != 500 ||
		c.Refusal != "I cannot provide that response." || !c.FlagsUsed() || c.DefaultThreshold != 0 || c.CacheMaxEntries != 16384 {
		t.Errorf("mistral defaults: %+v", c)
	}
	o := Config{Provider: "openai", Cluster: "x", UseFlags: boolp(false)}
	o.ApplyDefaults()
	if o.Authority != "api.openai.com" || o.Model != "omni-moderation-latest" || o.DefaultThreshold != 0.5 {
		t.Errorf("openai defaults: %+v", o)
	}
	var off Config
	off.ApplyDefaults()
	if off.Enabled() || off.Path != "" {
		t.Errorf("off config got defaults: %+v", off)
	}
	if m, err := New(Config{}); m != nil || err != nil {
		t.Errorf("New(off) = %v, %v", m, err)
	}
}

func TestValidate(t *testing.T) {
	ok := func() Config { return Config{Provider: "openai", Cluster: "mod"} }
	cases := []struct {
		name string
		mod  func(*Config)
		want []string // substrings, one per expected message; nil = valid
	}{
		{"valid openai", func(c *Config) {}, nil},
		{"valid mistral chat", func(c *Config) {
			c.Provider, c.Path, c.Thresholds = "mistral", "/v1/chat/moderations", map[string]float64{"pii": 0.9}
			c.Categories = []string{"*"}
		}, nil},
		{"off but fields set", func(c *Config) { c.Provider = "" }, []string{"moderation.provider: is required"}},
		{"off and empty", func(c *Config) { *c = Config{} }, nil},
		{"bad provider", func(c *Config) { c.Provider = "anthropic" }, []string{`moderation.provider: must be`}},
		{"no cluster", func(c *Config) { c.Cluster = "" }, []string{"moderation.cluster: is required"}},
		{"bad authority", func(c *Config) { c.Authority = "https://x/" }, []string{"moderation.authority:"}},
		{"bad path", func(c *Config) { c.Path = "v1/moderations" }, []string{"moderation.path: must be an absolute path"}},
		{"openai chat path", func(c *Config) { c.Path = "/v1/chat/moderations" }, []string{"moderation.path: openai has no chat"}},
		{"timeout", func(c *Config) { c.TimeoutMS = 70000 }, []string{"moderation.timeout_ms:"}},
		{"modes", func(c *Config) {
			c.Input.Mode, c.Output.Failure = "block", "open"
		}, []string{"moderation.input.mode:", "moderation.output.failure:"}},
		{"categories", func(c *Config) { c.Categories = []string{"violence", "selfharm"} }, []string{`moderation.categories[1]: unknown openai category "selfharm"`}},
		{"thresholds", func(c *Config) {
			c.Thresholds = map[string]float64{"violence": 1.5, "pii": 0.5}
		}, []string{`moderation.thresholds["pii"]: unknown openai category`, `moderation.thresholds["violence"]: must be in (0, 1]`}},
		{"default threshold", func(c *Config) { c.DefaultThreshold = -0.1 }, []string{"moderation.default_threshold:"}},
		{"cache ttl", func(c *Config) { c.CacheTTLSeconds = -5 }, []string{"moderation.cache_ttl_seconds:"}},
		{"cache off ok", func(c *Config) { c.CacheTTLSeconds = -1 }, nil},
		{"cache entries", func(c *Config) { c.CacheMaxEntries = 3 }, []string{"moderation.cache_max_entries:"}},
		{"chunk", func(c *Config) { c.MaxChunkChars = 50 }, []string{"moderation.max_chunk_chars:"}},
		{"overlap", func(c *Config) { c.MaxChunkChars, c.ChunkOverlapChars = 1000, 500 }, []string{"moderation.chunk_overlap_chars:"}},
		{"no overlap ok", func(c *Config) { c.ChunkOverlapChars = -1 }, nil},
		{"holdback", func(c *Config) { c.HoldbackChars = -1 }, []string{"moderation.holdback_chars:"}},
		{"refusal", func(c *Config) { c.Refusal = strings.Repeat("x", 3000) }, []string{"moderation.refusal:"}},
		{"auth", func(c *Config) {
			c.Auth = credentials.UpstreamAuth{Keys: []credentials.KeyRef{{Name: "mod", Env: "MOD KEY"}}}
		}, []string{"moderation.auth.keys[0].env:"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ok()
			tc.mod(&c)
			c.ApplyDefaults()
			got := c.Validate("moderation")
			if len(got) != len(tc.want) {
				t.Fatalf("got %d messages %q, want %d %q", len(got), got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("message %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}
