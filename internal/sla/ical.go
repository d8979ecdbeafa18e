package sla

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// maxICalDays bounds what one import may add, so a runaway event (a
// ten-year DTEND) cannot fill the calendar.
const maxICalDays = 2000

// ParseICal reads the all-day events of an iCalendar file (RFC 5545) as
// calendar days. Each event covers DTSTART up to, not including, DTEND (or
// one day without DTEND). An event is a make-up working day when its
// summary or categories say so — "班" (补班, 上班), "workday", "working
// day" — and a holiday otherwise, which is how the Chinese holiday feeds
// mark 调休; kind forces one kind for every event instead.
func ParseICal(r io.Reader, kind kefu.DayKind) ([]kefu.CalendarDay, error) {
	lines, err := unfold(r)
	if err != nil {
		return nil, err
	}
	var out []kefu.CalendarDay
	var ev map[string]string
	inEvent := false
	for n, line := range lines {
		name, value := splitProp(line)
		switch {
		case name == "BEGIN" && strings.EqualFold(value, "VEVENT"):
			inEvent, ev = true, map[string]string{}
		case name == "END" && strings.EqualFold(value, "VEVENT"):
			if !inEvent {
				return nil, kefu.Invalid("file", "line %d: END:VEVENT without BEGIN", n+1)
			}
			inEvent = false
			days, err := eventDays(ev, kind)
			if err != nil {
				return nil, kefu.Invalid("file", "event %q: %v", ev["SUMMARY"], err)
			}
			out = append(out, days...)
			if len(out) > maxICalDays {
				return nil, kefu.Invalid("file", "more than %d days; split the file", maxICalDays)
			}
		case inEvent:
			if _, seen := ev[name]; !seen {
				ev[name] = value
			}
		}
	}
	if inEvent {
		return nil, kefu.Invalid("file", "the last VEVENT has no END")
	}
	// Later events win on the same date, as they would in a feed's update.
	byDate := map[string]kefu.CalendarDay{}
	for _, d := range out {
		byDate[d.Date] = d
	}
	days := make([]kefu.CalendarDay, 0, len(byDate))
	for _, d := range byDate {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Date < days[j].Date })
	return days, nil
}

// unfold joins RFC 5545 continuation lines (those starting with a space or
// a tab) onto the line before.
func unfold(r io.Reader) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var lines []string
	for sc.Scan() {
		l := strings.TrimRight(sc.Text(), "\r")
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
			continue
		}
		if l != "" {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, kefu.Invalid("file", "cannot be read: %v", err)
	}
	return lines, nil
}

// splitProp splits "DTSTART;VALUE=DATE:20260101" into its name and value;
// parameters are not needed to read all-day events.
func splitProp(line string) (name, value string) {
	head, value, _ := strings.Cut(line, ":")
	name, _, _ = strings.Cut(head, ";")
	return strings.ToUpper(name), unescape(value)
}

func unescape(v string) string {
	return strings.NewReplacer(`\,`, ",", `\;`, ";", `\n`, " ", `\N`, " ", `\\`, `\`).Replace(v)
}

func eventDays(ev map[string]string, force kefu.DayKind) ([]kefu.CalendarDay, error) {
	start, err := icalDate(ev["DTSTART"])
	if err != nil {
		return nil, fmt.Errorf("DTSTART: %w", err)
	}
	end := start.AddDate(0, 0, 1)
	if v, ok := ev["DTEND"]; ok {
		if end, err = icalDate(v); err != nil {
			return nil, fmt.Errorf("DTEND: %w", err)
		}
		// A timed event ending during a day still covers that day.
		if len(strings.TrimSpace(v)) > 8 && !strings.HasSuffix(strings.TrimSpace(v), "T000000") && !strings.HasSuffix(strings.TrimSpace(v), "T000000Z") {
			end = end.AddDate(0, 0, 1)
		}
		if !end.After(start) {
			end = start.AddDate(0, 0, 1)
		}
	}
	summary := strings.TrimSpace(ev["SUMMARY"])
	kind := force
	if kind == "" {
		kind = kefu.DayHoliday
		text := strings.ToLower(summary + " " + ev["CATEGORIES"])
		if strings.Contains(text, "班") || strings.Contains(text, "workday") || strings.Contains(text, "working day") {
			kind = kefu.DayWorkday
		}
	}
	var days []kefu.CalendarDay
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		days = append(days, kefu.CalendarDay{Date: d.Format(time.DateOnly), Kind: kind, Name: summary})
		if len(days) > maxICalDays {
			return nil, fmt.Errorf("spans more than %d days", maxICalDays)
		}
	}
	return days, nil
}

// icalDate reads the date part of a DATE or DATE-TIME value.
func icalDate(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if len(v) < 8 {
		return time.Time{}, fmt.Errorf("%q is not a date", v)
	}
	t, err := time.Parse("20060102", v[:8])
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date", v)
	}
	return t, nil
}
