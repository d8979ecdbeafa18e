// Package sla knows when tickets are due. It holds business calendars and a
// pure calculator of business time (add a business duration to an instant,
// measure the business time between two), the choice of an SLA policy for a
// ticket, the clocks of its targets (first response, next response,
// resolution) with pause, warning and breach, and promises. The arithmetic is
// pure and table-tested; the Service applies it to tickets in the store.
package sla

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// DefaultTimeZone is the zone of a calendar that names none.
const DefaultTimeZone = "Asia/Shanghai"

// maxIdleDays bounds the search for the next business minute: a calendar
// with no working time in this many days is treated as having none at all,
// so a bad calendar cannot loop forever.
const maxIdleDays = 3 * 366

// ErrNoBusinessTime is returned when a calendar has no working time left to
// count in.
var ErrNoBusinessTime = errors.New("the calendar has no business hours")

// span is a working interval of one day in minutes since local midnight,
// [start, end).
type span struct{ start, end int }

var weekdayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Calendar is a compiled business calendar, ready for arithmetic. It is
// immutable and safe for concurrent use. A nil *Calendar counts every
// instant (round the clock, 24×7).
type Calendar struct {
	loc     *time.Location
	week    [7][]span
	makeUp  []span // hours of a make-up working day without its own
	days    map[int32]dayRule
	weekly  time.Duration // working time of a normal week, to skip whole weeks
	hasDays bool
	// skipWeeks allows whole weeks to be counted in one step: only when the
	// zone keeps one UTC offset (no DST) and no date has an exception, so a
	// week is always exactly weekly long.
	skipWeeks bool
}

type dayRule struct {
	holiday bool
	spans   []span
}

// Compile checks a calendar and prepares it for arithmetic.
func Compile(c *kefu.Calendar) (*Calendar, error) {
	tz := c.TimeZone
	if tz == "" {
		tz = DefaultTimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, kefu.Invalid("time_zone", "unknown time zone %q", tz)
	}
	cal := &Calendar{loc: loc, days: map[int32]dayRule{}}
	for key := range c.Hours {
		if dayIndex(key) < 0 {
			return nil, kefu.Invalid("hours", "unknown weekday %q; use mon, tue, wed, thu, fri, sat, sun", key)
		}
	}
	for i, key := range weekdayKeys {
		spans, err := parseSpans(c.Hours[key])
		if err != nil {
			return nil, kefu.Invalid("hours."+key, "%v", err)
		}
		cal.week[i] = spans
		for _, s := range spans {
			cal.weekly += time.Duration(s.end-s.start) * time.Minute
		}
	}
	cal.makeUp = cal.week[time.Monday]
	if len(cal.makeUp) == 0 {
		cal.makeUp = []span{{9 * 60, 18 * 60}}
	}
	for i, d := range c.Days {
		field := fmt.Sprintf("days[%d]", i)
		t, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			return nil, kefu.Invalid(field+".date", "must be YYYY-MM-DD; got %q", d.Date)
		}
		rule := dayRule{}
		switch d.Kind {
		case kefu.DayHoliday:
			rule.holiday = true
		case kefu.DayWorkday:
			spans, err := parseSpans(d.Hours)
			if err != nil {
				return nil, kefu.Invalid(field+".hours", "%v", err)
			}
			if len(spans) == 0 {
				spans = cal.makeUp
			}
			rule.spans = spans
		default:
			return nil, kefu.Invalid(field+".kind", "must be holiday or workday; got %q", d.Kind)
		}
		cal.days[dayKey(t.Year(), t.Month(), t.Day())] = rule
	}
	cal.hasDays = len(cal.days) > 0
	cal.skipWeeks = !cal.hasDays && cal.weekly > 0 && fixedOffset(loc)
	if cal.weekly == 0 && !cal.hasDays {
		return nil, kefu.Invalid("hours", "a calendar needs working hours on at least one weekday")
	}
	return cal, nil
}

// MustCompile is Compile for calendars known to be valid (tests, built-ins).
func MustCompile(c *kefu.Calendar) *Calendar {
	cal, err := Compile(c)
	if err != nil {
		panic(err)
	}
	return cal
}

// Location is the calendar's time zone (UTC for round the clock).
func (c *Calendar) Location() *time.Location {
	if c == nil {
		return time.UTC
	}
	return c.loc
}

// fixedOffset reports whether loc kept one UTC offset over the years kefu
// deals with; Asia/Shanghai has since 1992.
func fixedOffset(loc *time.Location) bool {
	_, off := time.Date(2000, 1, 1, 0, 0, 0, 0, loc).Zone()
	for y := 2000; y <= 2040; y++ {
		for _, m := range []time.Month{time.January, time.April, time.July, time.October} {
			if _, o := time.Date(y, m, 1, 0, 0, 0, 0, loc).Zone(); o != off {
				return false
			}
		}
	}
	return true
}

func dayIndex(key string) int {
	for i, k := range weekdayKeys {
		if k == strings.ToLower(key) {
			return i
		}
	}
	return -1
}

func dayKey(y int, m time.Month, d int) int32 { return int32(y*10000 + int(m)*100 + d) }

// parseSpans reads "09:00-12:00" intervals, sorted and not overlapping.
// "24:00" may end a day.
func parseSpans(in []string) ([]span, error) {
	var out []span
	for _, s := range in {
		a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
		if !ok {
			return nil, fmt.Errorf("%q is not an interval like 09:00-18:00", s)
		}
		start, err := parseClock(a)
		if err != nil {
			return nil, err
		}
		end, err := parseClock(b)
		if err != nil {
			return nil, err
		}
		if end <= start {
			return nil, fmt.Errorf("%q ends before it starts", s)
		}
		out = append(out, span{start, end})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	for i := 1; i < len(out); i++ {
		if out[i].start < out[i-1].end {
			return nil, fmt.Errorf("intervals %s and %s overlap", fmtSpan(out[i-1]), fmtSpan(out[i]))
		}
	}
	return out, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("%q is not a time of day like 09:30", s)
	}
	return hh*60 + mm, nil
}

func fmtSpan(s span) string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", s.start/60, s.start%60, s.end/60, s.end%60)
}

// spansOn returns the working intervals of a local date.
func (c *Calendar) spansOn(y int, m time.Month, d int, wd time.Weekday) []span {
	if c.hasDays {
		if r, ok := c.days[dayKey(y, m, d)]; ok {
			if r.holiday {
				return nil
			}
			return r.spans
		}
	}
	return c.week[wd]
}

// at is the instant of minute min of a local date. Go normalises a wall
// time that a DST change skips, so a span that starts in the gap starts
// when the clock resumes.
func (c *Calendar) at(y int, m time.Month, d, min int) time.Time {
	return time.Date(y, m, d, 0, min, 0, 0, c.loc)
}

// day walks local dates forward or backward from t's date.
type day struct {
	y  int
	m  time.Month
	d  int
	wd time.Weekday
}

func (c *Calendar) dayOf(t time.Time) day {
	l := t.In(c.loc)
	y, m, d := l.Date()
	return day{y, m, d, l.Weekday()}
}

func (dd day) next(n int) day {
	t := time.Date(dd.y, dd.m, dd.d+n, 12, 0, 0, 0, time.UTC)
	y, m, d := t.Date()
	return day{y, m, d, t.Weekday()}
}

// Add returns the instant d of business time after t. Add(t, 0) is t. An
// instant outside business hours counts from the next opening.
func (c *Calendar) Add(t time.Time, d time.Duration) (time.Time, error) {
	if d < 0 {
		return c.Sub(t, -d)
	}
	if c == nil {
		return t.Add(d), nil
	}
	if d == 0 {
		return t, nil
	}
	dd := c.dayOf(t)
	for idle := 0; idle < maxIdleDays; dd = dd.next(1) {
		spans := c.spansOn(dd.y, dd.m, dd.d, dd.wd)
		if len(spans) == 0 {
			idle++
			continue
		}
		idle = 0
		for _, s := range spans {
			start, end := c.at(dd.y, dd.m, dd.d, s.start), c.at(dd.y, dd.m, dd.d, s.end)
			if !end.After(t) {
				continue
			}
			if start.Before(t) {
				start = t
			}
			if avail := end.Sub(start); d <= avail {
				return start.Add(d), nil
			} else {
				d -= avail
			}
		}
		// Whole weeks without exceptions are skipped in one step, so long
		// targets cost no more than short ones.
		if c.skipWeeks && d > c.weekly && dd.wd == time.Saturday {
			weeks := int((d - 1) / c.weekly)
			d -= time.Duration(weeks) * c.weekly
			dd = dd.next(7 * weeks)
		}
	}
	return time.Time{}, ErrNoBusinessTime
}

// Sub returns the instant d of business time before t. Sub(Add(t, d), d)
// is t whenever t is inside business hours (or at an opening).
func (c *Calendar) Sub(t time.Time, d time.Duration) (time.Time, error) {
	if d < 0 {
		return c.Add(t, -d)
	}
	if c == nil {
		return t.Add(-d), nil
	}
	if d == 0 {
		return t, nil
	}
	dd := c.dayOf(t)
	for idle := 0; idle < maxIdleDays; dd = dd.next(-1) {
		spans := c.spansOn(dd.y, dd.m, dd.d, dd.wd)
		if len(spans) == 0 {
			idle++
			continue
		}
		idle = 0
		for i := len(spans) - 1; i >= 0; i-- {
			s := spans[i]
			start, end := c.at(dd.y, dd.m, dd.d, s.start), c.at(dd.y, dd.m, dd.d, s.end)
			if !start.Before(t) {
				continue
			}
			if end.After(t) {
				end = t
			}
			if avail := end.Sub(start); d <= avail {
				return end.Add(-d), nil
			} else {
				d -= avail
			}
		}
	}
	return time.Time{}, ErrNoBusinessTime
}

// Between returns the business time from a to b; negative when b is
// before a.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -c.Between(b, a)
	}
	if c == nil {
		return b.Sub(a)
	}
	var total time.Duration
	last := c.dayOf(b)
	for dd := c.dayOf(a); ; dd = dd.next(1) {
		for _, s := range c.spansOn(dd.y, dd.m, dd.d, dd.wd) {
			start, end := c.at(dd.y, dd.m, dd.d, s.start), c.at(dd.y, dd.m, dd.d, s.end)
			if start.Before(a) {
				start = a
			}
			if end.After(b) {
				end = b
			}
			if end.After(start) {
				total += end.Sub(start)
			}
		}
		if dd.y == last.y && dd.m == last.m && dd.d == last.d {
			return total
		}
		// Skip whole weeks in one step when there are no exceptions.
		if c.skipWeeks && dd.wd == time.Saturday {
			if weeks := int(b.Sub(c.at(dd.y, dd.m, dd.d, 24*60)).Hours()/24/7) - 1; weeks > 0 {
				total += time.Duration(weeks) * c.weekly
				dd = dd.next(7 * weeks)
			}
		}
	}
}

// Open reports whether t is inside business hours.
func (c *Calendar) Open(t time.Time) bool {
	if c == nil {
		return true
	}
	dd := c.dayOf(t)
	for _, s := range c.spansOn(dd.y, dd.m, dd.d, dd.wd) {
		if !t.Before(c.at(dd.y, dd.m, dd.d, s.start)) && t.Before(c.at(dd.y, dd.m, dd.d, s.end)) {
			return true
		}
	}
	return false
}
