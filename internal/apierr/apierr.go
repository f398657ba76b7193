// Package apierr builds the OpenAI-style JSON errors the guard answers with.
//
// Every rejection has the shape {"error":{"message","type","code","param"}} so that
// the official SDKs surface it as a normal API error.
package apierr

import (
	"encoding/json"
	"fmt"
	"time"
)

// Error types, as the OpenAI API names them.
const (
	TypeInvalidRequest = "invalid_request_error"
	TypePolicy         = "policy_violation"
	TypeAuth           = "authentication_error"
	TypeRateLimit      = "rate_limit_error"
	TypeUnavailable    = "service_unavailable"
)

// Error is one rejection: the HTTP status and the JSON error fields.
type Error struct {
	Status  int    // HTTP status code
	Type    string // error.type
	Code    string // error.code, a stable machine-readable reason
	Message string // error.message, for humans; never contains request content
	Param   string // error.param, the offending request field ("" = null)
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// JSON renders the error body.
func (e *Error) JSON() []byte {
	type body struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Code    string  `json:"code"`
		Param   *string `json:"param"`
	}
	b := body{Message: e.Message, Type: e.Type, Code: e.Code}
	if e.Param != "" {
		b.Param = &e.Param
	}
	out, _ := json.Marshal(map[string]body{"error": b}) // cannot fail: plain strings
	return out
}

// New returns an error with the given status, type and code.
func New(status int, typ, code, format string, args ...any) *Error {
	return &Error{Status: status, Type: typ, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid is a 400 invalid_request_error about one request field.
func Invalid(code, param, format string, args ...any) *Error {
	e := New(400, TypeInvalidRequest, code, format, args...)
	e.Param = param
	return e
}

// RetryAfterSeconds is d as a Retry-After header's delay-seconds: rounded up to whole
// seconds, at least 1.
func RetryAfterSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
