package hostcalls

import (
	"encoding/binary"
	"strings"
	"unsafe"
)

// Headers is a snapshot of a header map taken with one host call. In the VM it is the
// host's serialised map, read in place: a lookup walks its size table and compares
// names without building a pair per header (the SDK's GetHttp*Headers allocate one
// [][2]string per read). Outside the VM (native tests) it holds the SDK's pairs.
// Values are views of the snapshot, valid while it is.
type Headers struct {
	raw   []byte      // proxy-wasm map: count, (name size, value size)*, then each name and value NUL-terminated
	pairs [][2]string // native build: the SDK's pairs
}

// Get returns the first value of the header called name, compared like the host does
// (case-insensitively); "" when absent.
func (h Headers) Get(name string) string {
	if h.raw == nil {
		for _, kv := range h.pairs {
			if sameName(kv[0], name) {
				return kv[1]
			}
		}
		return ""
	}
	b := h.raw
	if len(b) < 4 {
		return ""
	}
	n := int(binary.LittleEndian.Uint32(b))
	sizes := 4
	data := 4 + 8*n
	if n < 0 || n > (len(b)-4)/8 {
		return "" // malformed: never index past the host's buffer
	}
	for i := 0; i < n; i++ {
		ks := int(binary.LittleEndian.Uint32(b[sizes:]))
		vs := int(binary.LittleEndian.Uint32(b[sizes+4:]))
		sizes += 8
		if ks < 0 || vs < 0 || data+ks+vs+2 > len(b) {
			return ""
		}
		if ks == len(name) && sameName(unsafe.String(unsafe.SliceData(b[data:]), ks), name) {
			if vs == 0 {
				return ""
			}
			return unsafe.String(&b[data+ks+1], vs)
		}
		data += ks + vs + 2
	}
	return ""
}

// All returns every header (in the VM: decoded on demand, one pair per header).
func (h Headers) All() [][2]string {
	if h.raw == nil {
		return h.pairs
	}
	b := h.raw
	if len(b) < 4 {
		return nil
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n < 0 || n > (len(b)-4)/8 {
		return nil
	}
	out := make([][2]string, 0, n)
	sizes, data := 4, 4+8*n
	for i := 0; i < n; i++ {
		ks := int(binary.LittleEndian.Uint32(b[sizes:]))
		vs := int(binary.LittleEndian.Uint32(b[sizes+4:]))
		sizes += 8
		if ks < 0 || vs < 0 || data+ks+vs+2 > len(b) {
			break
		}
		out = append(out, [2]string{string(b[data : data+ks]), string(b[data+ks+1 : data+ks+1+vs])})
		data += ks + vs + 2
	}
	return out
}

// sameName compares header names like the host: ASCII case-insensitively, any other
// byte by strings.EqualFold. Names of the same length mostly differ in their first
// bytes, so the loop stops early.
func sameName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if ca == cb {
			continue
		}
		if ca >= 0x80 || cb >= 0x80 {
			return strings.EqualFold(a[i:], b[i:])
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}
