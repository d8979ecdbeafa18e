package search

import (
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a match of pattern pat in a text, in byte offsets.
type span struct {
	start, end int
	pat        int
}

// find returns where the query's patterns occur in text, in order.
func (q *Query) find(text string) []span {
	if len(q.patterns) == 0 || text == "" {
		return nil
	}
	all := analyze(text)
	words := make([]term, 0, len(all))
	var emails []term
	for _, t := range all {
		if t.kind == tEmail {
			emails = append(emails, t)
		} else {
			words = append(words, t)
		}
	}
	var out []span
	for pi, p := range q.patterns {
		if len(p.units) == 1 {
			u := p.units[0]
			switch {
			case u.kind == tEmail:
				for _, t := range emails {
					if t.text == u.text {
						out = append(out, span{t.start, t.end, pi})
					}
				}
			case u.kind == tNum && len(u.text) >= minIDDigits:
				digitClusters(words, func(d string, first, last int) {
					if strings.Contains(d, u.text) {
						out = append(out, span{words[first].start, words[last].end, pi})
					}
				})
			default:
				for _, t := range words {
					if t.kind == u.kind && t.text == u.text {
						out = append(out, span{t.start, t.end, pi})
					}
				}
			}
			continue
		}
		for i := 0; i+len(p.units) <= len(words); i++ {
			if matchAt(words, i, p.units) {
				out = append(out, span{words[i].start, words[i+len(p.units)-1].end, pi})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].start != out[j].start {
			return out[i].start < out[j].start
		}
		return out[i].end > out[j].end
	})
	return out
}

func matchAt(ts []term, i int, us []unit) bool {
	for k, u := range us {
		t := ts[i+k]
		if t.kind != u.kind || t.text != u.text {
			return false
		}
		if k > 0 && u.kind == tCJK && us[k-1].kind == tCJK && !t.join {
			return false
		}
	}
	return true
}

// coverage is how well a text matches: the number of distinct patterns
// found, and whether every whole pattern of the query is in it.
func (q *Query) coverage(spans []span) (distinct int, wholeFound int) {
	seen := make([]bool, len(q.patterns))
	for _, s := range spans {
		if !seen[s.pat] {
			seen[s.pat] = true
			distinct++
			if q.patterns[s.pat].whole {
				wholeFound++
			}
		}
	}
	return distinct, wholeFound
}

// wholePatterns counts the query's whole patterns.
func (q *Query) wholePatterns() int {
	n := 0
	for _, p := range q.patterns {
		if p.whole {
			n++
		}
	}
	return n
}

// snippetWidth is the length of a snippet in characters.
const snippetWidth = 120

// snippet cuts a window of text around its best cluster of matches, HTML
// escaped, with <mark> around the matches and "…" where it was cut.
func snippet(text string, spans []span) string {
	spans = mergeSpans(spans)
	// Rune indexes of the spans (merged spans are sorted and disjoint, so
	// one pass counts them all).
	rs, re := make([]int, len(spans)), make([]int, len(spans))
	n, off := 0, 0
	for i, s := range spans {
		n += utf8.RuneCountInString(text[off:s.start])
		rs[i] = n
		n += utf8.RuneCountInString(text[s.start:s.end])
		re[i] = n
		off = s.end
	}
	total := n + utf8.RuneCountInString(text[off:])
	lead := 24
	from, to := 0, min(total, snippetWidth)
	if len(spans) > 0 {
		best, bestN := 0, -1
		for i := range spans {
			start := max(0, rs[i]-lead)
			k := 0
			for j := i; j < len(spans) && re[j] <= start+snippetWidth; j++ {
				k++
			}
			if k > bestN {
				best, bestN = i, k
			}
		}
		from = max(0, rs[best]-lead)
		to = min(total, from+snippetWidth)
		if to-from < snippetWidth {
			from = max(0, to-snippetWidth)
		}
		if re[best] > to {
			to = re[best]
		}
	}
	// Byte offsets of the window.
	bFrom, bTo := byteAt(text, from), byteAt(text, to)
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	pos := bFrom
	for _, s := range spans {
		if s.end <= bFrom || s.start >= bTo {
			continue
		}
		st, en := max(s.start, bFrom), min(s.end, bTo)
		if st > pos {
			writeEscaped(&b, text[pos:st])
		}
		b.WriteString("<mark>")
		writeEscaped(&b, text[st:en])
		b.WriteString("</mark>")
		pos = en
	}
	if pos < bTo {
		writeEscaped(&b, text[pos:bTo])
	}
	if to < total {
		b.WriteString("…")
	}
	return strings.TrimSpace(b.String())
}

func byteAt(text string, runeIdx int) int {
	if runeIdx <= 0 {
		return 0
	}
	n := 0
	for i := range text {
		if n == runeIdx {
			return i
		}
		n++
	}
	return len(text)
}

// mergeSpans sorts spans and joins those that overlap or touch.
func mergeSpans(spans []span) []span {
	if len(spans) == 0 {
		return nil
	}
	s := append([]span(nil), spans...)
	sort.Slice(s, func(i, j int) bool { return s[i].start < s[j].start })
	out := s[:1]
	for _, x := range s[1:] {
		last := &out[len(out)-1]
		if x.start <= last.end {
			if x.end > last.end {
				last.end = x.end
			}
			continue
		}
		out = append(out, x)
	}
	return out
}

// writeEscaped writes text HTML-escaped with every run of white space as
// one space.
func writeEscaped(b *strings.Builder, text string) {
	space := false
	start := 0
	flush := func(end int) {
		if end > start {
			b.WriteString(html.EscapeString(text[start:end]))
		}
	}
	for i, r := range text {
		if unicode.IsSpace(r) {
			if !space {
				flush(i)
				b.WriteByte(' ')
				space = true
			}
			start = i + utf8.RuneLen(r)
			continue
		}
		space = false
	}
	flush(len(text))
}
