package search

import (
	"unicode"
	"unicode/utf8"
)

// termKind says what a term is.
type termKind uint8

const (
	tWord  termKind = iota + 1 // a run of letters (Latin, Cyrillic, Hangul…)
	tNum                       // a run of digits
	tCJK                       // one Chinese (or Japanese kana) character
	tEmail                     // a whole e-mail address, besides its words
)

// term is one unit of text after folding, with its span in the source so
// that matches can be highlighted in the original.
type term struct {
	text       string
	kind       termKind
	start, end int // byte offsets in the source text
	// join is set on a CJK character that directly follows another (the
	// two form a bigram), and on a digit group that follows another across
	// one space or hyphen (the groups of "138-0013-8000").
	join bool
}

// Limits that keep one odd input from bloating the index.
const (
	maxWordLen  = 64 // longer letter runs (base64, hashes) are skipped
	maxDigitLen = 32 // longer digit runs are cut
)

type charClass uint8

const (
	cOther charClass = iota
	cLetter
	cDigit
	cCJK
)

func classOf(r rune) charClass {
	switch {
	case r < 0x80:
		switch {
		case 'a' <= r && r <= 'z':
			return cLetter
		case '0' <= r && r <= '9':
			return cDigit
		}
		return cOther
	case isCJK(r):
		return cCJK
	case unicode.IsLetter(r) || unicode.IsMark(r):
		return cLetter
	case unicode.IsDigit(r):
		return cDigit
	}
	return cOther
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)
}

// analyze splits text into terms: folded, lower-cased, stemmed words; digit
// groups; single CJK characters; and whole e-mail addresses. Letters and
// digits split where they meet, so "iPhone15" is "iphone", "15" and
// "DD20261103" is "dd", "20261103".
func analyze(text string) []term {
	if text == "" {
		return nil
	}
	rs := make([]rune, 0, len(text))
	offs := make([]int, 0, len(text)+1)
	for i, r := range text {
		if r == utf8.RuneError {
			continue
		}
		rs = append(rs, fold(r))
		offs = append(offs, i)
	}
	offs = append(offs, len(text))
	out := make([]term, 0, len(rs)/2+4)
	lastEnd, lastKind := -1, termKind(0) // rune index after the previous term
	for i := 0; i < len(rs); {
		c := classOf(rs[i])
		switch c {
		case cCJK:
			out = append(out, term{text: string(rs[i]), kind: tCJK, start: offs[i], end: offs[i+1], join: lastKind == tCJK && lastEnd == i})
			i++
			lastEnd, lastKind = i, tCJK
		case cLetter:
			j := i
			for j < len(rs) && classOf(rs[j]) == cLetter {
				j++
			}
			if j-i <= maxWordLen {
				w := make([]rune, 0, j-i)
				for _, r := range rs[i:j] {
					if !unicode.IsMark(r) {
						w = append(w, r)
					}
				}
				if len(w) > 0 {
					out = append(out, term{text: stem(string(w)), kind: tWord, start: offs[i], end: offs[j]})
				}
			}
			i = j
			lastEnd, lastKind = i, tWord
		case cDigit:
			j := i
			for j < len(rs) && classOf(rs[j]) == cDigit {
				j++
			}
			end := j
			if end-i > maxDigitLen {
				end = i + maxDigitLen
			}
			join := lastKind == tNum && lastEnd == i-1 && (rs[i-1] == ' ' || rs[i-1] == '-')
			out = append(out, term{text: string(rs[i:end]), kind: tNum, start: offs[i], end: offs[j], join: join})
			i = j
			lastEnd, lastKind = i, tNum
		default:
			if rs[i] == '@' {
				if t, ok := emailAt(rs, offs, i); ok {
					out = append(out, t)
				}
			}
			i++
		}
	}
	return out
}

// emailAt recognises an e-mail address around the "@" at rs[at].
func emailAt(rs []rune, offs []int, at int) (term, bool) {
	local := func(r rune) bool {
		return r < 0x80 && (classOf(r) != cOther || r == '.' || r == '_' || r == '+' || r == '-')
	}
	domain := func(r rune) bool { return r < 0x80 && (classOf(r) != cOther || r == '.' || r == '-') }
	l := at
	for l > 0 && local(rs[l-1]) {
		l--
	}
	for l < at && (rs[l] == '.' || rs[l] == '-') {
		l++
	}
	r := at + 1
	for r < len(rs) && domain(rs[r]) {
		r++
	}
	for r > at+1 && (rs[r-1] == '.' || rs[r-1] == '-') {
		r--
	}
	if l == at || r == at+1 {
		return term{}, false
	}
	dom := rs[at+1 : r]
	dot := false
	for _, c := range dom {
		dot = dot || c == '.'
	}
	if !dot || dom[0] == '.' {
		return term{}, false
	}
	return term{text: string(rs[l:r]), kind: tEmail, start: offs[l], end: offs[r]}, true
}

// digitClusters calls fn with each run of digits in terms that reads as one
// number: a single group, or groups joined by single spaces or hyphens
// ("138 0013 8000") up to 20 digits. first and last index the terms.
func digitClusters(ts []term, fn func(digits string, first, last int)) {
	for i := 0; i < len(ts); i++ {
		if ts[i].kind != tNum {
			continue
		}
		d := ts[i].text
		j := i
		for j+1 < len(ts) && ts[j+1].kind == tNum && ts[j+1].join && len(d)+len(ts[j+1].text) <= 20 {
			j++
			d += ts[j].text
		}
		fn(d, i, j)
		i = j
	}
}

// idTokens are the identifier tokens of a number: the number itself and,
// for numbers of four digits or more, every suffix of four digits or more,
// so that a prefix search finds any part of a phone, order or tracking
// number ("0013" finds 13800138000).
func idTokens(d string, add func(string)) {
	if len(d) < minIDDigits {
		return
	}
	add(d)
	if len(d) > 20 {
		return
	}
	for i := 1; len(d)-i >= minIDDigits; i++ {
		add(d[i:])
	}
}

// minIDDigits is the shortest number that is indexed and searched as an
// identifier (with its suffixes and by prefix).
const minIDDigits = 4
