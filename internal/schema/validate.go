package schema

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	compileOnce sync.Once
	compiled    *jsonschema.Schema
	compileErr  error
)

// Compile compiles a schema document (draft 2020-12).
func Compile(schemaJSON []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("schema is not JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(ID, doc); err != nil {
		return nil, err
	}
	return c.Compile(ID)
}

// Validate checks a configuration document against the committed schema. It checks
// shapes, types, enums and unknown fields only; config.Parse remains the authority on
// ranges and cross-field rules.
func Validate(configJSON []byte) error {
	compileOnce.Do(func() { compiled, compileErr = Compile(committed) })
	if compileErr != nil {
		return compileErr
	}
	return ValidateWith(compiled, configJSON)
}

// ValidateWith checks a configuration document against a compiled schema.
func ValidateWith(s *jsonschema.Schema, configJSON []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(configJSON))
	if err != nil {
		return fmt.Errorf("configuration is not JSON: %w", err)
	}
	return s.Validate(inst)
}
