package redact

// Detectors for personal data. Each takes the view positioned at its trigger
// (v.k) and returns the entity's [start, end) relative to v.s. They read
// forward bytes only through v.at/v.hasPrefixAt (see view).

// detectEmail is triggered at '@': it walks back over the local part and
// forward over a dotted domain whose last label is a 2+ letter TLD.
func detectEmail(v *view) (int, int, bool) {
	k := v.k
	start := k
	for start > v.floor && k-start < 64 {
		c := v.at(start - 1)
		if !isAlnum(c) && byteBits[c]&bLocal == 0 {
			break
		}
		start--
	}
	if start > v.floor && (isAlnum(v.at(start-1)) || byteBits[v.at(start-1)]&bLocal != 0) {
		return 0, 0, false // local part longer than 64 bytes
	}
	for start < k && (v.s[start] == '.' || v.s[start] == '-' || v.s[start] == '+' || v.s[start] == '%') {
		start++
	}
	if start == k || v.s[k-1] == '.' || containsDotDot(v.s[start:k]) {
		return 0, 0, false
	}
	end, ok := scanDomain(v, k+1)
	if !ok {
		return 0, 0, false
	}
	if c := v.at(end); isWord(c) || c == '@' || c == '-' {
		return 0, 0, false
	}
	return start, end, true
}

// scanDomain reads labels separated by dots starting at i and returns the end
// of the domain; the last label must be alphabetic (or an xn-- label).
func scanDomain(v *view, i int) (int, bool) {
	labels, lastStart, end := 0, i, i
	for {
		j := i
		for isAlnum(v.at(j)) || v.at(j) == '-' {
			j++
		}
		if j == i || j-i > 63 || v.s[i] == '-' || v.at(j-1) == '-' {
			break
		}
		labels, lastStart, end = labels+1, i, j
		if v.at(j) != '.' || !isAlnum(v.at(j+1)) || end-(v.k+1) > 253 {
			break
		}
		i = j + 1
	}
	if labels < 2 {
		return 0, false
	}
	tld := v.s[lastStart:end]
	if len(tld) >= 4 && (tld[:4] == "xn--" || tld[:4] == "XN--") {
		return end, true
	}
	if len(tld) < 2 || len(tld) > 24 {
		return 0, false
	}
	for i := 0; i < len(tld); i++ {
		if !isAlpha(tld[i]) {
			return 0, false
		}
	}
	return end, true
}

func containsDotDot(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] == '.' && s[i-1] == '.' {
			return true
		}
	}
	return false
}

// numberStart reports whether position k may start a number: the previous
// byte is not part of a word and k is not inside a longer dotted/dashed number.
func numberStart(v *view, k int) bool {
	p := v.at(k - 1)
	if isWord(p) {
		return false
	}
	if (p == '.' || p == '-' || p == ',' || p == '/' || p == ':') && isDigit(v.at(k-2)) {
		return false
	}
	if p == ':' && (isHex(v.at(k-2)) || v.at(k-2) == ':') {
		return false // inside an IPv6-like run
	}
	return true
}

// numberEndOK reports whether a number ending at e is not followed by more of
// a word or a longer number.
func numberEndOK(v *view, e int) bool {
	c := v.at(e)
	if isWord(c) || c == '@' {
		return false
	}
	if (c == '.' || c == '-' || c == ',' || c == '/') && isDigit(v.at(e+1)) {
		return false
	}
	return true
}

// detectIPv4 matches a dotted quad with octets 0-255 and no leading zeros.
func detectIPv4(v *view, k int) (int, bool) {
	i := k
	for part := 0; part < 4; part++ {
		if part > 0 {
			if v.at(i) != '.' {
				return 0, false
			}
			i++
		}
		j, val := i, 0
		for isDigit(v.at(j)) && j-i < 4 {
			val = val*10 + int(v.s[j]-'0')
			j++
		}
		if j == i || j-i > 3 || val > 255 || (j-i > 1 && v.s[i] == '0') {
			return 0, false
		}
		i = j
	}
	if !numberEndOK(v, i) || v.at(i) == '.' && isDigit(v.at(i+1)) || contextBefore(v, k, 10, versionContext) {
		return 0, false
	}
	return i, true
}

var versionContext = []string{"version", "ver.", " v", "release"}

// detectIPv6 matches full and '::'-compressed IPv6 addresses, including an
// embedded IPv4 tail.
func detectIPv6(v *view, k int) (int, bool) {
	i, groups, dbl := k, 0, false
	if v.at(i) == ':' {
		if v.at(i+1) != ':' {
			return 0, false
		}
		dbl, i = true, i+2
	}
	end := i
	for groups < 8 {
		j := i
		for isHex(v.at(j)) && j-i < 5 {
			j++
		}
		if j == i {
			break
		}
		if j-i > 4 {
			return 0, false
		}
		if v.at(j) == '.' && groups <= 6 && (dbl || groups == 6) {
			if e, ok := detectIPv4(v, i); ok {
				groups, end = groups+2, e
				break
			}
		}
		groups, end = groups+1, j
		if v.at(j) != ':' {
			break
		}
		if v.at(j+1) == ':' {
			if dbl {
				return 0, false
			}
			dbl, end = true, j+2
			i = j + 2
			continue
		}
		if !isHex(v.at(j + 1)) {
			break
		}
		i = j + 1
	}
	if !(groups == 8 && !dbl || dbl && groups >= 1 && groups <= 7) {
		return 0, false
	}
	if c := v.at(end); isWord(c) || c == ':' || c == '.' && isHex(v.at(end+1)) {
		return 0, false
	}
	return end, true
}

// detectSSN matches NNN-NN-NNNN (dash or space) with valid area, group and
// serial, or 9 plain digits when "SSN"/"social security" precedes.
func detectSSN(v *view, k int) (int, bool) {
	var d [9]byte
	i, n := k, 0
	sep := byte(0)
	for n < 9 {
		c := v.at(i)
		if isDigit(c) {
			d[n] = c
			n, i = n+1, i+1
			continue
		}
		if (n == 3 || n == 5) && (c == '-' || c == ' ') && (sep == 0 && n == 3 || sep == c && n == 5) {
			sep, i = c, i+1
			continue
		}
		return 0, false
	}
	if (sep == 0) != (i-k == 9) || !numberEndOK(v, i) {
		return 0, false
	}
	if sep == 0 && !contextBefore(v, k, 40, ssnContext) {
		return 0, false
	}
	return i, validSSN(d)
}

var ssnContext = []string{"ssn", "social security", "social sec"}

func validSSN(d [9]byte) bool {
	area, group, serial := string(d[:3]), string(d[3:5]), string(d[5:])
	if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" {
		return false
	}
	same := true
	for i := 1; i < 9; i++ {
		same = same && d[i] == d[0]
	}
	return !same && string(d[:]) != "123456789"
}

// detectCard matches 12-19 digits, optionally grouped with one consistent
// space, dash or dot separator, that pass the Luhn check and an IIN/length
// table.
func detectCard(v *view, k int) (int, bool) {
	var d [19]byte
	// ends are the digit counts and offsets where each group ended and a separator
	// followed, so that a run of two cards ("4111 1111 1111 1111 4012 8888 8888 1881")
	// is judged card by card instead of rejected as one over-long number.
	var ends [6]struct{ n, i int }
	ne := 0
	i, n, sep, group, whole := k, 0, byte(0), 0, true
	for {
		c := v.at(i)
		if isDigit(c) {
			if n == 19 {
				whole = false // longer than any card
				break
			}
			d[n] = c
			n, i, group = n+1, i+1, group+1
			continue
		}
		if (c == ' ' || c == '-' || c == '.') && isDigit(v.at(i+1)) && (sep == 0 || sep == c) && group >= 3 && group <= 6 {
			if ne < len(ends) {
				ends[ne].n, ends[ne].i = n, i
				ne++
			}
			sep, i, group = c, i+1, 0
			continue
		}
		break
	}
	if whole && n >= 12 && numberEndOK(v, i) && luhn(string(d[:n])) && cardIIN(string(d[:n])) {
		return i, true
	}
	if sep != ' ' {
		return 0, false // only a space-separated run can hold several numbers
	}
	for j := ne - 1; j >= 0; j-- {
		if m := ends[j].n; m >= 12 && luhn(string(d[:m])) && cardIIN(string(d[:m])) {
			return ends[j].i, true
		}
	}
	return 0, false
}

func luhn(d string) bool {
	sum := 0
	for i := 0; i < len(d); i++ {
		x := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			x *= 2
			if x > 9 {
				x -= 9
			}
		}
		sum += x
	}
	return sum%10 == 0
}

func atoiN(s string, n int) int {
	v := 0
	for i := 0; i < n && i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}

// cardIIN checks the issuer prefix against the lengths that issuer uses.
func cardIIN(d string) bool {
	n, p2, p3, p4 := len(d), atoiN(d, 2), atoiN(d, 3), atoiN(d, 4)
	in := func(lo, hi int) bool { return n >= lo && n <= hi }
	switch {
	case d[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // Amex
		return n == 15
	case p4 == 2131 || p4 == 1800: // JCB (old)
		return n == 15
	case p3 >= 300 && p3 <= 305, p4 == 3095, p2 == 36, p2 == 38, p2 == 39: // Diners
		return in(14, 19)
	case p2 == 35: // JCB (3528-3589 assigned; generators use all of 35xx)
		return in(16, 19)
	case p4 >= 2200 && p4 <= 2204: // Mir
		return in(16, 19)
	case p4 == 6011, p3 >= 644 && p3 <= 649, p2 == 65, p2 == 62: // Discover, UnionPay
		return in(16, 19)
	case p2 == 50, p2 >= 56 && p2 <= 69, p4 == 604: // Maestro (12-19 digits)
		return in(12, 19)
	case p2 == 81, p2 == 82: // RuPay
		return n == 16
	}
	return false
}

// detectIBAN is triggered at the first check digit (k); the country code is
// the two letters before it. Groups of four may be separated by single spaces.
func detectIBAN(v *view, k int) (int, int, bool) {
	start := k - 2
	if start < v.floor || start < 0 || !isAlpha(v.s[start]) || !isAlpha(v.s[start+1]) || isWord(v.at(start-1)) {
		return 0, 0, false
	}
	want := ibanLength(lower(v.s[start]), lower(v.s[start+1]))
	if want == 0 || !isDigit(v.at(k+1)) {
		return 0, 0, false
	}
	var buf [34]byte
	buf[0], buf[1] = v.s[start], v.s[start+1]
	i, n := k, 2
	for n < want {
		c := v.at(i)
		if c == ' ' && n%4 == 0 && isAlnum(v.at(i+1)) {
			i++
			continue
		}
		if !isAlnum(c) {
			return 0, 0, false
		}
		buf[n] = c
		n, i = n+1, i+1
	}
	if isWord(v.at(i)) || !ibanMod97(buf[:n]) {
		return 0, 0, false
	}
	return start, i, true
}

// ibanMod97 validates the ISO 13616 checksum.
func ibanMod97(b []byte) bool {
	rem := 0
	add := func(c byte) bool {
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case isAlpha(c):
			x := int(lower(c)-'a') + 10
			rem = (rem*100 + x) % 97
		default:
			return false
		}
		return true
	}
	for _, c := range b[4:] {
		if !add(c) {
			return false
		}
	}
	for _, c := range b[:4] {
		if !add(c) {
			return false
		}
	}
	return rem == 1
}

// ibanLengths maps ISO country codes to IBAN lengths (SWIFT IBAN registry).
var ibanLengths = map[string]int{
	"ad": 24, "ae": 23, "al": 28, "at": 20, "az": 28, "ba": 20, "be": 16, "bg": 22, "bh": 22, "bi": 27,
	"br": 29, "by": 28, "ch": 21, "cr": 22, "cy": 28, "cz": 24, "de": 22, "dj": 27, "dk": 18, "do": 28,
	"ee": 20, "eg": 29, "es": 24, "fi": 18, "fk": 18, "fo": 18, "fr": 27, "gb": 22, "ge": 22, "gi": 23,
	"gl": 18, "gr": 27, "gt": 28, "hr": 21, "hu": 28, "ie": 22, "il": 23, "iq": 23, "is": 26, "it": 27,
	"jo": 30, "kw": 30, "kz": 20, "lb": 28, "lc": 32, "li": 21, "lt": 20, "lu": 20, "lv": 21, "ly": 25,
	"mc": 27, "md": 24, "me": 22, "mk": 19, "mn": 20, "mr": 27, "mt": 31, "mu": 30, "ni": 28, "nl": 18,
	"no": 15, "om": 23, "pk": 24, "pl": 28, "ps": 29, "pt": 25, "qa": 29, "ro": 24, "rs": 22, "ru": 33,
	"sa": 24, "sc": 31, "sd": 18, "se": 24, "si": 19, "sk": 24, "sm": 27, "so": 23, "st": 25, "sv": 28,
	"tl": 23, "tn": 24, "tr": 26, "ua": 29, "va": 22, "vg": 24, "xk": 20, "ye": 30,
}

var ibanTable = func() (t [26][26]uint8) {
	for cc, n := range ibanLengths {
		t[cc[0]-'a'][cc[1]-'a'] = uint8(n)
	}
	return t
}()

func ibanLength(a, b byte) int {
	if a < 'a' || a > 'z' || b < 'a' || b > 'z' {
		return 0
	}
	return int(ibanTable[a-'a'][b-'a'])
}

// contextBefore reports whether one of the lower-case keywords occurs in the
// n bytes before k (case-insensitive, folded: "P\u200bhone" is "Phone").
func contextBefore(v *view, k, n int, words []string) bool {
	s := foldString(v.sub(k-n, k))
	for _, w := range words {
		if indexFold(s, w) >= 0 {
			return true
		}
	}
	return false
}

// indexFold finds lower-case ASCII w in s ignoring case, without allocating.
func indexFold(s, w string) int {
	for i := 0; i+len(w) <= len(s); i++ {
		j := 0
		for j < len(w) && lower(s[i+j]) == w[j] {
			j++
		}
		if j == len(w) {
			return i
		}
	}
	return -1
}
