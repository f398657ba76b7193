package redact

// Data values are texts a program reads rather than a person: tool-call arguments,
// tool inputs, error messages, request fields a response echoes. They get the PII
// and secret detectors only: output-safety rules (unsafe HTML, script URLs, markdown
// links) would corrupt JSON arguments and have no reader to protect, and a leak of
// the system prompt in an echo of the request is no leak. The same detectors mask
// request texts before they leave the mesh (redaction.requests).

// RedactData replaces the PII and secrets in text (see Data values above).
func (r *Redactor) RedactData(text string) (string, Report) { return r.redactRequest(text) }

// NewDataStream starts a stream with RedactData's detectors.
func (r *Redactor) NewDataStream() *Stream { return r.newRequestStream() }
