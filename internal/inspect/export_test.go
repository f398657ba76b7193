package inspect

// ScanSlow exposes the general (non-fast-path) scan to external tests.
func (e *Engine) ScanSlow(text string) Result { return e.scanSlow(text) }
