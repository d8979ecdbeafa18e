package email

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// aliases maps charset labels senders really use to the decoder that reads
// them. Every GB label decodes as GB18030: it is a superset of GB2312 and GBK,
// and Chinese mail programs routinely label GBK text "gb2312".
var aliases = map[string]encoding.Encoding{
	"gb2312": simplifiedchinese.GB18030, "gbk": simplifiedchinese.GB18030, "x-gbk": simplifiedchinese.GB18030,
	"gb18030": simplifiedchinese.GB18030, "cp936": simplifiedchinese.GB18030, "ms936": simplifiedchinese.GB18030,
	"windows-936": simplifiedchinese.GB18030, "euc-cn": simplifiedchinese.GB18030, "x-euc-cn": simplifiedchinese.GB18030,
	"csgb2312": simplifiedchinese.GB18030, "gb_2312-80": simplifiedchinese.GB18030, "chinese": simplifiedchinese.GB18030,
	"hz-gb-2312": simplifiedchinese.HZGB2312,
	"big5":       traditionalchinese.Big5, "big5-hkscs": traditionalchinese.Big5, "x-big5": traditionalchinese.Big5,
	"cp950": traditionalchinese.Big5, "cn-big5": traditionalchinese.Big5,
	"iso-2022-jp": japanese.ISO2022JP, "csiso2022jp": japanese.ISO2022JP,
	"shift_jis": japanese.ShiftJIS, "shift-jis": japanese.ShiftJIS, "sjis": japanese.ShiftJIS, "cp932": japanese.ShiftJIS,
	"windows-31j": japanese.ShiftJIS, "euc-jp": japanese.EUCJP,
	"euc-kr": korean.EUCKR, "ks_c_5601-1987": korean.EUCKR, "cp949": korean.EUCKR, "ks_c_5601": korean.EUCKR,
	// Latin-1 mail is very often really Windows-1252 (curly quotes, €):
	// decoding it as 1252 loses nothing that Latin-1 would have kept.
	"iso-8859-1": charmap.Windows1252, "latin1": charmap.Windows1252, "l1": charmap.Windows1252,
	"us-ascii": charmap.Windows1252, "ascii": charmap.Windows1252, "ansi_x3.4-1968": charmap.Windows1252,
	"utf-16": unicode.UTF16(unicode.BigEndian, unicode.UseBOM),
}

// lookupCharset returns the decoder for a charset label, or nil for UTF-8
// and for labels no decoder knows.
func lookupCharset(label string) (enc encoding.Encoding, known bool) {
	l := strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	// Some senders append junk: "utf-8;", "gb2312 format=flowed".
	if i := strings.IndexAny(l, " ;\t"); i > 0 {
		l = l[:i]
	}
	switch l {
	case "", "utf-8", "utf8", "unicode-1-1-utf-8", "x-unknown", "unknown-8bit", "default", "8bit", "7bit":
		return nil, l != "x-unknown" && l != "unknown-8bit" && l != "8bit"
	}
	if e, ok := aliases[l]; ok {
		return e, true
	}
	if e, err := htmlindex.Get(l); err == nil && e != nil {
		if e == unicode.UTF8 {
			return nil, true
		}
		return e, true
	}
	if e, err := ianaindex.MIME.Encoding(l); err == nil && e != nil {
		return e, true
	}
	if strings.HasPrefix(l, "cp") || strings.HasPrefix(l, "ms") {
		if e, err := htmlindex.Get("windows-" + strings.TrimLeft(l, "cpms-")); err == nil {
			return e, true
		}
	}
	return nil, false
}

// decodeCharset turns b, labelled charset, into valid UTF-8. An unknown or
// missing label is guessed: UTF-8 when b is valid UTF-8, otherwise GB18030,
// the most likely 8-bit charset in a Chinese shop's mailbox. ok is false
// when the label was unknown and the text had to be guessed.
func decodeCharset(b []byte, charset string) (s string, ok bool) {
	enc, known := lookupCharset(charset)
	if enc == nil {
		if utf8.Valid(b) {
			return string(b), known
		}
		// Mostly UTF-8 with a few damaged bytes stays UTF-8; text that is
		// not UTF-8 at all is a legacy charset, mislabelled or unlabelled.
		if invalidUTF8Share(b) < 0.05 {
			return strings.ToValidUTF8(string(b), "\uFFFD"), false
		}
		return guess8bit(b), false
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD"), false
	}
	return strings.ToValidUTF8(string(out), "\uFFFD"), true
}

// guess8bit decodes text without a usable label: GB18030 when that reads
// cleanly, Windows-1252 otherwise (it maps every byte).
func guess8bit(b []byte) string {
	if out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b); err == nil && !bytes.ContainsRune(out, utf8.RuneError) {
		return string(out)
	}
	out, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// headerText makes a raw header value valid UTF-8: modern senders put raw
// UTF-8 in headers (RFC 6532), older Chinese ones raw GBK.
func headerText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return guess8bit([]byte(s))
}

// invalidUTF8Share is the share of b's bytes that are not part of valid UTF-8.
func invalidUTF8Share(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	bad := 0
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			bad++
			i++
			continue
		}
		i += n
	}
	return float64(bad) / float64(len(b))
}
