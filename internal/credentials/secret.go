package credentials

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
)

// Redacted is what every printed or marshalled form of a Secret shows.
const Redacted = "[REDACTED]"

// Secret holds key material. Its String, GoString, Format (every fmt verb: %v, %+v,
// %#v, %s, %q, %x, ...), MarshalJSON and MarshalText all produce "[REDACTED]"; only
// Reveal returns the value. The value is held by a closure, so even reflection-based
// printers that bypass the methods (fmt on an unexported struct field, or with a verb
// fmt rejects) can only show a function address, never the key. The zero Secret is
// empty.
//
// As a JSON configuration field a Secret unmarshals from a JSON string (or null).
type Secret struct{ reveal func() string }

// NewSecret wraps a key value.
func NewSecret(v string) Secret {
	if v == "" {
		return Secret{}
	}
	return Secret{reveal: func() string { return v }}
}

// Reveal returns the key value. Call it only to build the outgoing header value and
// never pass the result to a logger, metric, error or response.
func (s Secret) Reveal() string {
	if s.reveal == nil {
		return ""
	}
	return s.reveal()
}

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.reveal == nil }

// String implements fmt.Stringer: always "[REDACTED]".
func (s Secret) String() string { return Redacted }

// GoString implements fmt.GoStringer: always "[REDACTED]".
func (s Secret) GoString() string { return Redacted }

// Format implements fmt.Formatter: every verb prints "[REDACTED]".
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, Redacted) }

// MarshalJSON implements json.Marshaler: always the JSON string "[REDACTED]", so a
// configuration dump never contains an inline key.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler: always "[REDACTED]".
func (s Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// UnmarshalJSON implements json.Unmarshaler for configuration: a JSON string or null.
// On a type error it reports only the JSON type, never the content.
func (s *Secret) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*s = Secret{}
		return nil
	}
	var v string
	if len(b) == 0 || b[0] != '"' || json.Unmarshal(b, &v) != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeOf("")}
	}
	*s = NewSecret(v)
	return nil
}

func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "value"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case '"':
		return "string"
	default:
		return "number"
	}
}
