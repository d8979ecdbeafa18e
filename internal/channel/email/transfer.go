package email

import (
	"bytes"
	"encoding/base64"
	"strings"
)

// decodeTransfer undoes a Content-Transfer-Encoding. It never fails: what
// cannot be decoded is kept as it came, and ok says whether it was clean.
func decodeTransfer(body []byte, cte string) (out []byte, ok bool) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return decodeBase64(body)
	case "quoted-printable":
		return decodeQP(body)
	case "", "7bit", "8bit", "binary":
		return body, true
	}
	// x-uuencode and invented encodings: keep the bytes.
	return body, false
}

// decodeBase64 decodes base64 that may carry line breaks, spaces, missing
// padding or junk after the end, as real mail does.
func decodeBase64(body []byte) ([]byte, bool) {
	clean := make([]byte, 0, len(body))
	ok := true
	started, ended := false, false
	for _, line := range bytes.Split(body, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			if started {
				ended = true // a blank line after the data ends it
			}
			continue
		}
		if ended || !isBase64Line(line) {
			if started || ended {
				// A footer a list server appended, or damage: stop here.
				ok = false
				break
			}
			ok = false
			continue
		}
		for _, c := range line {
			switch {
			case c == '-':
				clean = append(clean, '+') // URL-safe alphabet
			case c == '_':
				clean = append(clean, '/')
			case c == '=' || c == ' ' || c == '\t' || c == '\r':
			default:
				clean = append(clean, c)
			}
		}
		started = true
		if bytes.IndexByte(line, '=') >= 0 {
			ended = true // padding ends the data
		}
	}
	// Drop a dangling sextet that cannot form a byte.
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
		ok = false
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil {
		ok = false
	}
	return out[:n], ok
}

func isBase64Line(line []byte) bool {
	for _, c := range line {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=', c == '-', c == '_', c == ' ', c == '\t', c == '\r':
		default:
			return false
		}
	}
	return true
}

// decodeQP decodes quoted-printable leniently: "=XX" is a byte, "=" at the
// end of a line joins lines, and a stray "=" stays as it is.
func decodeQP(body []byte) ([]byte, bool) {
	out := make([]byte, 0, len(body))
	ok := true
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '=' {
			out = append(out, c)
			continue
		}
		rest := body[i+1:]
		// Soft line break, with trailing blanks some gateways leave.
		j := 0
		for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t') {
			j++
		}
		if j < len(rest) && rest[j] == '\n' {
			i += j + 1
			continue
		}
		if j+1 < len(rest) && rest[j] == '\r' && rest[j+1] == '\n' {
			i += j + 2
			continue
		}
		if j == len(rest) {
			break
		}
		if len(rest) >= 2 && isHex(rest[0]) && isHex(rest[1]) {
			out = append(out, unhex(rest[0])<<4|unhex(rest[1]))
			i += 2
			continue
		}
		ok = false
		out = append(out, '=')
	}
	return out, ok
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// normalizeNewlines turns CRLF and lone CR into LF.
func normalizeNewlines(b []byte) []byte {
	if !bytes.ContainsRune(b, '\r') {
		return b
	}
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
}
