// Package email is kefu's email channel: it reads support mailboxes over
// IMAP (and mail forwarded to kefu's own SMTP listener), turns every mail into
// a ticket or a message on the right ticket, and sends agents' replies by
// SMTP so that they thread in the customer's mail program. The parser never
// gives up on a mail: whatever the charset or however broken the MIME, it
// returns the best reading it can and says what was wrong, and the raw mail
// is always kept.
package email

import (
	"bytes"
	"fmt"
	"mime"
	"net/mail"
	"path"
	"regexp"
	"strings"
	"time"
)

// Limits that keep a hostile mail from costing more than a normal one.
const (
	maxDepth = 30   // nesting of multiparts and attached mails
	maxParts = 1000 // MIME parts in one mail
)

// Mail is what kefu reads from one raw mail.
type Mail struct {
	Header     Header
	MessageID  string   // without angle brackets; "" when the sender gave none
	InReplyTo  []string // ids, without angle brackets
	References []string
	Subject    string
	From       Address
	ReplyTo    []Address
	To, Cc     []Address
	Date       time.Time // zero when missing or unreadable
	Text       string    // the plain-text body, from text/plain or derived from the HTML
	HTML       string    // the HTML body as sent (not yet sanitised); "" when none
	Parts      []Part    // attachments and inline resources, in order
	// QuoteAt is the byte offset in Text where quoted history or a
	// signature starts, for folding in the display; 0 when there is none.
	QuoteAt int
	// Report is the delivery status of a bounce (RFC 3464), nil otherwise.
	Report *Report
	// Problems lists what was wrong with the mail; the reading above is the
	// best one despite them.
	Problems []string
	// Structured reports whether the mail had a readable header at all.
	Structured bool
}

// Part is an attachment or an inline resource (an image shown in the HTML
// through "cid:").
type Part struct {
	Filename    string
	ContentType string // as declared by the sender, lower case
	ContentID   string // without angle brackets
	Inline      bool
	Data        []byte
}

// Report is what a delivery status notification says about the failed mail.
type Report struct {
	Action            string // failed, delayed, delivered, relayed, expanded
	Status            string // e.g. 5.1.1
	Diagnostic        string // the remote server's words
	Recipient         string
	OriginalMessageID string // the Message-ID of the mail that bounced
}

// Failed reports whether the report says the mail was not delivered.
func (r *Report) Failed() bool {
	return r != nil && (r.Action == "failed" || strings.HasPrefix(r.Status, "5"))
}

// Parse reads a raw mail. It never fails: a mail it cannot make sense of
// comes back with what could be read, Structured false and its problems
// listed.
func Parse(raw []byte) *Mail {
	m := &Mail{}
	data := normalizeNewlines(raw)
	head, body := splitHeader(data)
	if !looksLikeHeader(head) {
		m.problem("no mail header: the whole mail is read as text")
		w := &walker{m: m}
		c := &collector{}
		w.walk(nil, data, 0, c)
		w.finish(c)
		return m
	}
	h, bad := parseHeader(head)
	if bad > 0 {
		m.problem(fmt.Sprintf("%d malformed header line(s) skipped", bad))
	}
	m.Header = h
	m.Structured = true
	m.readEnvelope()
	w := &walker{m: m}
	c := &collector{}
	w.walk(h, body, 0, c)
	w.finish(c)
	if m.From.Email == "" {
		m.problem("no sender address")
	}
	return m
}

func (m *Mail) problem(p string) {
	if len(m.Problems) < 50 {
		m.Problems = append(m.Problems, p)
	}
}

func (m *Mail) readEnvelope() {
	h := m.Header
	m.Subject = h.Text("Subject")
	m.MessageID = messageID(h.Get("Message-ID"))
	m.InReplyTo = messageIDs(h.Get("In-Reply-To"))
	m.References = messageIDs(h.Get("References"))
	if from := parseAddressList(h.Get("From")); len(from) > 0 {
		m.From = from[0]
	} else if s := parseAddressList(h.Get("Sender")); len(s) > 0 {
		m.From = s[0]
	} else if rp := parseAddressList(h.Get("Return-Path")); len(rp) > 0 {
		m.From = rp[0]
	}
	m.ReplyTo = parseAddressList(h.Get("Reply-To"))
	m.To = parseAddressList(h.Get("To"))
	m.Cc = parseAddressList(h.Get("Cc"))
	if d := h.Get("Date"); d != "" {
		if t, err := mail.ParseDate(d); err == nil {
			m.Date = t.UTC()
		} else {
			m.problem("unreadable Date: " + truncate(d, 60))
		}
	}
}

// collector gathers the readable pieces of one branch of the MIME tree.
type collector struct {
	text  []string
	html  []string
	parts []Part
}

type walker struct {
	m     *Mail
	parts int
}

func (w *walker) finish(c *collector) {
	m := w.m
	m.Parts = c.parts
	m.HTML = strings.TrimSpace(strings.Join(c.html, "\n"))
	text := strings.Join(c.text, "\n\n")
	if strings.TrimSpace(text) == "" && m.HTML != "" {
		text = htmlToText(m.HTML)
	}
	m.Text = cleanText(text)
	m.QuoteAt = findQuote(m.Text)
}

// cleanText trims trailing blanks from lines and blank lines from both ends.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1 // control characters: never text a person wrote
		}
		return r
	}, s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\u00a0")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

// walk reads one entity (h may be nil: defaults apply) into c.
func (w *walker) walk(h Header, body []byte, depth int, c *collector) {
	w.parts++
	if w.parts > maxParts {
		if w.parts == maxParts+1 {
			w.m.problem("too many MIME parts; the rest is only in the original mail")
		}
		return
	}
	rawType := h.Get("Content-Type")
	ctype, params := mediaType(rawType)
	if !strings.Contains(ctype, "/") {
		if rawType != "" {
			w.m.problem("unreadable Content-Type " + truncate(rawType, 60))
		}
		ctype = "text/plain"
	}
	disp, dparams := mediaType(h.Get("Content-Disposition"))
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	filename = cleanFilename(decodeWords(filename))
	attached := disp == "attachment"

	if strings.HasPrefix(ctype, "multipart/") {
		if depth < maxDepth {
			w.multipart(ctype, params, body, depth, c)
			return
		}
		w.m.problem("MIME parts nested too deep; the innermost are kept as an attachment")
	}
	data, ok := decodeTransfer(body, h.Get("Content-Transfer-Encoding"))
	if !ok {
		w.m.problem("damaged " + strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) + " content in a " + ctype + " part")
	}
	switch {
	case (ctype == "text/plain" || ctype == "text/html" || ctype == "text/enriched" || ctype == "text/markdown") && !attached && (filename == "" || disp == "inline"):
		text, ok := decodeCharset(data, charsetOf(ctype, params, data))
		if !ok && len(data) > 0 && params["charset"] != "" {
			w.m.problem("text does not read cleanly in its declared charset " + params["charset"])
		}
		if ctype == "text/html" {
			c.html = append(c.html, text)
		} else {
			c.text = append(c.text, text)
		}
	case (ctype == "message/rfc822" || ctype == "message/global") && depth < maxDepth:
		inner := Parse(data)
		name := filename
		if name == "" {
			name = cleanFilename(inner.Subject)
			if name == "" {
				name = "message"
			}
			name += ".eml"
		}
		c.parts = append(c.parts, Part{Filename: name, ContentType: "message/rfc822", Data: data})
		if !attached {
			c.text = append(c.text, forwardedText(inner))
		}
	case ctype == "message/delivery-status" || ctype == "message/global-delivery-status":
		w.deliveryStatus(data)
	case ctype == "text/rfc822-headers" || ctype == "message/rfc822-headers":
		oh, _ := parseHeader(normalizeNewlines(data))
		w.report().OriginalMessageID = messageID(oh.Get("Message-ID"))
		c.text = append(c.text, "") // keeps paragraphs apart; the headers stay in the original
	default:
		cid := strings.Trim(strings.TrimSpace(h.Get("Content-ID")), "<>")
		if filename == "" {
			filename = defaultFilename(ctype, len(c.parts)+1)
		}
		c.parts = append(c.parts, Part{Filename: filename, ContentType: ctype, ContentID: cid,
			Inline: disp == "inline" || (cid != "" && !attached), Data: data})
	}
}

func (w *walker) multipart(ctype string, params map[string]string, body []byte, depth int, c *collector) {
	boundary := params["boundary"]
	if boundary == "" {
		boundary = guessBoundary(body)
		if boundary == "" {
			w.m.problem(ctype + " without a boundary: read as text")
			text, _ := decodeCharset(body, "")
			c.text = append(c.text, text)
			return
		}
		w.m.problem(ctype + " without a boundary parameter; found one in the body")
	}
	children, closed := splitMultipart(body, boundary)
	if len(children) == 0 {
		if g := guessBoundary(body); g != "" && g != boundary {
			if children, closed = splitMultipart(body, g); len(children) > 0 {
				w.m.problem(ctype + ": the declared boundary never appears; used the one found in the body")
			}
		}
	}
	if len(children) == 0 {
		w.m.problem(ctype + ": boundary never appears: read as text")
		text, _ := decodeCharset(body, "")
		c.text = append(c.text, text)
		return
	}
	if !closed {
		w.m.problem(ctype + ": the closing boundary is missing")
	}
	switch ctype {
	case "multipart/alternative":
		// The plain alternative is the text as the sender wrote it; the last
		// HTML alternative is the richest rendering.
		var plain, rich *collector
		for _, ch := range children {
			cc := &collector{}
			w.walk(ch.h, ch.body, depth+1, cc)
			hasText := strings.TrimSpace(strings.Join(cc.text, "")) != ""
			if hasText && len(cc.html) == 0 && plain == nil {
				plain = cc
			}
			if len(cc.html) > 0 {
				rich = cc
			}
			c.parts = append(c.parts, cc.parts...)
		}
		switch {
		case plain != nil:
			c.text = append(c.text, plain.text...)
		case rich != nil:
			c.text = append(c.text, htmlToText(strings.Join(rich.html, "\n")))
		}
		if rich != nil {
			c.html = append(c.html, rich.html...)
		}
	case "multipart/related":
		start := strings.Trim(params["start"], "<> ")
		root := 0
		if start != "" {
			for i, ch := range children {
				if strings.Trim(strings.TrimSpace(ch.h.Get("Content-ID")), "<>") == start {
					root = i
				}
			}
		}
		for i, ch := range children {
			if i == root {
				w.walk(ch.h, ch.body, depth+1, c)
				continue
			}
			cc := &collector{}
			w.walk(ch.h, ch.body, depth+1, cc)
			for _, p := range cc.parts {
				if p.ContentID != "" {
					p.Inline = true
				}
				c.parts = append(c.parts, p)
			}
			c.text = append(c.text, cc.text...)
			c.html = append(c.html, cc.html...)
		}
	default: // mixed, report, signed, digest and anything unknown
		for _, ch := range children {
			h := ch.h
			if ctype == "multipart/digest" && h.Get("Content-Type") == "" {
				h = append(Header{{Name: "Content-Type", Value: "message/rfc822"}}, h...)
			}
			w.walk(h, ch.body, depth+1, c)
		}
	}
}

func (w *walker) report() *Report {
	if w.m.Report == nil {
		w.m.Report = &Report{}
	}
	return w.m.Report
}

// deliveryStatus reads a message/delivery-status part: per-message fields,
// then per-recipient fields, each a header-like block.
func (w *walker) deliveryStatus(data []byte) {
	r := w.report()
	for _, block := range bytes.Split(normalizeNewlines(data), []byte("\n\n")) {
		h, _ := parseHeader(block)
		if v := h.Get("Action"); v != "" && r.Action == "" {
			r.Action = strings.ToLower(strings.TrimSpace(v))
		}
		if v := h.Get("Status"); v != "" && r.Status == "" {
			r.Status = strings.TrimSpace(v)
		}
		if v := h.Get("Diagnostic-Code"); v != "" && r.Diagnostic == "" {
			r.Diagnostic = afterType(v)
		}
		if v := h.Get("Final-Recipient"); v != "" && r.Recipient == "" {
			r.Recipient = strings.ToLower(afterType(v))
		}
	}
}

// afterType drops the "smtp;" or "rfc822;" type of a DSN field.
func afterType(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		return strings.TrimSpace(rest)
	}
	return strings.TrimSpace(v)
}

// forwardedText renders a mail forwarded inline so the agent reads it in place.
func forwardedText(in *Mail) string {
	var b strings.Builder
	b.WriteString("---------- Forwarded message ----------\n")
	if in.From.Email != "" {
		fmt.Fprintf(&b, "From: %s\n", formatAddress(in.From))
	}
	if !in.Date.IsZero() {
		fmt.Fprintf(&b, "Date: %s\n", in.Date.Format(time.RFC1123Z))
	}
	if in.Subject != "" {
		fmt.Fprintf(&b, "Subject: %s\n", in.Subject)
	}
	b.WriteString("\n")
	b.WriteString(in.Text)
	return b.String()
}

func formatAddress(a Address) string {
	if a.Name == "" {
		return a.Email
	}
	return a.Name + " <" + a.Email + ">"
}

type rawPart struct {
	h    Header
	body []byte
}

// splitMultipart cuts a multipart body at its boundary lines. closed is
// false when the closing boundary is missing (the last part then runs to
// the end).
func splitMultipart(body []byte, boundary string) (parts []rawPart, closed bool) {
	delim := []byte("--" + boundary)
	start := -1 // where the current part's content starts
	pos := 0
	add := func(end int) {
		if start < 0 {
			return
		}
		if end > start && body[end-1] == '\n' {
			end-- // the line break before a boundary belongs to it
		}
		if end < start {
			end = start
		}
		parts = append(parts, splitPart(body[start:end]))
	}
	for pos < len(body) {
		eol := bytes.IndexByte(body[pos:], '\n')
		lineEnd := len(body)
		next := len(body)
		if eol >= 0 {
			lineEnd = pos + eol
			next = lineEnd + 1
		}
		line := body[pos:lineEnd]
		if bytes.HasPrefix(line, delim) {
			rest := bytes.TrimRight(line[len(delim):], " \t")
			if len(rest) == 0 {
				add(pos)
				start = next
			} else if bytes.Equal(rest, []byte("--")) {
				add(pos)
				return parts, true
			}
		}
		pos = next
	}
	if start >= 0 {
		add(len(body))
	}
	return parts, false
}

// splitPart separates a part's header from its content.
func splitPart(p []byte) rawPart {
	if len(p) == 0 || p[0] == '\n' {
		if len(p) > 0 {
			p = p[1:]
		}
		return rawPart{body: p}
	}
	if !looksLikeHeader(p) {
		return rawPart{body: p}
	}
	head, body := splitHeader(p)
	h, _ := parseHeader(head)
	return rawPart{h: h, body: body}
}

// guessBoundary finds the boundary of a multipart whose header forgot it:
// the first line of the form "--token".
func guessBoundary(body []byte) string {
	for _, line := range bytes.SplitN(body, []byte("\n"), 50) {
		line = bytes.TrimRight(line, " \t")
		if len(line) > 3 && bytes.HasPrefix(line, []byte("--")) && !bytes.ContainsAny(line, " \t") && !bytes.HasSuffix(line, []byte("--")) {
			return string(line[2:])
		}
	}
	return ""
}

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)`)

// charsetOf is a text part's charset: its parameter, else an HTML meta tag.
func charsetOf(ctype string, params map[string]string, data []byte) string {
	if cs := params["charset"]; cs != "" {
		return cs
	}
	if ctype == "text/html" {
		head := data
		if len(head) > 2048 {
			head = head[:2048]
		}
		if m := metaCharset.FindSubmatch(head); m != nil {
			return string(m[1])
		}
	}
	return ""
}

// cleanFilename keeps a sender's file name safe to show and to save.
func cleanFilename(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f:
			return -1
		case r == '/' || r == '\\':
			return '_'
		}
		return r
	}, name)
	name = strings.TrimSpace(strings.Trim(name, `"`))
	if name == "." || name == ".." {
		return ""
	}
	if r := []rune(name); len(r) > 200 {
		ext := path.Ext(name)
		if len([]rune(ext)) > 20 {
			ext = ""
		}
		name = string(r[:200-len([]rune(ext))]) + ext
	}
	return name
}

func defaultFilename(ctype string, n int) string {
	ext := ""
	if exts, err := mime.ExtensionsByType(ctype); err == nil && len(exts) > 0 {
		ext = exts[0]
	}
	switch ctype {
	case "image/jpeg":
		ext = ".jpg"
	case "text/plain":
		ext = ".txt"
	case "application/octet-stream":
		ext = ".bin"
	}
	return fmt.Sprintf("attachment-%d%s", n, ext)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
