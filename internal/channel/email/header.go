package email

import (
	"bytes"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Field is one header field as it came, unfolded but not decoded.
type Field struct {
	Name  string
	Value string
}

// Header is a mail or MIME part header in order. Lookups ignore case.
type Header []Field

// Get returns the first raw value of a field, or "".
func (h Header) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Has reports whether the field is present.
func (h Header) Has(name string) bool {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}

// Text returns the first value of a field, decoded (RFC 2047, raw 8-bit).
func (h Header) Text(name string) string { return decodeWords(h.Get(name)) }

// splitHeader separates the header block from the body at the first empty
// line. A message without an empty line is all header when every line looks
// like a field, otherwise all body.
func splitHeader(raw []byte) (head, body []byte) {
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		return raw[:i+1], raw[i+2:]
	}
	return raw, nil
}

// parseHeader reads a header block (LF line ends). Lines that are neither a
// field nor a continuation are counted in bad and skipped.
func parseHeader(block []byte) (h Header, bad int) {
	lines := strings.Split(string(block), "\n")
	for i, line := range lines {
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(h) == 0 {
				bad++
				continue
			}
			// Unfold: keep one space where the line was broken.
			h[len(h)-1].Value += " " + strings.TrimLeft(line, " \t")
			continue
		}
		if i == 0 && strings.HasPrefix(line, "From ") {
			continue // mbox separator
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimRight(name, " \t")
		if !ok || name == "" || strings.ContainsAny(name, " \t<>\"") {
			bad++
			continue
		}
		h = append(h, Field{Name: name, Value: strings.TrimSpace(value)})
	}
	for i := range h {
		h[i].Value = strings.TrimSpace(h[i].Value)
	}
	return h, bad
}

// looksLikeHeader reports whether a block starts like a mail header.
func looksLikeHeader(block []byte) bool {
	line, _, _ := bytes.Cut(block, []byte("\n"))
	if bytes.HasPrefix(line, []byte("From ")) {
		return true
	}
	name, _, ok := bytes.Cut(line, []byte(":"))
	return ok && len(name) > 0 && len(name) < 80 && !bytes.ContainsAny(name, " \t<>\"")
}

var encodedWord = regexp.MustCompile(`=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=`)

// decodeWords decodes RFC 2047 encoded words leniently: inside quotes, glued
// to other text, split in the middle of a multi-byte character across two
// words (common with GBK), and with raw 8-bit text around them.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return collapseSpace(headerText(s))
	}
	var out strings.Builder
	var pending []byte // bytes of adjacent words in one charset, decoded together
	var pendingCS string
	flush := func() {
		if pending != nil {
			t, _ := decodeCharset(pending, pendingCS)
			out.WriteString(t)
			pending, pendingCS = nil, ""
		}
	}
	last := 0
	for _, m := range encodedWord.FindAllStringSubmatchIndex(s, -1) {
		between := s[last:m[0]]
		// Whitespace between two encoded words is not part of the text.
		if !(pending != nil && strings.TrimSpace(between) == "") {
			flush()
			out.WriteString(headerText(between))
		}
		cs := s[m[2]:m[3]]
		if i := strings.IndexByte(cs, '*'); i >= 0 {
			cs = cs[:i] // RFC 2231 language suffix
		}
		b := wordBytes(s[m[4]:m[5]], s[m[6]:m[7]])
		if pending != nil && !strings.EqualFold(cs, pendingCS) {
			flush()
		}
		pending = append(pending, b...)
		pendingCS = cs
		last = m[1]
	}
	flush()
	out.WriteString(headerText(s[last:]))
	return collapseSpace(out.String())
}

func wordBytes(enc, text string) []byte {
	if enc == "b" || enc == "B" {
		b, _ := decodeBase64([]byte(text))
		return b
	}
	b, _ := decodeQP([]byte(strings.ReplaceAll(text, "_", " ")))
	return b
}

// collapseSpace trims and folds runs of blanks, tabs and control characters.
func collapseSpace(s string) string {
	if !strings.ContainsAny(s, "\t\r\n\x00  ") {
		return strings.TrimSpace(s)
	}
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == 0 })
	return strings.Join(f, " ")
}

// mediaType splits a Content-Type or Content-Disposition value into its
// lower-case value and parameters, tolerating what mime.ParseMediaType
// refuses: missing quotes, duplicates, stray semicolons, and RFC 2231
// continuations in any charset.
func mediaType(v string) (string, map[string]string) {
	parts := splitParams(v)
	typ := ""
	if len(parts) > 0 {
		typ = strings.ToLower(strings.TrimSpace(parts[0]))
		parts = parts[1:]
	}
	params := map[string]string{}
	type cont struct {
		text    string
		encoded bool
	}
	conts := map[string]map[int]cont{}
	for _, p := range parts {
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.TrimSpace(val)
		quoted := len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"'
		if quoted {
			val = unquote(val[1 : len(val)-1])
		} else {
			val = strings.Trim(val, `"`)
		}
		// name*0*=, name*1=, name*=
		if i := strings.IndexByte(k, '*'); i >= 0 {
			base, rest := k[:i], k[i+1:]
			encoded := strings.HasSuffix(rest, "*") || rest == ""
			rest = strings.TrimSuffix(rest, "*")
			n := 0
			if rest != "" {
				for _, c := range rest {
					if c < '0' || c > '9' {
						n = -1
						break
					}
					n = n*10 + int(c-'0')
				}
				if n < 0 || n > 1000 {
					continue
				}
			}
			if conts[base] == nil {
				conts[base] = map[int]cont{}
			}
			conts[base][n] = cont{val, encoded}
			continue
		}
		if _, dup := params[k]; !dup {
			params[k] = val
		}
	}
	for base, cs := range conts {
		var raw []byte
		charset := ""
		for i := 0; i <= 1000; i++ {
			c, ok := cs[i]
			if !ok {
				break
			}
			text := c.text
			if c.encoded {
				if i == 0 {
					// charset'language'value
					if a := strings.IndexByte(text, '\''); a >= 0 {
						if b := strings.IndexByte(text[a+1:], '\''); b >= 0 {
							charset = text[:a]
							text = text[a+1+b+1:]
						}
					}
				}
				raw = append(raw, percentDecode(text)...)
			} else {
				raw = append(raw, text...)
			}
		}
		if len(raw) > 0 {
			s, _ := decodeCharset(raw, charset)
			params[base] = s // the extended value wins over a plain one
		}
	}
	return typ, params
}

// splitParams splits on semicolons outside quotes.
func splitParams(v string) []string {
	var parts []string
	var cur strings.Builder
	inQ := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && inQ && i+1 < len(v):
			cur.WriteByte(c)
			cur.WriteByte(v[i+1])
			i++
		case c == '"':
			inQ = !inQ
			cur.WriteByte(c)
		case c == ';' && !inQ:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" || len(parts) == 0 {
		parts = append(parts, cur.String())
	}
	return parts
}

func unquote(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

// Address is a mailbox: a display name and an address.
type Address struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

var bareAddr = regexp.MustCompile(`[A-Za-z0-9._%+\-=#!$&'*/?^{|}~]+@[A-Za-z0-9.\-]+[A-Za-z0-9]`)

// parseAddressList reads an address header. It tries the strict RFC 5322
// parser first and falls back to picking out anything shaped like an
// address, with the text before it as the name.
func parseAddressList(raw string) []Address {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	// The strict parser decodes encoded words one by one and refuses
	// charsets it does not know; ours decodes them together (see decodeWords).
	if list, err := mail.ParseAddressList(raw); err == nil && !strings.Contains(raw, "=?") && utf8.ValidString(raw) {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, Address{Name: decodeWords(a.Name), Email: strings.ToLower(a.Address)})
		}
		return out
	}
	var out []Address
	for _, piece := range splitAddresses(raw) {
		loc := bareAddr.FindStringIndex(piece)
		if loc == nil {
			continue
		}
		name := piece[:loc[0]]
		name = strings.TrimRight(strings.TrimSpace(name), "<")
		name = strings.Trim(strings.TrimSpace(name), `"' `)
		out = append(out, Address{Name: decodeWords(name), Email: strings.ToLower(piece[loc[0]:loc[1]])})
	}
	return out
}

// splitAddresses splits an address list on commas outside quotes and angle brackets.
func splitAddresses(s string) []string {
	var parts []string
	depth, inQ, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQ = !inQ
		case '<':
			depth++
		case '>':
			if depth > 0 {
				depth--
			}
		case ',', ';':
			if !inQ && depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

var msgIDRe = regexp.MustCompile(`<([^<>\s]+)>`)

// messageIDs reads the ids of a References or In-Reply-To header, with or
// without angle brackets.
func messageIDs(v string) []string {
	var ids []string
	for _, m := range msgIDRe.FindAllStringSubmatch(v, -1) {
		ids = append(ids, m[1])
	}
	if len(ids) == 0 {
		for _, f := range strings.Fields(v) {
			if strings.Contains(f, "@") {
				ids = append(ids, strings.Trim(f, "<>,;\"'"))
			}
		}
	}
	return ids
}

// messageID reads a Message-ID header's one id.
func messageID(v string) string {
	ids := messageIDs(v)
	if len(ids) == 0 {
		return strings.Trim(strings.TrimSpace(v), "<>")
	}
	return ids[0]
}
