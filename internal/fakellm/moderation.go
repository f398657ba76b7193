package fakellm

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// OpenAICategories are the OpenAI moderation categories, in response order
// (text-moderation* models lack the illicit ones).
var OpenAICategories = []string{
	"harassment", "harassment/threatening", "hate", "hate/threatening",
	"illicit", "illicit/violent", "self-harm", "self-harm/intent",
	"self-harm/instructions", "sexual", "sexual/minors", "violence",
	"violence/graphic",
}

// MistralCategories are the Mistral moderation categories, in response order.
var MistralCategories = []string{
	"sexual", "hate_and_discrimination", "violence_and_threats",
	"dangerous_and_criminal_content", "selfharm", "health", "financial",
	"law", "pii",
}

// toMistral and toOpenAI translate a marker category between vocabularies.
var toMistral = map[string]string{
	"harassment": "hate_and_discrimination", "harassment/threatening": "violence_and_threats",
	"hate": "hate_and_discrimination", "hate/threatening": "hate_and_discrimination",
	"illicit": "dangerous_and_criminal_content", "illicit/violent": "dangerous_and_criminal_content",
	"self-harm": "selfharm", "self-harm/intent": "selfharm", "self-harm/instructions": "selfharm",
	"sexual/minors": "sexual", "violence": "violence_and_threats", "violence/graphic": "violence_and_threats",
}

var toOpenAI = map[string]string{
	"hate_and_discrimination": "hate", "violence_and_threats": "violence",
	"dangerous_and_criminal_content": "illicit", "selfharm": "self-harm",
}

var moderateRE = regexp.MustCompile(`MODERATE:([A-Za-z_/\-]+)(?:=([0-9]*\.?[0-9]+))?`)

// FlaggedThreshold is the score at and above which a category is true.
const FlaggedThreshold = 0.5

// moderationScores scores text over cats: MODERATE:cat markers (in either
// vocabulary) set their category, all others get small fixed scores.
func moderationScores(text string, cats []string, mistral bool) (map[string]bool, map[string]float64) {
	scores := make(map[string]float64, len(cats))
	for i, c := range cats {
		scores[c] = math.Round((0.0004+0.0003*float64(i))*1e4) / 1e4
	}
	for _, m := range moderateRE.FindAllStringSubmatch(text, -1) {
		cat := strings.ToLower(m[1])
		if _, ok := scores[cat]; !ok {
			if mistral {
				cat = toMistral[cat]
			} else {
				cat = toOpenAI[cat]
			}
			if _, ok := scores[cat]; !ok {
				continue
			}
		}
		v := 0.99
		if m[2] != "" {
			if f, err := strconv.ParseFloat(m[2], 64); err == nil && f >= 0 && f <= 1 {
				v = f
			}
		}
		scores[cat] = v
	}
	flags := make(map[string]bool, len(cats))
	for c, v := range scores {
		flags[c] = v >= FlaggedThreshold
	}
	return flags, scores
}

type moderationRequest struct {
	Model string          `json:"model"`
	Input json.RawMessage `json:"input"`
}

type oaiModerationResult struct {
	Flagged                   bool                `json:"flagged"`
	Categories                map[string]bool     `json:"categories"`
	CategoryScores            map[string]float64  `json:"category_scores"`
	CategoryAppliedInputTypes map[string][]string `json:"category_applied_input_types,omitempty"`
}

type mistralModerationResult struct {
	Categories     map[string]bool    `json:"categories"`
	CategoryScores map[string]float64 `json:"category_scores"`
}

type moderationResponse struct {
	ID      string `json:"id"`
	Model   string `json:"model"`
	Results any    `json:"results"`
}

// moderationInputs returns one text per item to classify.
func moderationInputs(raw json.RawMessage, chat bool) ([]string, error) {
	raw = json.RawMessage(strings.TrimSpace(string(raw)))
	if len(raw) == 0 || string(raw) == "null" {
		return nil, fmt.Errorf("input is required")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("input must be a string or an array")
	}
	if chat {
		// [messages] is one conversation, [[messages]...] a batch.
		if len(items) > 0 && strings.HasPrefix(strings.TrimSpace(string(items[0])), "[") {
			var out []string
			for _, it := range items {
				var msgs []reqMessage
				if err := json.Unmarshal(it, &msgs); err != nil {
					return nil, fmt.Errorf("input: %v", err)
				}
				out = append(out, lastMessageText(msgs))
			}
			return out, nil
		}
		var msgs []reqMessage
		if err := json.Unmarshal(raw, &msgs); err != nil {
			return nil, fmt.Errorf("input: %v", err)
		}
		return []string{lastMessageText(msgs)}, nil
	}
	var strs []string
	if json.Unmarshal(raw, &strs) == nil {
		return strs, nil
	}
	// OpenAI multimodal: an array of {"type":"text","text":...} /
	// {"type":"image_url",...} parts is ONE input.
	return []string{contentText(raw)}, nil
}

// lastMessageText is the text a chat moderation classifies: the last message of
// the conversation (the earlier ones are its context).
func lastMessageText(msgs []reqMessage) string {
	if len(msgs) == 0 {
		return ""
	}
	return contentText(msgs[len(msgs)-1].Content)
}

// ModerationInputs returns the texts a moderation request body asks to classify,
// one per result the endpoint answers with: the strings of "input" on
// /v1/moderations (chat is false), the last message of each conversation on
// /v1/chat/moderations (chat is true). Tests use it on recorded bodies to assert
// what the guard sent for moderation.
func ModerationInputs(body []byte, chat bool) ([]string, error) {
	var req moderationRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, err
	}
	return moderationInputs(req.Input, chat)
}

func (s *Server) handleModeration(chat bool) apiHandler {
	return func(c *call) {
		var req moderationRequest
		jsonErr := json.Unmarshal(c.body, &req)
		m := strings.ToLower(req.Model)
		format := strings.ToLower(s.opts.ModerationFormat)
		if format == "" || format == "auto" {
			format = "mistral"
			if !chat && (m == "" || strings.HasPrefix(m, "omni-moderation") || strings.HasPrefix(m, "text-moderation")) {
				format = "openai"
			}
		}
		c.mistral = format == "mistral"
		if jsonErr != nil {
			c.errorStatus(http.StatusBadRequest, "We could not parse the JSON body of your request: "+jsonErr.Error())
			return
		}
		inputs, err := moderationInputs(req.Input, chat)
		if err != nil {
			if c.mistral {
				c.validationError("input", err.Error())
			} else {
				c.errorStatus(http.StatusBadRequest, err.Error())
			}
			return
		}
		d := parseDirectives(strings.Join(inputs, "\n"))
		if d.modSlow > 0 {
			d.slow = d.modSlow
		}
		if d.modStatus != 0 {
			d.status = d.modStatus
		}
		d.abort = d.abort || d.modAbort
		d.garbage = d.garbage || d.modGarbage
		if d.slow > 0 && sleepCtx(c.r.Context(), d.slow) != nil {
			return
		}
		if d.abort {
			panic(http.ErrAbortHandler)
		}
		if d.status != 0 {
			c.errorStatus(d.status, "")
			return
		}
		if d.garbage {
			c.w.Header().Set("content-type", "application/json")
			c.writeBody(http.StatusOK, []byte("<html><body>this is not json {{{</body></html>\n"), d)
			return
		}
		model := req.Model
		if c.mistral {
			if model == "" {
				c.validationError("model", "Field required")
				return
			}
			results := make([]mistralModerationResult, 0, len(inputs))
			for _, in := range resultInputs(inputs, d.modResults) {
				f, sc := moderationScores(in, MistralCategories, true)
				results = append(results, mistralModerationResult{Categories: f, CategoryScores: sc})
			}
			c.writeJSON(http.StatusOK, moderationResponse{
				ID: fmt.Sprintf("%032x", c.n), Model: model, Results: results,
			}, d)
			return
		}
		if model == "" {
			model = "omni-moderation-latest"
		}
		cats := OpenAICategories
		omni := !strings.HasPrefix(m, "text-moderation")
		if !omni {
			cats = nil
			for _, cat := range OpenAICategories {
				if !strings.HasPrefix(cat, "illicit") {
					cats = append(cats, cat)
				}
			}
		}
		results := make([]oaiModerationResult, 0, len(inputs))
		for _, in := range resultInputs(inputs, d.modResults) {
			f, sc := moderationScores(in, cats, false)
			r := oaiModerationResult{Categories: f, CategoryScores: sc}
			for _, v := range f {
				r.Flagged = r.Flagged || v
			}
			if omni {
				r.CategoryAppliedInputTypes = make(map[string][]string, len(cats))
				for _, cat := range cats {
					r.CategoryAppliedInputTypes[cat] = []string{"text"}
				}
			}
			results = append(results, r)
		}
		c.writeJSON(http.StatusOK, moderationResponse{
			ID: fmt.Sprintf("modr-%024x", c.n), Model: model, Results: results,
		}, d)
	}
}

// resultInputs is the inputs to answer for: all of them, or (mod-results:N)
// exactly n, dropping the last ones or repeating the last one (an empty text
// when there is none).
func resultInputs(inputs []string, n int) []string {
	if n < 0 || n == len(inputs) {
		return inputs
	}
	if n < len(inputs) {
		return inputs[:n]
	}
	out := append([]string(nil), inputs...)
	last := ""
	if len(inputs) > 0 {
		last = inputs[len(inputs)-1]
	}
	for len(out) < n {
		out = append(out, last)
	}
	return out
}

type modelCard struct {
	ID                      string          `json:"id"`
	Object                  string          `json:"object"`
	Created                 int64           `json:"created"`
	OwnedBy                 string          `json:"owned_by"`
	Type                    string          `json:"type"`
	Capabilities            map[string]bool `json:"capabilities"`
	Name                    string          `json:"name"`
	Description             string          `json:"description"`
	MaxContextLength        int             `json:"max_context_length"`
	Aliases                 []string        `json:"aliases"`
	Deprecation             *string         `json:"deprecation"`
	DefaultModelTemperature *float64        `json:"default_model_temperature"`
}

// Models lists the model ids GET /v1/models returns.
var Models = []string{
	"gpt-4o-mini", "gpt-4.1", "omni-moderation-latest",
	"mistral-small-latest", "mistral-large-latest", "codestral-latest", "mistral-moderation-latest",
}

func (s *Server) handleModels(c *call) {
	created := s.opts.Now().Unix()
	var data []modelCard
	for _, id := range Models {
		mistral := isMistralModel(id)
		if (s.opts.Flavor == "openai" && mistral) || (s.opts.Flavor == "mistral" && !mistral) {
			continue
		}
		owner := "system"
		if mistral {
			owner = "mistralai"
		}
		moderation := strings.Contains(id, "moderation")
		data = append(data, modelCard{
			ID: id, Object: "model", Created: created, OwnedBy: owner, Type: "base",
			Capabilities: map[string]bool{
				"completion_chat":  !moderation,
				"function_calling": !moderation,
				"completion_fim":   strings.HasPrefix(id, "codestral"),
				"fine_tuning":      false,
				"vision":           false,
				"classification":   moderation,
				"moderation":       moderation,
			},
			Name: id, Description: "fakellm stand-in for " + id,
			MaxContextLength: 131072, Aliases: []string{},
		})
	}
	c.writeJSON(http.StatusOK, map[string]any{"object": "list", "data": data}, nil)
}
