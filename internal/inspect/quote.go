package inspect

import "unicode/utf8"

// quoteFactor is the share of its weight that a signal keeps when every
// firing of it lies inside quotation marks.
const quoteFactor = 0.3

// quoteCap is the most that quoted signals add together.
const quoteCap = 0.35

// quoteRegions finds the quoted stretches of a text on first use: text
// between '"' marks, typographic double quotes, guillemets, CJK corner
// brackets, and single quotes that open after a space and close before a
// non-letter. A region that covers the whole text (a prompt in quotes)
// does not count, so quoting a complete attack does not hide it.
type quoteRegions struct {
	done bool
	r    [16]Span
	n    int
}

// skip reports that the regions are known to be irrelevant (set done
// without finding any).
func (q *quoteRegions) skip() bool { return q.done && q.n == 0 }

func (q *quoteRegions) inside(text string, sp Span) bool {
	if !q.done {
		q.find(text)
	}
	for _, r := range q.r[:q.n] {
		if sp.Start >= r.Start && sp.End <= r.End {
			return true
		}
	}
	return false
}

func (q *quoteRegions) find(text string) {
	q.done = true
	open := -1
	var closer rune
	for i := 0; i < len(text); {
		r, n := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(text[i:])
		}
		switch {
		case open >= 0 && r == closer && (r != '\'' || i+1 >= len(text) || !wordByte(text[i+1])):
			q.add(Span{open, i}, len(text))
			open = -1
		case open < 0:
			switch r {
			case '"':
				open, closer = i+1, '"'
			case 0x201C, 0x201E:
				open, closer = i+n, 0x201D
			case 0xAB:
				open, closer = i+n, 0xBB
			case 0x300C:
				open, closer = i+n, 0x300D
			case 0x300E:
				open, closer = i+n, 0x300F
			case '\'':
				if i == 0 || text[i-1] == ' ' || text[i-1] == '(' || text[i-1] == ':' {
					open, closer = i+1, '\''
				}
			}
		}
		i += n
	}
}

func (q *quoteRegions) add(sp Span, total int) {
	if q.n == len(q.r) || (sp.Start <= 3 && sp.End >= total-3) {
		return
	}
	q.r[q.n] = sp
	q.n++
}
