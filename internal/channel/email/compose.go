package email

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Outgoing is a mail kefu sends.
type Outgoing struct {
	From        Address
	To          []Address
	Subject     string
	MessageID   string   // without angle brackets
	InReplyTo   string   // the id of the mail this answers
	References  []string // the thread, oldest first
	Text        string
	HTML        string // optional; derived from Text when empty
	Attachments []Part
	// Automatic marks mail no person wrote (the acknowledgement): it carries
	// Auto-Submitted: auto-replied so other robots do not answer it.
	Automatic    bool
	TicketNumber int64
	Date         time.Time
}

// Compose renders the mail as RFC 5322 bytes with CRLF line ends: text and
// HTML as multipart/alternative, inside multipart/mixed when there are
// attachments.
func (o *Outgoing) Compose() []byte {
	var b bytes.Buffer
	hdr := func(k, v string) {
		b.WriteString(k)
		b.WriteString(": ")
		b.WriteString(v)
		b.WriteString("\r\n")
	}
	date := o.Date
	if date.IsZero() {
		date = time.Now()
	}
	hdr("Date", date.Format(time.RFC1123Z))
	hdr("From", encodeAddress(o.From))
	tos := make([]string, len(o.To))
	for i, a := range o.To {
		tos[i] = encodeAddress(a)
	}
	hdr("To", strings.Join(tos, ", "))
	hdr("Subject", encodeHeader(o.Subject))
	hdr("Message-ID", "<"+o.MessageID+">")
	if o.InReplyTo != "" {
		hdr("In-Reply-To", "<"+o.InReplyTo+">")
	}
	if len(o.References) > 0 {
		refs := o.References
		if len(refs) > 20 { // keep the first (the thread's root) and the latest
			refs = append([]string{refs[0]}, refs[len(refs)-19:]...)
		}
		wrapped := make([]string, len(refs))
		for i, r := range refs {
			wrapped[i] = "<" + r + ">"
		}
		hdr("References", strings.Join(wrapped, "\r\n "))
	}
	if o.Automatic {
		hdr("Auto-Submitted", "auto-replied")
		hdr("X-Auto-Response-Suppress", "All")
		hdr("Precedence", "auto_reply")
	}
	if o.TicketNumber > 0 {
		hdr("X-Kefu-Ticket", fmt.Sprint(o.TicketNumber))
	}
	hdr("MIME-Version", "1.0")

	text := o.Text
	htmlBody := o.HTML
	if htmlBody == "" {
		htmlBody = textToHTML(text)
	}
	alt := func(w *bytes.Buffer, boundary string) {
		fmt.Fprintf(w, "--%s\r\n", boundary)
		writeTextPart(w, "text/plain", text)
		fmt.Fprintf(w, "--%s\r\n", boundary)
		writeTextPart(w, "text/html", htmlBody)
		fmt.Fprintf(w, "--%s--\r\n", boundary)
	}
	altB := newBoundary()
	if len(o.Attachments) == 0 {
		hdr("Content-Type", `multipart/alternative; boundary="`+altB+`"`)
		b.WriteString("\r\n")
		alt(&b, altB)
		return b.Bytes()
	}
	mixB := newBoundary()
	hdr("Content-Type", `multipart/mixed; boundary="`+mixB+`"`)
	b.WriteString("\r\n")
	fmt.Fprintf(&b, "--%s\r\n", mixB)
	fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", altB)
	alt(&b, altB)
	for _, a := range o.Attachments {
		fmt.Fprintf(&b, "--%s\r\n", mixB)
		ctype := a.ContentType
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		name := encodeParam(a.Filename)
		fmt.Fprintf(&b, "Content-Type: %s; %s\r\n", ctype, strings.Replace(name, "filename", "name", 1))
		fmt.Fprintf(&b, "Content-Disposition: attachment; %s\r\n", name)
		b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			b.WriteString(enc[:76])
			b.WriteString("\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc)
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", mixB)
	return b.Bytes()
}

func writeTextPart(w *bytes.Buffer, ctype, body string) {
	fmt.Fprintf(w, "Content-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", ctype)
	qp := quotedprintable.NewWriter(w)
	_, _ = qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")))
	_ = qp.Close()
	w.WriteString("\r\n")
}

// encodeHeader encodes a header value as RFC 2047 words when it is not ASCII.
func encodeHeader(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
	return mime.BEncoding.Encode("utf-8", s)
}

// encodeAddress renders a mailbox with an encoded display name.
func encodeAddress(a Address) string {
	return (&mail.Address{Name: a.Name, Address: a.Email}).String()
}

// encodeParam renders filename="…" for ASCII names and the RFC 2231 form
// (filename*=utf-8”…) otherwise, which every current mail program reads.
func encodeParam(name string) string {
	ascii := true
	for _, r := range name {
		if r >= utf8.RuneSelf || r < 0x20 || r == '"' || r == '\\' {
			ascii = false
			break
		}
	}
	if ascii {
		return `filename="` + name + `"`
	}
	var b strings.Builder
	for _, c := range []byte(name) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return "filename*=utf-8''" + b.String()
}

func newBoundary() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "kefu-" + hex.EncodeToString(b)
}

// textToHTML renders plain text as simple HTML: paragraphs and line breaks.
func textToHTML(text string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>")
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>")
			}
			b.WriteString(html.EscapeString(line))
		}
		b.WriteString("</p>")
	}
	b.WriteString("</body></html>")
	return b.String()
}
