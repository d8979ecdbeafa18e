package email

import (
	"regexp"
	"strings"
)

var (
	// Attribution lines mail programs put above the quoted original.
	attribution = []*regexp.Regexp{
		regexp.MustCompile(`(?i)^(on|le|am|el|il|op)\s.{4,200}(wrote|a écrit|schrieb|escribió|ha scritto|schreef)\s*:?\s*$`),
		regexp.MustCompile(`^(在|于).{2,200}(写道|寫道)\s*[：:]?\s*$`),
		regexp.MustCompile(`^.{2,200}(于|於).{2,200}(写道|寫道)\s*[：:]\s*$`),
		regexp.MustCompile(`(?i)^-{2,}\s*(original message|原始邮件|原始郵件|原邮件|回复的原邮件|reply message)\s*-{2,}\s*$`),
	}
	// A header block of a quoted original (Outlook, Foxmail, QQ Mail).
	quotedFrom = regexp.MustCompile(`(?i)^\**\s*(from|发件人|寄件者|寄件人|von|de)\s*\**\s*[:：]`)
	quotedSent = regexp.MustCompile(`(?i)^\**\s*(sent|date|发送时间|日期|時間|寄件日期|发送日期|gesendet|envoyé)\s*\**\s*[:：]`)
	outlookBar = regexp.MustCompile(`^_{10,}\s*$`)
	// Signatures of phone mail apps.
	// Forwarded content is what the sender wants read: never fold it.
	forwardMarker = regexp.MustCompile(`(?i)^(-{2,}\s*(forwarded message|转发邮件信息|轉寄郵件|转发的邮件)\s*-{2,}|begin forwarded message:)`)
	mobileSig     = regexp.MustCompile(`(?i)^(sent from my |发自我的|发自 |從我的 |从我的.{1,20}发送|get outlook for |sent from mail for windows|发送自 )`)
)

// findQuote returns the byte offset in text where quoted history or a
// signature starts, or 0 when nothing should be folded (including when
// folding would leave nothing to show). Interleaved answers between quoted
// lines are never folded: only a tail of quotes is.
func findQuote(text string) int {
	lines := strings.Split(text, "\n")
	offsets := make([]int, len(lines))
	off := 0
	for i, l := range lines {
		offsets[i] = off
		off += len(l) + 1
	}
	cut := -1
	for i := 0; i < len(lines) && cut < 0; i++ {
		l := strings.TrimSpace(lines[i])
		if forwardMarker.MatchString(l) {
			break
		}
		switch {
		case lines[i] == "-- " || l == "--":
			cut = i
		case mobileSig.MatchString(l) && restIsQuote(lines[i+1:]):
			cut = i
		case outlookBar.MatchString(l) && i+1 < len(lines) && nextNonEmptyMatches(lines[i+1:], quotedFrom):
			cut = i
		case quotedFrom.MatchString(l) && sentWithin(lines[i+1:], 5):
			cut = i
		case strings.HasPrefix(l, ">") && restIsQuote(lines[i:]):
			cut = i
		default:
			for _, re := range attribution {
				if re.MatchString(l) {
					cut = i
					break
				}
			}
			// "On Mon, 3 Jun 2024 at 10:00, Li Na <li@example.com>" + "wrote:" on the next line.
			if cut < 0 && i+1 < len(lines) && len(l) < 200 {
				joined := l + " " + strings.TrimSpace(lines[i+1])
				if attribution[0].MatchString(joined) && strings.HasPrefix(strings.ToLower(l), "on ") {
					cut = i
				}
			}
		}
	}
	if cut <= 0 {
		return 0
	}
	if strings.TrimSpace(strings.Join(lines[:cut], "\n")) == "" {
		return 0
	}
	return offsets[cut]
}

// restIsQuote reports whether lines hold only quoted lines, blank lines and
// attribution or signature lines: nothing the sender newly wrote.
func restIsQuote(lines []string) bool {
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, ">") || isAttribution(t) {
			continue
		}
		return false
	}
	return true
}

func isAttribution(l string) bool {
	for _, re := range attribution {
		if re.MatchString(l) {
			return true
		}
	}
	return false
}

func nextNonEmptyMatches(lines []string, re *regexp.Regexp) bool {
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" {
			return re.MatchString(t)
		}
	}
	return false
}

func sentWithin(lines []string, n int) bool {
	for i, l := range lines {
		if i >= n {
			break
		}
		if quotedSent.MatchString(strings.TrimSpace(l)) {
			return true
		}
	}
	return false
}
