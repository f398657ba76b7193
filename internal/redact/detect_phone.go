package redact

// phoneShape is what detectPhone learned about a candidate number.
type phoneShape struct {
	end, digits, groups int
	plus, paren, ext    bool
	lead0               bool    // the first digit is 0
	seps                [4]byte // distinct separators seen
	nseps               int
	lens                [16]int8
	sepAfter            [16]byte // separator after each group (0 for none)
}

// Phone context keywords (case-insensitive) that make a weakly formatted number a phone number.
var phoneContext = []string{"phone", "tel", "mobile", "cell", "fax", "call", "desk", "office", "contact",
	"dial", "sms", "text me", "whatsapp", "message", "reach", "answering", "registered", "number", "ring me"}

// Keywords that say a number is something else (an account, a document...).
var phoneNegative = []string{"license", "licence", "passport", "account", "acct", "order", "invoice", "iban",
	"routing", "tracking", "serial", "isbn", "ssn", "social security", "card", "ticket", "zip", "postal", "id:", "id #",
	"reference", "part n", "part #", "sku", "ean", "upc", "barcode", "parcel", "confirmation"}

// detectPhone matches international (+CC ...) and national formats: digit
// groups joined by single spaces, dashes or dots, an optional parenthesised
// area code and an optional extension. Plainly formatted numbers (one group,
// or two short groups) need a phone keyword nearby.
func detectPhone(v *view, k int) (int, bool) {
	if c := v.at(k - 1); (c == '-' || c == '_') && isAlnum(v.at(k-2)) {
		return 0, false // part of an identifier such as a model name ("claude-sonnet-4-5-20250929")
	}
	sh, ok := phoneScan(v, k)
	if !ok || sh.digits < 7 || sh.digits > 15 || sh.nseps > 2 || !numberEndOK(v, sh.end) {
		return 0, false
	}
	if sh.plus && sh.digits < 8 || looksLikeDate(&sh) || looksLikeThousands(&sh) {
		return 0, false
	}
	if !sh.plus && contextBefore(v, k, 32, phoneNegative) {
		return 0, false
	}
	if sh.digits == 13 && isbn13(v, k, sh.end) {
		return 0, false
	}
	strong := sh.plus || sh.paren || sh.ext || sh.groups >= 3 && !spacedThousands(&sh) ||
		sh.groups == 2 && sh.digits >= 10 && sh.seps[0] != '.'
	if !strong && sh.groups == 1 && (sh.digits < 10 || sh.digits > 11) {
		return 0, false
	}
	if !strong && !phoneContextAfter(v, sh.end) {
		// a weakly formatted number followed by a word is an address or an amount
		if v.at(sh.end) == ' ' && isAlpha(v.at(sh.end+1)) || !contextBefore(v, k, 40, phoneContext) {
			return 0, false
		}
	}
	return sh.end, true
}

// phoneScan tokenises the candidate starting at k.
func phoneScan(v *view, k int) (phoneShape, bool) {
	var sh phoneShape
	i := k
	if v.at(i) == '+' {
		if !isDigit(v.at(i+1)) || v.at(i+1) == '0' {
			return sh, false
		}
		sh.plus, i = true, i+1
	}
	for sh.groups < len(sh.lens) {
		if v.at(i) == '(' {
			j := i + 1
			for isDigit(v.at(j)) && j-i <= 5 {
				j++
			}
			if j == i+1 || j-i > 5 || v.at(j) != ')' {
				return sh, false
			}
			sh.paren = true
			sh.addGroup(j - i - 1)
			i = j + 1
			if c := v.at(i); (c == ' ' || c == '-') && isDigit(v.at(i+1)) {
				i++
			}
			if !isDigit(v.at(i)) {
				return sh, false
			}
			continue
		}
		j := i
		for isDigit(v.at(j)) && j-i <= 12 {
			j++
		}
		if j == i || j-i > 12 {
			return sh, false
		}
		if sh.groups == 0 && v.s[i] == '0' {
			sh.lead0 = true
		}
		sh.addGroup(j - i)
		i = j
		c := v.at(i)
		if (c == ' ' || c == '-' || c == '.') && (isDigit(v.at(i+1)) || v.at(i+1) == '(' && c == ' ') {
			sh.addSep(c)
			sh.sepAfter[sh.groups-1] = c
			i++
			continue
		}
		break
	}
	sh.end = phoneExt(v, i, &sh)
	return sh, true
}

func (sh *phoneShape) addGroup(n int) {
	sh.lens[sh.groups] = int8(n)
	sh.groups++
	sh.digits += n
}

func (sh *phoneShape) addSep(c byte) {
	for i := 0; i < sh.nseps; i++ {
		if sh.seps[i] == c {
			return
		}
	}
	if sh.nseps < len(sh.seps) {
		sh.seps[sh.nseps] = c
	}
	sh.nseps++
}

// phoneExt consumes an extension such as "x123", " ext. 45" after i.
func phoneExt(v *view, i int, sh *phoneShape) int {
	j := i
	switch {
	case v.at(j) == 'x':
		j++
	case v.hasPrefixFoldAt(j, " ext. "):
		j += 6
	case v.hasPrefixFoldAt(j, " ext "), v.hasPrefixFoldAt(j, " ext."):
		j += 5
	case v.hasPrefixFoldAt(j, " x"):
		j += 2
	default:
		return i
	}
	e := j
	for isDigit(v.at(e)) && e-j <= 6 {
		e++
	}
	if e == j || e-j > 6 {
		return i
	}
	sh.ext = true
	return e
}

// looksLikeDate rejects numbers that start like 2024-01-31 or 31.01.2024
// (possibly followed by a time).
func looksLikeDate(sh *phoneShape) bool {
	if sh.groups < 3 || sh.paren || sh.plus {
		return false
	}
	s0, s1, l := sh.sepAfter[0], sh.sepAfter[1], sh.lens
	if s0 != s1 || s0 == ' ' {
		return false
	}
	return l[0] == 4 && l[1] <= 2 && l[2] <= 2 || l[0] <= 2 && l[1] <= 2 && l[2] == 4
}

// looksLikeThousands rejects 1.000.000 and 1 000 000 style amounts, and
// SSN-shaped 3-2-4 groupings (the SSN detector owns those).
func looksLikeThousands(sh *phoneShape) bool {
	if sh.plus || sh.paren || sh.groups < 2 {
		return false
	}
	if sh.groups == 3 && sh.lens[0] == 3 && sh.lens[1] == 2 && sh.lens[2] == 4 {
		return true
	}
	if sh.nseps != 1 || sh.seps[0] == '-' || sh.lens[0] > 3 {
		return false
	}
	for i := 1; i < sh.groups; i++ {
		if sh.lens[i] != 3 {
			return false
		}
	}
	return sh.seps[0] == '.' || sh.lens[0] == 1
}

// spacedThousands reports a number grouped in threes by spaces after a
// first group of one to three digits, not starting with 0 ("299 792 458",
// "37 400 000"): an amount as often as a phone number, so it needs a phone
// keyword.
func spacedThousands(sh *phoneShape) bool {
	if sh.nseps != 1 || sh.seps[0] != ' ' || sh.lens[0] > 3 || sh.lead0 {
		return false
	}
	for i := 1; i < sh.groups; i++ {
		if sh.lens[i] != 3 {
			return false
		}
	}
	return true
}

// isbn13 reports whether the digits in v.s[k:e] are an ISBN-13 (978/979
// prefix, valid check digit).
func isbn13(v *view, k, e int) bool {
	var d [13]int
	n := 0
	for i := k; i < e && n < 13; i++ {
		if isDigit(v.s[i]) {
			d[n], n = int(v.s[i]-'0'), n+1
		}
	}
	if n != 13 || d[0] != 9 || d[1] != 7 || d[2] != 8 && d[2] != 9 {
		return false
	}
	sum := 0
	for i := 0; i < 13; i++ {
		sum += d[i] * (1 + 2*(i%2))
	}
	return sum%10 == 0
}

var phoneLabels = []string{"office", "fax", "mobile", "cell", "phone", "home", "work", "tel"}

// phoneContextAfter accepts a label right after the number ("... office", "-Fax").
func phoneContextAfter(v *view, e int) bool {
	c := v.at(e)
	if c != ' ' && c != '-' && c != '(' {
		return false
	}
	for _, w := range phoneLabels {
		if v.hasPrefixFoldAt(e+1, w) && !isAlpha(v.at(e+1+len(w))) {
			return true
		}
	}
	return false
}
