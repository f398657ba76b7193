// Package posture summarises which protections a configuration turns on, for the
// plugin's start log, for `egressguard posture`, and for CI gates that require some of
// them (Check).
//
// The summary is table-driven: Rows lists one evaluator per item, and Requirements one
// check per requirement name.
package posture

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
)

// State is how a protection is set.
type State string

// States. Monitor means detection without enforcement (logged, counted, forwarded).
const (
	On      State = "on"
	Off     State = "off"
	Monitor State = "monitor"
)

// Item is one line of the posture.
type Item struct {
	Key    string // stable name, e.g. "injection", "redaction.responses"
	State  State  // on / off / monitor
	Value  string // the setting, e.g. "block", "api_key", "0"; printed by String
	Detail string // one human sentence
}

// Posture is the evaluated list, in Rows order.
type Posture struct {
	Items []Item
}

// Row evaluates one item from a parsed configuration.
type Row struct {
	Key  string
	Eval func(*config.Config) Item
}

// Rows are evaluated in order.
var Rows = []Row{
	{"injection", injection},
	{"redaction.responses", func(c *config.Config) Item {
		return boolItem(c.Redaction.Responses, "PII/secrets/leaks redacted from 2xx responses (JSON and SSE)", "responses pass through unredacted")
	}},
	{"redaction.requests", func(c *config.Config) Item {
		return boolItem(c.Redaction.Requests, "PII/secrets masked in prompts before they leave the mesh", "prompts leave unmasked")
	}},
	{"other_paths", func(c *config.Config) Item {
		if n := len(c.API.PassthroughPaths); n > 0 {
			return Item{State: Off, Value: c.API.OtherPaths + ",passthrough:" + strconv.Itoa(n),
				Detail: fmt.Sprintf("%d passthrough path patterns forward request bodies uninspected", n)}
		}
		if c.API.OtherPaths == config.OtherDeny {
			return Item{State: On, Value: "deny", Detail: "requests to paths other than the LLM APIs get 404"}
		}
		return Item{State: On, Value: c.API.OtherPaths, Detail: "request bodies to paths other than the LLM APIs get 404; bodiless reads pass"}
	}},
	{"max_tokens", func(c *config.Config) Item {
		return Item{State: On, Value: "cap:" + strconv.Itoa(c.MaxTokens.Cap),
			Detail: fmt.Sprintf("completion budget default %d, capped at %d (%d per-model overrides)", c.MaxTokens.Default, c.MaxTokens.Cap, len(c.MaxTokens.Models))}
	}},
	{"client_auth", clientAuth},
	{"upstream_keys", upstreamKeys},
	{"inline_keys", inlineKeys},
	{"moderation.input", func(c *config.Config) Item { return moderationStage(c, c.Moderation.Input.Mode, "requests") }},
	{"moderation.output", func(c *config.Config) Item { return moderationStage(c, c.Moderation.Output.Mode, "completions") }},
	{"moderation.fail_open", func(c *config.Config) Item {
		m := c.Moderation
		if !m.Enabled() {
			return Item{State: Off, Value: "off", Detail: "moderation is off"}
		}
		d := m
		var open []string
		if d.Input.Mode != "off" && d.Input.Failure == "fail_open" {
			open = append(open, "input")
		}
		if d.Output.Mode != "off" && d.Output.Failure == "fail_open" {
			open = append(open, "output")
		}
		if len(open) > 0 {
			return Item{State: On, Value: "on", Detail: "moderation failures forward unmoderated content (" + strings.Join(open, ", ") + ")"}
		}
		return Item{State: Off, Value: "off", Detail: "moderation failures are refused (503 / stream refusal)"}
	}},
	{"rate_limits", func(c *config.Config) Item {
		r := c.RateLimits
		limited := !r.Default.Unlimited()
		for _, t := range c.Clients.Tenants {
			limited = limited || t.RequestsPerMinute > 0 || t.TokensPerMinute > 0
		}
		switch {
		case limited && r.Global.Enabled:
			return Item{State: On, Value: "local+global", Detail: "per-tenant local limits; tenant and usage published for the global rate limit service"}
		case limited:
			return Item{State: On, Value: "local", Detail: "per-tenant request/token limits across worker threads"}
		case r.Global.Enabled:
			return Item{State: On, Value: "global", Detail: "tenant and usage published for the global rate limit service"}
		}
		return Item{State: Off, Value: "off", Detail: "no request or token limits"}
	}},
}

// moderationStage reports one moderation direction.
func moderationStage(c *config.Config, mode, what string) Item {
	if !c.Moderation.Enabled() {
		return Item{State: Off, Value: "off", Detail: "no moderation provider configured"}
	}
	switch mode {
	case "monitor":
		return Item{State: Monitor, Value: mode, Detail: what + " moderated, verdicts only recorded"}
	case "off":
		return Item{State: Off, Value: mode, Detail: what + " not moderated"}
	}
	return Item{State: On, Value: "enforce", Detail: what + " moderated by " + c.Moderation.Provider}
}

func boolItem(on bool, onDetail, offDetail string) Item {
	if on {
		return Item{State: On, Value: "on", Detail: onDetail}
	}
	return Item{State: Off, Value: "off", Detail: offDetail}
}

func injection(c *config.Config) Item {
	a := c.Injection.Action
	switch a {
	case config.ActionBlock:
		return Item{State: On, Value: a, Detail: fmt.Sprintf("prompt injection scoring >= %v is refused with 403", c.Injection.Threshold)}
	case config.ActionSanitize:
		return Item{State: On, Value: a, Detail: "matched injection spans are replaced before forwarding"}
	case config.ActionFlag:
		return Item{State: Monitor, Value: a, Detail: "injections are forwarded with an x-egressguard-injection header"}
	case config.ActionMonitor:
		return Item{State: Monitor, Value: a, Detail: "injections are forwarded unchanged and logged"}
	default:
		return Item{State: Off, Value: a, Detail: "prompts are not inspected for injection"}
	}
}

func clientAuth(c *config.Config) Item {
	ca := c.Clients
	if ca.Mode == credentials.ModeNone {
		return Item{State: Off, Value: ca.Mode, Detail: "any client that reaches the gateway may call the providers"}
	}
	return Item{State: On, Value: ca.Mode, Detail: fmt.Sprintf("clients authenticate as one of %d tenants", len(ca.Tenants))}
}

// upstreamKeys reports which upstreams inject a provider key.
func upstreamKeys(c *config.Config) Item {
	var with, without []string
	for _, u := range c.Upstreams {
		if u.Auth.Enabled() {
			with = append(with, u.Name)
		} else {
			without = append(without, u.Name)
		}
	}
	v := fmt.Sprintf("%d/%d", len(with), len(c.Upstreams))
	switch {
	case len(without) == 0:
		return Item{State: On, Value: v, Detail: "the guard injects the provider key on every upstream; client credentials are stripped"}
	case len(with) == 0:
		return Item{State: Off, Value: v, Detail: "pass-through: clients send their own provider keys"}
	default:
		return Item{State: On, Value: v, Detail: "pass-through upstreams: " + strings.Join(without, ", ")}
	}
}

// inlineKeys counts the keys held in the configuration itself (upstreams and the
// moderation provider) rather than read from the environment.
func inlineKeys(c *config.Config) Item {
	var names []string
	auths := []credentials.UpstreamAuth{c.Moderation.Auth}
	for _, u := range c.Upstreams {
		auths = append(auths, u.Auth)
	}
	for _, a := range auths {
		for _, k := range a.Keys {
			if !k.Value.IsZero() {
				names = append(names, k.Name)
			}
		}
	}
	if len(names) == 0 {
		return Item{State: Off, Value: "0", Detail: "no provider key is stored in the configuration"}
	}
	return Item{State: On, Value: strconv.Itoa(len(names)),
		Detail: "provider keys stored inline (visible in config dumps): " + strings.Join(names, ", ")}
}

// Report evaluates every row against a parsed (validated) configuration.
func Report(cfg *config.Config) Posture {
	p := Posture{Items: make([]Item, 0, len(Rows))}
	for _, r := range Rows {
		it := r.Eval(cfg)
		it.Key = r.Key
		p.Items = append(p.Items, it)
	}
	return p
}

// Get returns the item with the key.
func (p Posture) Get(key string) (Item, bool) {
	for _, it := range p.Items {
		if it.Key == key {
			return it, true
		}
	}
	return Item{}, false
}

// String is the one-line form for the plugin's start log, e.g.
// "posture: injection=block redaction.responses=on ... inline_keys=0 moderation=absent".
// It never contains a key, a hash or any other secret: values are modes and counts.
func (p Posture) String() string {
	var b strings.Builder
	b.WriteString("posture:")
	for _, it := range p.Items {
		b.WriteString(" ")
		b.WriteString(it.Key)
		b.WriteString("=")
		b.WriteString(it.Value)
	}
	return b.String()
}

// Table is the multi-line form for the CLI.
func (p Posture) Table() string {
	w := 0
	for _, it := range p.Items {
		w = max(w, len(it.Key))
	}
	var b strings.Builder
	for _, it := range p.Items {
		fmt.Fprintf(&b, "%-*s  %-7s  %-12s  %s\n", w, it.Key, it.State, it.Value, it.Detail)
	}
	return b.String()
}

// Requirement checks a posture; it returns "" when met, else why not.
type Requirement func(Posture) string

// Requirements by name, for Check and `egressguard posture -require`.
var Requirements = map[string]Requirement{
	"injection-block":    wantValue("injection", config.ActionBlock),
	"injection-enforced": wantState("injection", On),
	"redact-responses":   wantState("redaction.responses", On),
	"redact-requests":    wantState("redaction.requests", On),
	"deny-other-paths":   wantState("other_paths", On),
	"client-auth":        wantState("client_auth", On),
	"upstream-keys": wantValueFunc("upstream_keys", "every upstream injects its key", func(it Item) bool {
		with, all, _ := strings.Cut(it.Value, "/")
		return with == all && with != "0"
	}),
	"no-inline-keys":         wantValue("inline_keys", "0"),
	"moderation":             wantState("moderation.input", On),
	"moderation-fail-closed": wantValue("moderation.fail_open", "off"),
	"rate-limits":            wantState("rate_limits", On),
}

func wantState(key string, s State) Requirement {
	return wantValueFunc(key, "state "+string(s), func(it Item) bool { return it.State == s })
}

func wantValue(key, v string) Requirement {
	return wantValueFunc(key, key+"="+v, func(it Item) bool { return it.Value == v })
}

func wantValueFunc(key, want string, ok func(Item) bool) Requirement {
	return func(p Posture) string {
		it, found := p.Get(key)
		switch {
		case !found:
			return fmt.Sprintf("%s is not evaluated (no such posture item)", key)
		case !ok(it):
			return fmt.Sprintf("%s is %s (%s), want %s", key, it.Value, it.State, want)
		}
		return ""
	}
}

// Check returns one violation per requirement the posture does not meet (unknown
// names are violations too), in the order given.
func Check(p Posture, requirements []string) []string {
	var out []string
	for _, r := range requirements {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		req, ok := Requirements[r]
		if !ok {
			out = append(out, fmt.Sprintf("unknown requirement %q (known: %s)", r, strings.Join(RequirementNames(), ", ")))
			continue
		}
		if why := req(p); why != "" {
			out = append(out, r+": "+why)
		}
	}
	return out
}

// RequirementNames lists the known requirement names, sorted.
func RequirementNames() []string {
	names := make([]string, 0, len(Requirements))
	for n := range Requirements {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
