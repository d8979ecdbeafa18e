package search

import (
	"sort"
	"strconv"
	"strings"
)

// field is a part of an indexed document. Both databases keep the same four:
// SQLite as the columns of an FTS5 table, PostgreSQL as the weights A–D of
// one tsvector.
type field uint8

const (
	fTitle field = iota // subject, name, order number, tags: weight A
	fIDs                // identifiers (e-mail addresses, numbers and their suffixes): weight B
	fUni                // every CJK character on its own, for one-character searches: weight C
	fBody               // messages, notes, everything else: weight D
	numFields
)

// Caps on one document, so that a ticket with a thousand-message thread
// stays a reasonable row. What is beyond them is not searchable.
const (
	maxStreamTokens = 20000
	maxIDTokens     = 4000
)

// doc is one thing to index, as token streams per field. Words, numbers
// and CJK bigrams (a lone CJK character stands for itself) go to the title
// or body stream in order, so phrases can be matched by position; CJK
// characters also go to the uni stream and identifiers to the ids stream.
type doc struct {
	streams [numFields][]string
}

// add indexes text under f, which is fTitle or fBody.
func (d *doc) add(f field, text string) {
	ts := analyze(text)
	if len(ts) == 0 {
		return
	}
	main := d.streams[f]
	uni := d.streams[fUni]
	ids := d.streams[fIDs]
	pending := "" // a CJK character that is a bigram's start unless the run ends with it
	flush := func() {
		if pending != "" {
			main = append(main, pending)
			pending = ""
		}
	}
	for i, t := range ts {
		switch t.kind {
		case tCJK:
			uni = append(uni, t.text)
			if t.join && i > 0 {
				pending = ""
				main = append(main, ts[i-1].text+t.text)
			} else {
				flush()
				pending = t.text
			}
		case tWord, tNum:
			flush()
			main = append(main, t.text)
		case tEmail:
			ids = append(ids, t.text)
		}
	}
	flush()
	digitClusters(ts, func(digits string, _, _ int) {
		idTokens(digits, func(s string) { ids = append(ids, s) })
	})
	d.streams[f] = capTokens(main, maxStreamTokens)
	d.streams[fUni] = capTokens(uni, maxStreamTokens)
	d.streams[fIDs] = capTokens(ids, maxIDTokens)
}

func capTokens(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// fts5 renders the document as the four columns of an FTS5 table that
// splits on spaces (the "ascii" tokenizer with the characters of e-mail
// addresses as token characters).
func (d *doc) fts5() [numFields]string {
	var cols [numFields]string
	for f := range cols {
		cols[f] = strings.Join(d.streams[f], " ")
	}
	return cols
}

// PostgreSQL keeps positions from 1 to 16383 and at most 256 per lexeme.
const (
	pgMaxPos        = 16383
	pgMaxLexemePos  = 256
	pgFieldGap      = 8 // so that no phrase matches across fields
	pgWeightLetters = "ABCD"
)

// tsvector renders the document as a PostgreSQL tsvector literal with
// explicit positions and weights, so that PostgreSQL's own parser never
// re-splits what this package tokenised.
func (d *doc) tsvector() string {
	type entry struct {
		pos []uint16 // position<<2 | weight
	}
	lex := make(map[string]*entry, 256)
	pos := 0
	for _, f := range []field{fTitle, fBody, fIDs, fUni} {
		w := uint16(f) // A=0 … D=3, as the fields are numbered
		for _, tok := range d.streams[f] {
			if pos < pgMaxPos {
				pos++
			}
			e := lex[tok]
			if e == nil {
				e = &entry{}
				lex[tok] = e
			}
			if len(e.pos) < pgMaxLexemePos {
				p := uint16(pos)<<2 | w
				if n := len(e.pos); n == 0 || e.pos[n-1]>>2 != uint16(pos) {
					e.pos = append(e.pos, p)
				}
			}
		}
		pos += pgFieldGap
		if pos > pgMaxPos {
			pos = pgMaxPos
		}
	}
	keys := make([]string, 0, len(lex))
	for k := range lex {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		writePGQuoted(&b, k)
		b.WriteByte(':')
		for j, p := range lex[k].pos {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(int(p >> 2)))
			if w := p & 3; w != 3 {
				b.WriteByte(pgWeightLetters[w])
			}
		}
	}
	return b.String()
}

// writePGQuoted writes a lexeme quoted for tsvector and tsquery input.
func writePGQuoted(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
}
