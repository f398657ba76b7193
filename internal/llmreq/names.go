package llmreq

// nameTable maps short names to values (a set when the values are unused). A Go
// map hashes every byte of the key in software in the VM (wasm has no AES hash),
// and most lookups here are of short keys that hit or miss on one comparison; this
// table hashes only the length and the first and last bytes, with linear probing.
type nameTable struct {
	keys []string // len a power of two; "" marks a free slot
	vals []string
	n    int
}

// newNameTable returns a table of the names, each mapped to vals[i] (or "" when
// vals is nil). A repeated name keeps its first value.
func newNameTable(names, vals []string) *nameTable {
	size := 8
	for size < 2*len(names) {
		size *= 2
	}
	t := &nameTable{keys: make([]string, size), vals: make([]string, size)}
	for i, k := range names {
		v := ""
		if vals != nil {
			v = vals[i]
		}
		t.put(k, v)
	}
	return t
}

func nameHash(k string) uint {
	if k == "" {
		return 0
	}
	return uint(len(k))*31 + uint(k[0])*7 + uint(k[len(k)-1])
}

func (t *nameTable) put(k, v string) {
	if k == "" {
		return
	}
	mask := uint(len(t.keys) - 1)
	for h := nameHash(k) & mask; ; h = (h + 1) & mask {
		switch t.keys[h] {
		case "":
			t.keys[h], t.vals[h] = k, v
			t.n++
			return
		case k:
			return
		}
	}
}

// get returns the value of k and whether k is in the table.
func (t *nameTable) get(k string) (string, bool) {
	if k == "" {
		return "", false
	}
	mask := uint(len(t.keys) - 1)
	for h := nameHash(k) & mask; ; h = (h + 1) & mask {
		s := t.keys[h]
		if s == "" {
			return "", false
		}
		if len(s) == len(k) && s == k {
			return t.vals[h], true
		}
	}
}

// has reports whether k is in the table.
func (t *nameTable) has(k string) bool { _, ok := t.get(k); return ok }
