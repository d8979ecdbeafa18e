package search

import (
	"strings"
	"unicode"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// Query is a parsed search: free text, whose every part must match, and
// field prefixes that narrow it.
//
//	退款 物流            both words
//	"质量 问题"          an exact phrase (quotes: " “” 「」)
//	13800138000          a phone number; "138-0013-8000", "0013 8000" and "8000" too
//	customer:李娜        tickets (and orders) of customers matching 李娜; also 客户:
//	order:DD2026110301   tickets (and customers) with an order matching it; also 订单:
//	tag:七天无理由       tickets and customers with exactly this tag; also 标签:
//	status:open,pending  tickets in these statuses (English or 新建 处理中 待回复 挂起 已解决 已关闭); also 状态:
type Query struct {
	Text     []expr // all must match
	Customer []expr // customer: values, all must match the ticket's or order's customer
	Order    []expr // order: values, all must match the ticket's order or one of the customer's
	Tags     []string
	Statuses []kefu.Status

	patterns []pattern // what to highlight, and to reward when found whole
}

// Empty reports whether the query asks for nothing at all.
func (q *Query) Empty() bool {
	return len(q.Text) == 0 && len(q.Customer) == 0 && len(q.Order) == 0 && len(q.Tags) == 0 && len(q.Statuses) == 0
}

// expr is a full-text condition.
type expr interface{ isExpr() }

type termExpr struct {
	tok    string
	prefix bool // the token starts with tok (numbers: any part of a number)
}

type phraseExpr struct{ toks []string } // consecutive tokens

type andExpr []expr

func (termExpr) isExpr()   {}
func (phraseExpr) isExpr() {}
func (andExpr) isExpr()    {}

// pattern is a part of the query as it would appear in a text: a sequence
// of units to find in a row.
type pattern struct {
	units []unit
	whole bool // the query's own wording (an unsegmented Chinese run, a phrase)
}

type unit struct {
	text string
	kind termKind
}

// statusNames maps what agents type after status: to statuses.
var statusNames = map[string]kefu.Status{
	"new": kefu.StatusNew, "新建": kefu.StatusNew, "新": kefu.StatusNew, "新工单": kefu.StatusNew, "待处理": kefu.StatusNew,
	"open": kefu.StatusOpen, "处理中": kefu.StatusOpen, "进行中": kefu.StatusOpen, "打开": kefu.StatusOpen,
	"pending": kefu.StatusPending, "待回复": kefu.StatusPending, "等待客户": kefu.StatusPending, "等待": kefu.StatusPending, "待客户回复": kefu.StatusPending,
	"on_hold": kefu.StatusOnHold, "onhold": kefu.StatusOnHold, "hold": kefu.StatusOnHold, "挂起": kefu.StatusOnHold, "暂停": kefu.StatusOnHold,
	"solved": kefu.StatusSolved, "已解决": kefu.StatusSolved, "解决": kefu.StatusSolved,
	"closed": kefu.StatusClosed, "已关闭": kefu.StatusClosed, "关闭": kefu.StatusClosed,
}

// fieldNames maps field prefixes, in English and Chinese, to their field.
var fieldNames = map[string]string{
	"customer": "customer", "客户": "customer", "顾客": "customer",
	"order": "order", "订单": "order",
	"tag": "tag", "标签": "tag",
	"status": "status", "状态": "status",
}

// MaxQueryLen bounds a query, in characters.
const MaxQueryLen = 500

// Parse reads a query. It returns an error (wrapping kefu.ErrInvalid) for
// an unknown status.
func Parse(s string) (*Query, error) {
	rs := []rune(s)
	if len(rs) > MaxQueryLen {
		rs = rs[:MaxQueryLen]
	}
	orig := append([]rune(nil), rs...) // tags match as written
	for i, r := range rs {
		rs[i] = fold(r)
	}
	q := &Query{}
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		// A field prefix: name, colon, value.
		if name, n := fieldAt(rs[i:]); n > 0 {
			from, to, quoted, next := chunkAt(rs, i+n)
			i = next
			val := string(rs[from:to])
			if name == "tag" {
				val = string(orig[from:to])
			}
			if err := q.addField(name, val, quoted); err != nil {
				return nil, err
			}
			continue
		}
		from, to, quoted, next := chunkAt(rs, i)
		if !quoted {
			to, next = phoneGroups(rs, from, to, next)
		}
		i = next
		val := string(rs[from:to])
		if quoted {
			q.addPhrase(val, &q.Text)
		} else {
			q.addWords(val, &q.Text, true)
		}
	}
	q.dropStopWords()
	q.Text = capExprs(q.Text)
	q.Customer = capExprs(q.Customer)
	q.Order = capExprs(q.Order)
	return q, nil
}

// maxTerms bounds the conditions of one query: past a few dozen words a
// query is a pasted text, and each more condition only costs time.
const maxTerms = 32

func capExprs(es []expr) []expr {
	n := 0
	for i, e := range es {
		if a, ok := e.(andExpr); ok {
			n += len(a)
		} else {
			n++
		}
		if n > maxTerms {
			return es[:i]
		}
	}
	return es
}

// fieldAt recognises "name:" at the start of rs and returns the field and
// how many runes the prefix takes.
func fieldAt(rs []rune) (string, int) {
	for n := 1; n <= 8 && n < len(rs); n++ {
		if rs[n] == ':' {
			if f, ok := fieldNames[string(rs[:n])]; ok {
				return f, n + 1
			}
			return "", 0
		}
		if unicode.IsSpace(rs[n]) {
			return "", 0
		}
	}
	return "", 0
}

func isQuote(r rune) (closing rune, ok bool) {
	switch r {
	case '"':
		return '"', true
	case '“', '”':
		return '”', true
	case '「':
		return '」', true
	case '『':
		return '』', true
	}
	return 0, false
}

// chunkAt finds a quoted string or a run of non-space characters at rs[i]:
// its text is rs[from:to].
func chunkAt(rs []rune, i int) (from, to int, quoted bool, next int) {
	if i >= len(rs) {
		return i, i, false, i
	}
	if closing, ok := isQuote(rs[i]); ok {
		j := i + 1
		for j < len(rs) && rs[j] != closing && !(closing == '”' && rs[j] == '"') {
			j++
		}
		if j < len(rs) {
			return i + 1, j, true, j + 1
		}
		return i + 1, j, true, j
	}
	j := i
	for j < len(rs) && !unicode.IsSpace(rs[j]) {
		j++
	}
	return i, j, false, j
}

// phoneGroups extends a chunk of digits over the groups that follow it
// after single spaces when together they read as a phone number ("138 0013
// 8000": seven digits or more).
func phoneGroups(rs []rune, from, to, next int) (int, int) {
	allDigits := func(a, b int) bool {
		for k := a; k < b; k++ {
			if classOf(rs[k]) != cDigit && rs[k] != '-' && !(k == from && rs[k] == '+') {
				return false
			}
		}
		return b > a
	}
	if !allDigits(from, to) {
		return to, next
	}
	digits := to - from
	end := to
	for end+1 < len(rs) && rs[end] == ' ' && classOf(rs[end+1]) == cDigit {
		j := end + 1
		for j < len(rs) && !unicode.IsSpace(rs[j]) {
			j++
		}
		if !allDigits(end+1, j) {
			break
		}
		digits += j - end - 1
		end = j
	}
	if end == to || digits < 7 {
		return to, next
	}
	return end, end
}

// stripCountryCode turns +86 / 0086 mobile numbers into the eleven digits
// shops write (and identities store); the index also holds every suffix of
// a number, so the short form finds both.
func stripCountryCode(d string) string {
	for _, cc := range []string{"0086", "86"} {
		if rest, ok := strings.CutPrefix(d, cc); ok && len(rest) == 11 && rest[0] == '1' {
			return rest
		}
	}
	return d
}

func (q *Query) addField(name, val string, quoted bool) error {
	switch name {
	case "customer", "order":
		dst := &q.Customer
		if name == "order" {
			dst = &q.Order
		}
		if quoted {
			q.addPhrase(val, dst)
		} else {
			q.addWords(val, dst, false)
		}
	case "tag":
		if t := strings.TrimSpace(val); t != "" {
			q.Tags = append(q.Tags, t)
		}
	case "status":
		for _, v := range strings.FieldsFunc(val, func(r rune) bool { return r == ',' || r == '、' || r == '|' }) {
			st, ok := statusNames[strings.ToLower(strings.TrimSpace(v))]
			if !ok {
				return kefu.Invalid("q", "unknown status %q after status: (use new, open, pending, on_hold, solved or closed)", v)
			}
			q.Statuses = append(q.Statuses, st)
		}
	}
	return nil
}

// addPhrase adds a quoted phrase: its tokens in a row.
func (q *Query) addPhrase(val string, dst *[]expr) {
	var d doc
	d.add(fTitle, val)
	toks := d.streams[fTitle]
	switch len(toks) {
	case 0:
		return
	case 1:
		*dst = append(*dst, termExpr{tok: toks[0]})
	default:
		*dst = append(*dst, phraseExpr{toks: toks})
	}
	var p pattern
	for _, t := range analyze(val) {
		if t.kind != tEmail {
			p.units = append(p.units, unit{t.text, t.kind})
		}
	}
	p.whole = true
	q.patterns = append(q.patterns, p)
}

// addWords adds the terms of an unquoted chunk, each of which must match.
// wordsAreText says whether the chunk is free text (its stop words may be
// dropped) or a field value.
func (q *Query) addWords(val string, dst *[]expr, wordsAreText bool) {
	ts := analyze(val)
	// An e-mail address is searched whole; its words are not searched again.
	skip := make([]bool, len(ts))
	for _, t := range ts {
		if t.kind == tEmail {
			*dst = append(*dst, termExpr{tok: t.text})
			q.patterns = append(q.patterns, pattern{units: []unit{{t.text, tEmail}}, whole: true})
			for j := range ts {
				if ts[j].kind != tEmail && ts[j].start >= t.start && ts[j].end <= t.end {
					skip[j] = true
				}
			}
		}
	}
	// Numbers: the groups of one number ("138 0013 8000") go together.
	type cluster struct {
		digits string
		last   int
	}
	clusters := map[int]cluster{}
	digitClusters(ts, func(d string, first, last int) { clusters[first] = cluster{d, last} })
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		if skip[i] {
			continue
		}
		switch t.kind {
		case tNum:
			c := clusters[i]
			i = c.last
			c.digits = stripCountryCode(c.digits)
			if len(c.digits) >= minIDDigits {
				*dst = append(*dst, termExpr{tok: c.digits, prefix: true})
			} else {
				*dst = append(*dst, termExpr{tok: c.digits})
			}
			q.patterns = append(q.patterns, pattern{units: []unit{{c.digits, tNum}}, whole: true})
		case tWord:
			e := termExpr{tok: t.text}
			if wordsAreText && stopEN[t.text] {
				*dst = append(*dst, stopExpr{e})
			} else {
				*dst = append(*dst, e)
			}
			q.patterns = append(q.patterns, pattern{units: []unit{{t.text, tWord}}, whole: true})
		case tCJK:
			run := []string{t.text}
			for i+1 < len(ts) && ts[i+1].kind == tCJK && ts[i+1].join {
				i++
				run = append(run, ts[i].text)
			}
			q.addRun(run, dst, wordsAreText)
		}
	}
}

// addRun adds a run of CJK characters: each lexicon word (and each stretch
// between them) as bigrams that must all be there.
func (q *Query) addRun(run []string, dst *[]expr, wordsAreText bool) {
	whole := pattern{whole: true}
	for _, c := range run {
		whole.units = append(whole.units, unit{c, tCJK})
	}
	q.patterns = append(q.patterns, whole)
	segs := [][]string{run}
	if wordsAreText && len(run) > 2 {
		segs = segment(run)
	}
	for _, seg := range segs {
		if len(seg) == 1 {
			*dst = append(*dst, termExpr{tok: seg[0]})
		} else {
			var and andExpr
			for k := 0; k+1 < len(seg); k++ {
				and = append(and, termExpr{tok: seg[k] + seg[k+1]})
			}
			if len(and) == 1 {
				*dst = append(*dst, and[0])
			} else {
				*dst = append(*dst, and)
			}
		}
		if len(segs) > 1 {
			p := pattern{}
			for _, c := range seg {
				p.units = append(p.units, unit{c, tCJK})
			}
			q.patterns = append(q.patterns, p)
		}
	}
}

// stopExpr wraps an English stop word: dropped unless it is all there is.
type stopExpr struct{ termExpr }

func (q *Query) dropStopWords() {
	content := 0
	for _, e := range q.Text {
		if _, ok := e.(stopExpr); !ok {
			content++
		}
	}
	out := q.Text[:0]
	for _, e := range q.Text {
		if s, ok := e.(stopExpr); ok {
			if content > 0 {
				continue
			}
			e = s.termExpr
		}
		out = append(out, e)
	}
	q.Text = out
}

// FTS5 renders conditions as an FTS5 MATCH expression ("" for none).
func FTS5(es []expr) string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString(" AND ")
		}
		writeFTS5(&b, e)
	}
	return b.String()
}

func writeFTS5(b *strings.Builder, e expr) {
	switch e := e.(type) {
	case termExpr:
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(e.tok, `"`, `""`))
		b.WriteByte('"')
		if e.prefix {
			b.WriteString(" *")
		}
	case stopExpr:
		writeFTS5(b, e.termExpr)
	case phraseExpr:
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(strings.Join(e.toks, " "), `"`, `""`))
		b.WriteByte('"')
	case andExpr:
		b.WriteByte('(')
		for i, x := range e {
			if i > 0 {
				b.WriteString(" AND ")
			}
			writeFTS5(b, x)
		}
		b.WriteByte(')')
	}
}

// TSQuery renders conditions as a PostgreSQL tsquery literal ("" for none).
func TSQuery(es []expr) string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString(" & ")
		}
		writeTSQuery(&b, e)
	}
	return b.String()
}

func writeTSQuery(b *strings.Builder, e expr) {
	switch e := e.(type) {
	case termExpr:
		writePGQuoted(b, e.tok)
		if e.prefix {
			b.WriteString(":*")
		}
	case stopExpr:
		writeTSQuery(b, e.termExpr)
	case phraseExpr:
		b.WriteByte('(')
		for i, t := range e.toks {
			if i > 0 {
				b.WriteString(" <-> ")
			}
			writePGQuoted(b, t)
		}
		b.WriteByte(')')
	case andExpr:
		b.WriteByte('(')
		for i, x := range e {
			if i > 0 {
				b.WriteString(" & ")
			}
			writeTSQuery(b, x)
		}
		b.WriteByte(')')
	}
}
