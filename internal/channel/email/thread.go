package email

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
)

var ticketToken = regexp.MustCompile(`\[#(\d{1,12})\]`)

// TicketNumber reads the ticket token kefu puts in the subjects it sends
// ("[#1042]"); ok is false when there is none.
func TicketNumber(subject string) (n int64, ok bool) {
	m := ticketToken.FindAllStringSubmatch(subject, -1)
	if len(m) == 0 {
		return 0, false
	}
	// The last token is kefu's own: a customer may quote another number earlier.
	n, err := strconv.ParseInt(m[len(m)-1][1], 10, 64)
	return n, err == nil
}

// SubjectToken is the token kefu adds to a subject for ticket number n.
func SubjectToken(n int64) string { return "[#" + strconv.FormatInt(n, 10) + "]" }

// CleanSubject removes kefu's ticket tokens from a subject.
func CleanSubject(s string) string {
	return collapseSpace(ticketToken.ReplaceAllString(s, ""))
}

var replyPrefix = regexp.MustCompile(`(?i)^\s*((re|fw|fwd|aw|sv|wg|tr|rif|antw|回复|回覆|答复|转发|轉寄|转寄)\s*(\[\d+\])?\s*[:：]\s*)+`)

// ReplySubject is the subject of kefu's answer to a mail about subject, on
// ticket number n: "Re: " once, and the token once.
func ReplySubject(subject string, n int64) string {
	base := replyPrefix.ReplaceAllString(CleanSubject(subject), "")
	if base == "" {
		base = "#" + strconv.FormatInt(n, 10)
	}
	return "Re: " + base + " " + SubjectToken(n)
}

// ThreadIDs lists the Message-IDs a mail answers, the most recent first: its
// In-Reply-To, its References from last to first, and the original of a
// bounce.
func ThreadIDs(m *Mail) []string {
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		id = strings.TrimSpace(id)
		if id != "" && !seen[id] && len(ids) < 100 {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, id := range m.InReplyTo {
		add(id)
	}
	for i := len(m.References) - 1; i >= 0; i-- {
		add(m.References[i])
	}
	if m.Report != nil {
		add(m.Report.OriginalMessageID)
	}
	return ids
}

// kefuIDPrefix starts every Message-ID kefu makes, so its own mail is
// recognised when it comes back.
const kefuIDPrefix = "kefu."

// NewMessageID returns a fresh Message-ID (without angle brackets) in the
// domain of the channel's address.
func NewMessageID(address string) string {
	domain := "kefu.invalid"
	if i := strings.LastIndexByte(address, '@'); i >= 0 && i < len(address)-1 {
		domain = address[i+1:]
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return kefuIDPrefix + hex.EncodeToString(b) + "@" + domain
}

// IsKefuMessageID reports whether id was made by NewMessageID.
func IsKefuMessageID(id string) bool { return strings.HasPrefix(id, kefuIDPrefix) }
