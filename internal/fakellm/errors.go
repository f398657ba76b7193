package fakellm

import (
	"encoding/json"
	"fmt"
	"net/http"
)

type oaiError struct {
	Error oaiErrorBody `json:"error"`
}

type oaiErrorBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

type mistralError struct {
	Object  string  `json:"object"`
	Message any     `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

func strp(s string) *string { return &s }

// errorStatus answers with status and the dialect's error body. An empty
// msg picks the provider's usual message for that status.
func (c *call) errorStatus(status int, msg string) {
	h := c.w.Header()
	if status == http.StatusTooManyRequests {
		h.Set("retry-after", "1")
		if !c.mistral {
			h.Set("x-ratelimit-limit-requests", "500")
			h.Set("x-ratelimit-remaining-requests", "0")
			h.Set("x-ratelimit-reset-requests", "1s")
		}
	}
	if c.mistral {
		c.writeJSON(status, mistralErrorBody(status, msg, c.reqID), nil)
		return
	}
	c.writeJSON(status, oaiErrorFor(status, msg, c.r), nil)
}

func oaiErrorFor(status int, msg string, r *http.Request) oaiError {
	e := oaiErrorBody{Message: msg, Type: "invalid_request_error"}
	if status >= 500 {
		e.Type = "server_error"
	}
	def := http.StatusText(status)
	switch status {
	case http.StatusBadRequest:
		def = "Invalid request."
	case http.StatusUnauthorized:
		def = "Incorrect API key provided: sk-fake***********. You can find your API key in your account settings."
		e.Code = strp("invalid_api_key")
	case http.StatusForbidden:
		def = "Country, region, or territory not supported"
		e.Type = "request_forbidden"
		e.Code = strp("unsupported_country_region_territory")
	case http.StatusNotFound:
		def = fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path)
	case http.StatusMethodNotAllowed:
		def = fmt.Sprintf("Invalid method for URL (%s %s)", r.Method, r.URL.Path)
	case http.StatusTooManyRequests:
		def = "Rate limit reached for requests. Please try again in 1s."
		e.Type = "requests"
		e.Code = strp("rate_limit_exceeded")
	case http.StatusInternalServerError:
		def = "The server had an error while processing your request. Sorry about that!"
	case http.StatusServiceUnavailable:
		def = "The engine is currently overloaded, please try again later"
		e.Code = strp("engine_overloaded")
	}
	if e.Message == "" {
		e.Message = def
	}
	return oaiError{Error: e}
}

func mistralErrorBody(status int, msg, reqID string) any {
	if status == http.StatusUnauthorized && msg == "" {
		return map[string]string{"message": "Unauthorized", "request_id": reqID}
	}
	e := mistralError{Object: "error", Message: msg, Type: "invalid_request_error"}
	if status >= 500 {
		e.Type = "internal_server_error"
	}
	def := http.StatusText(status)
	switch status {
	case http.StatusForbidden:
		def = "Forbidden"
		e.Type = "forbidden"
	case http.StatusNotFound:
		def = "Not Found"
		e.Type = "not_found"
	case http.StatusTooManyRequests:
		def = "Requests rate limit exceeded"
		e.Type = "rate_limited"
		e.Code = strp("1300")
	case http.StatusInternalServerError:
		def = "Internal server error"
	case http.StatusServiceUnavailable:
		def = "Service unavailable, please retry later"
		e.Type = "service_unavailable"
	case http.StatusUnprocessableEntity:
		if msg == "" {
			e.Message = map[string]any{"detail": []any{}}
		}
		e.Type = "invalid_request_message_error"
	}
	if e.Message == nil || e.Message == "" {
		e.Message = def
	}
	return e
}

// validationError reports a missing/invalid body field: Mistral answers 422
// with a pydantic-style detail list, OpenAI 400.
func (c *call) validationError(field, msg string) {
	if !c.mistral {
		c.errorStatus(http.StatusBadRequest, fmt.Sprintf("Missing required parameter: '%s'.", field))
		return
	}
	var input any
	_ = json.Unmarshal(c.body, &input)
	detail := []any{map[string]any{
		"type":  "missing",
		"loc":   []string{"body", field},
		"msg":   msg,
		"input": input,
	}}
	c.writeJSON(http.StatusUnprocessableEntity, mistralError{
		Object:  "error",
		Message: map[string]any{"detail": detail},
		Type:    "invalid_request_message_error",
	}, nil)
}
