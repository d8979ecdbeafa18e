package search

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"ＡＢＣ１２３＠ｘ．ｃｏｍ": "abc123@x.com",
		"申請退貨，質量問題":    "申请退货,质量问题",
		"帳號 賬戶 帐号":     "账号 账户 账号",
		"José Müller":  "jose muller",
		"iPhone　15":    "iphone 15",
	} {
		if got := foldString(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
	// Every pair of the table maps a character to another one.
	for tr, si := range t2s {
		if tr == si {
			t.Errorf("t2s maps %c to itself", tr)
		}
		if _, ok := t2s[si]; ok && si != '账' {
			t.Errorf("t2s maps %c to %c, which it maps again", tr, si)
		}
	}
}

func TestStem(t *testing.T) {
	groups := [][]string{
		{"refund", "refunds", "refunded", "refunding"},
		{"ship", "ships", "shipped", "shipping"},
		{"charge", "charged", "charging", "charges"},
		{"battery", "batteries"},
		{"box", "boxes"},
		{"damage", "damaged", "damages"},
		{"order", "orders", "ordered"},
	}
	for _, g := range groups {
		for _, w := range g[1:] {
			if stem(w) != stem(g[0]) {
				t.Errorf("stem(%q) = %q, stem(%q) = %q", w, stem(w), g[0], stem(g[0]))
			}
		}
	}
	for _, w := range []string{"is", "bus", "glass", "ios"} {
		if stem(w) == "" {
			t.Errorf("stem(%q) is empty", w)
		}
	}
}

func TestDocTokens(t *testing.T) {
	var d doc
	d.add(fTitle, "申请退货 iPhone15壳")
	d.add(fBody, "电话 +86 138-0013-8000，邮箱 Li.Na@Example.COM；单号 ＳＦ１２３４５６７")
	cols := d.fts5()
	for f, want := range map[field]string{
		fTitle: "申请 请退 退货 iphon 15 壳",
		fUni:   "申 请 退 货 壳 电 话 邮 箱 单 号",
		fBody:  "电话 86 138 0013 8000 邮箱 li na exampl com 单号 sf 1234567",
	} {
		if cols[f] != want {
			t.Errorf("field %d = %q, want %q", f, cols[f], want)
		}
	}
	ids := " " + cols[fIDs] + " "
	for _, tok := range []string{"li.na@example.com", "8613800138000", "13800138000", "00138000", "8000", "1234567", "4567"} {
		if !strings.Contains(ids, " "+tok+" ") {
			t.Errorf("ids %q lack %q", cols[fIDs], tok)
		}
	}
	tsv := d.tsvector()
	for _, want := range []string{"'申请':1A", "'li.na@example.com':", "'申':", "C"} {
		if !strings.Contains(tsv, want) {
			t.Errorf("tsvector %q lacks %q", tsv, want)
		}
	}
}

func TestTSVectorLimits(t *testing.T) {
	var d doc
	d.add(fBody, strings.Repeat("退款 ", 17000)+"最后")
	tsv := d.tsvector()
	if n := strings.Count(tsv, ","); n > pgMaxLexemePos {
		t.Errorf("a lexeme has %d positions", n)
	}
	if !strings.Contains(tsv, "'最后':16383") {
		t.Errorf("positions are not clamped: %.200s…", tsv)
	}
	d = doc{}
	d.add(fTitle, `it's a \back'slash`)
	if tsv := d.tsvector(); strings.Contains(tsv, `\`) || strings.Count(tsv, "'")%2 != 0 {
		t.Errorf("quoting: %s", tsv)
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct{ q, fts, ts string }{
		{"退款", `"退款"`, `'退款'`},
		{"色", `"色"`, `'色'`},
		{"衣服色差", `"衣服" AND "色差"`, `'衣服' & '色差'`},
		{"退款申请", `"退款" AND "申请"`, `'退款' & '申请'`},
		{"林小雨", `("林小" AND "小雨")`, `('林小' & '小雨')`},
		{"我的快递到了吗", `"快递"`, `'快递'`},
		{"你好", `"你好"`, `'你好'`},
		{"不想要了", `("不想" AND "想要")`, `('不想' & '想要')`},
		{"已经发货了", `"发货"`, `'发货'`},
		{"衣服有色差", `"衣服" AND "色差"`, `'衣服' & '色差'`},
		{"+86 150 2164 9137", `"15021649137" *`, `'15021649137':*`},
		{`"质量 问题"`, `"质量 问题"`, `('质量' <-> '问题')`},
		{`“有色差”`, `"有色 色差"`, `('有色' <-> '色差')`},
		{"Refunds for SHIPPING", `"refund" AND "ship"`, `'refund' & 'ship'`},
		{"the", `"the"`, `'the'`},
		{"138-0013-8000", `"13800138000" *`, `'13800138000':*`},
		{"138 0013 8000", `"13800138000" *`, `'13800138000':*`},
		{"iphone 15 2026", `"iphon" AND "15" AND "2026" *`, `'iphon' & '15' & '2026':*`},
		{"８０００", `"8000" *`, `'8000':*`},
		{"15", `"15"`, `'15'`},
		{"Li.Na@Example.com", `"li.na@example.com"`, `'li.na@example.com'`},
		{"DD2026110301", `"dd" AND "2026110301" *`, `'dd' & '2026110301':*`},
		{"TS-001-BLK", `"ts" AND "001" AND "blk"`, `'ts' & '001' & 'blk'`},
		{"#1042", `"1042" *`, `'1042':*`},
	} {
		q, err := Parse(c.q)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.q, err)
		}
		if got := FTS5(q.Text); got != c.fts {
			t.Errorf("FTS5(%q) = %s, want %s", c.q, got, c.fts)
		}
		if got := TSQuery(q.Text); got != c.ts {
			t.Errorf("TSQuery(%q) = %s, want %s", c.q, got, c.ts)
		}
	}
	q, err := Parse(`customer:"李 娜" 客户：13800138000 order:DD1 tag:VIP 标签:七天无理由 status:open,已解决 状态：挂起 物流`)
	if err != nil {
		t.Fatal(err)
	}
	if got := FTS5(q.Text); got != `"物流"` {
		t.Errorf("text %s", got)
	}
	if got := FTS5(q.Customer); got != `"李 娜" AND "13800138000" *` {
		t.Errorf("customer %s", got)
	}
	if got := FTS5(q.Order); got != `"dd" AND "1"` {
		t.Errorf("order %s", got)
	}
	if strings.Join(q.Tags, ",") != "VIP,七天无理由" || len(q.Statuses) != 3 {
		t.Errorf("tags %v statuses %v", q.Tags, q.Statuses)
	}
	if _, err := Parse("status:later"); err == nil {
		t.Error("unknown status accepted")
	}
	for _, s := range []string{"", "   ", `""`, "，。！", "status:"} {
		q, err := Parse(s)
		if err != nil || !q.Empty() {
			t.Errorf("Parse(%q) = %+v, %v; want empty", s, q, err)
		}
	}
	// A pasted text is cut to a bounded number of conditions.
	long, _ := Parse(strings.Repeat("退款 物流 refund ", 100))
	if n := strings.Count(FTS5(long.Text), `"`) / 2; n == 0 || n > maxTerms {
		t.Errorf("a long query has %d terms", n)
	}
	// Whatever is typed renders as valid syntax: quotes are never unbalanced.
	for _, s := range []string{`a"b`, `"unclosed`, `'; DROP TABLE x; --`, `\`, `*`, `NEAR(a b)`, `a OR b`, `-x`, `col:val`} {
		q, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if f := FTS5(q.Text); strings.Count(f, `"`)%2 != 0 {
			t.Errorf("FTS5(%q) = %s", s, f)
		}
	}
}

func TestSnippet(t *testing.T) {
	q, _ := Parse("衣服色差 8000 refund")
	text := "你好，我买的衣服有色差，<b>跟图片</b>不一样。\n\n电话 138-0013-8000. Please REFUNDED"
	got := snippet(text, q.find(text))
	want := "你好，我买的<mark>衣服</mark>有<mark>色差</mark>，&lt;b&gt;跟图片&lt;/b&gt;不一样。 电话 <mark>138-0013-8000</mark>. Please <mark>REFUNDED</mark>"
	if got != want {
		t.Errorf("snippet\n got %s\nwant %s", got, want)
	}
	long := strings.Repeat("无关的内容。", 40) + "这里有色差。" + strings.Repeat("其他内容。", 40)
	got = snippet(long, q.find(long))
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || !strings.Contains(got, "<mark>色差</mark>") {
		t.Errorf("long snippet: %s", got)
	}
	if n := len([]rune(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(got))); n > snippetWidth+2 {
		t.Errorf("snippet is %d characters", n)
	}
	if got := snippet("没有匹配", nil); got != "没有匹配" {
		t.Errorf("no match: %s", got)
	}
	// Traditional text is found and highlighted as written.
	q, _ = Parse("退货")
	if got := snippet("申請退貨", q.find("申請退貨")); got != "申請<mark>退貨</mark>" {
		t.Errorf("traditional: %s", got)
	}
}

func TestProgressBar(t *testing.T) {
	var b strings.Builder
	p := ProgressBar(&b, false)
	p("ticket", 0, 200)
	for i := 10; i <= 200; i += 10 {
		p("ticket", i, 200)
	}
	p("customer", 0, 0)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 12 || !strings.HasPrefix(lines[len(lines)-2], "tickets    [####################] 100%  200/200") || !strings.Contains(lines[len(lines)-1], "customers") {
		t.Errorf("progress:\n%s", b.String())
	}
	b.Reset()
	p = ProgressBar(&b, true)
	p("order", 5, 10)
	p("order", 10, 10)
	if out := b.String(); !strings.HasPrefix(out, "\rorders") || !strings.HasSuffix(out, "\n") || strings.Count(out, "\r") != 2 {
		t.Errorf("terminal progress: %q", out)
	}
}
