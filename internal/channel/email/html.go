package email

import (
	"strings"

	"golang.org/x/net/html"
)

// htmlToText renders HTML as plain text for the text body of HTML-only mail:
// blocks become lines, list items get a dash, quoted blocks are prefixed with
// "> " (so folding finds them), links keep their address, and scripts,
// styles and the head are dropped.
func htmlToText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	skip := 0  // inside script, style, head, title
	quote := 0 // blockquote depth
	pre := 0   // inside pre
	atLineStart := true
	pendingSpace := false
	var href []string
	newline := func() {
		b.WriteByte('\n')
		atLineStart = true
		pendingSpace = false
	}
	blank := func() {
		s := b.String()
		if s == "" || strings.HasSuffix(s, "\n\n") {
			atLineStart = true
			return
		}
		if !strings.HasSuffix(s, "\n") {
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
		atLineStart = true
		pendingSpace = false
	}
	write := func(t string) {
		if t == "" {
			return
		}
		if atLineStart {
			for i := 0; i < quote; i++ {
				b.WriteString("> ")
			}
			atLineStart = false
		} else if pendingSpace {
			b.WriteByte(' ')
		}
		pendingSpace = false
		b.WriteString(t)
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return cleanText(collapseBlankLines(b.String()))
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := string(z.Text())
			if pre > 0 {
				lines := strings.Split(t, "\n")
				for i, l := range lines {
					if i > 0 {
						newline()
					}
					write(l)
				}
				continue
			}
			lead := len(t) > 0 && isSpace(t[0])
			trail := len(t) > 0 && isSpace(t[len(t)-1])
			words := strings.Fields(t)
			if len(words) == 0 {
				if lead && !atLineStart {
					pendingSpace = true
				}
				continue
			}
			if lead && !atLineStart {
				pendingSpace = true
			}
			write(strings.Join(words, " "))
			pendingSpace = trail
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			start := tt != html.EndTagToken
			switch tag {
			case "script", "style", "head", "title", "noscript", "template":
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case "br":
				if skip == 0 {
					if atLineStart && quote > 0 {
						write("")
						for i := 0; i < quote; i++ {
							b.WriteString("> ")
						}
					}
					newline()
				}
			case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "section", "article", "header", "footer", "center":
				if skip == 0 {
					if tag == "div" || tag == "table" {
						if !atLineStart {
							newline()
						}
					} else {
						blank()
					}
				}
			case "tr":
				if skip == 0 && !atLineStart {
					newline()
				}
			case "td", "th":
				if skip == 0 && start && !atLineStart {
					pendingSpace = true
					write("\t")
					pendingSpace = false
				}
			case "li":
				if skip == 0 {
					if !atLineStart {
						newline()
					}
					if start {
						write("- ")
					}
				}
			case "hr":
				if skip == 0 {
					if !atLineStart {
						newline()
					}
					write("----------")
					newline()
				}
			case "pre":
				if start {
					pre++
				} else if pre > 0 {
					pre--
				}
				if skip == 0 && !atLineStart {
					newline()
				}
			case "blockquote":
				if skip == 0 && !atLineStart {
					newline()
				}
				if start {
					quote++
				} else if quote > 0 {
					quote--
				}
			case "a":
				if start && hasAttr {
					link := ""
					for {
						k, v, more := z.TagAttr()
						if string(k) == "href" {
							link = string(v)
						}
						if !more {
							break
						}
					}
					href = append(href, link)
				} else if !start && len(href) > 0 {
					link := href[len(href)-1]
					href = href[:len(href)-1]
					if (strings.HasPrefix(link, "http://") || strings.HasPrefix(link, "https://")) && !strings.HasSuffix(b.String(), link) {
						write("<" + link + ">")
					}
				} else if start {
					href = append(href, "")
				}
			case "img":
				if skip == 0 && hasAttr {
					for {
						k, v, more := z.TagAttr()
						if string(k) == "alt" && strings.TrimSpace(string(v)) != "" {
							write("[" + strings.TrimSpace(string(v)) + "]")
						}
						if !more {
							break
						}
					}
				}
			}
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// collapseBlankLines keeps at most one empty line between paragraphs.
func collapseBlankLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		if strings.TrimSpace(strings.Trim(l, "> ")) == "" && strings.TrimSpace(l) == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, strings.TrimRight(l, " \t"))
	}
	return strings.Join(out, "\n")
}
