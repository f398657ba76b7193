package redact

import "encoding/binary"

// RequestContext carries what the redactor needs to know about the request a
// response answers: its system prompt, for leak detection. Build one per
// request; it is not safe for concurrent use.
type RequestContext struct {
	// SystemPrompt is the concatenated text of the request's system messages.
	SystemPrompt string

	idx     *leakIndex
	idxFor  *Redactor
	idxDone bool
}

// leakIndex finds verbatim copies of system-prompt text. It indexes the first
// 8 bytes of every word start in the prompt that has at least minLen bytes
// after it; the response side checks word starts (bytes after whitespace)
// against a 64 Kibit filter, then the map, then compares byte by byte.
type leakIndex struct {
	prompt string
	minLen int
	bloom  [1024]uint64
	starts map[uint64][]int32
}

func (rc *RequestContext) index(r *Redactor) *leakIndex {
	if rc == nil || r.minOverlap <= 0 || len(rc.SystemPrompt) < r.minOverlap {
		return nil
	}
	if rc.idxDone && rc.idxFor == r {
		return rc.idx
	}
	rc.idx, rc.idxFor, rc.idxDone = newLeakIndex(rc.SystemPrompt, r.minOverlap), r, true
	return rc.idx
}

func newLeakIndex(prompt string, minLen int) *leakIndex {
	li := &leakIndex{prompt: prompt, minLen: minLen, starts: map[uint64][]int32{}}
	for p := 0; p+minLen <= len(prompt); p++ {
		if isSpace(prompt[p]) || p > 0 && !isSpace(prompt[p-1]) {
			continue
		}
		key := binary.LittleEndian.Uint64([]byte(prompt[p : p+8]))
		h := bloomHash(key)
		li.bloom[h>>6] |= 1 << (h & 63)
		li.starts[key] = append(li.starts[key], int32(p))
	}
	return li
}

func bloomHash(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> 48 }

// detect checks the word start j; it returns the end of the longest verbatim
// overlap with the prompt when that is at least minLen bytes long.
func (li *leakIndex) detect(v *view, j int) (int, bool) {
	var b [8]byte
	for i := range b {
		b[i] = v.at(j + i)
		if b[i] == 0 {
			return 0, false
		}
	}
	key := binary.LittleEndian.Uint64(b[:])
	h := bloomHash(key)
	if li.bloom[h>>6]&(1<<(h&63)) == 0 {
		return 0, false
	}
	best := 0
	for _, p := range li.starts[key] {
		n := 0
		for int(p)+n < len(li.prompt) && v.at(j+n) == li.prompt[int(p)+n] {
			n++
		}
		best = max(best, n)
	}
	if best < li.minLen {
		return 0, false
	}
	return j + best, true
}
