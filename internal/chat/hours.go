package chat

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// span is one weekday's opening, in minutes after midnight.
type span struct{ from, to int }

// ParseHours reads business hours such as "mon-fri 09:00-18:00; sat
// 10:00-16:00" into opening spans per weekday (0 is Sunday). An empty
// string means always open and returns nil.
func ParseHours(s string) (map[time.Weekday][]span, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return nil, nil
	}
	out := map[time.Weekday][]span{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '\n' }) {
		f := strings.Fields(part)
		if len(f) != 2 {
			return nil, fmt.Errorf("%q: want days and times, like mon-fri 09:00-18:00", strings.TrimSpace(part))
		}
		days, err := parseDays(f[0])
		if err != nil {
			return nil, err
		}
		a, b, ok := strings.Cut(f[1], "-")
		if !ok {
			return nil, fmt.Errorf("%q: want a time range like 09:00-18:00", f[1])
		}
		from, err1 := parseClock(a)
		to, err2 := parseClock(b)
		if err1 != nil || err2 != nil || to <= from {
			return nil, fmt.Errorf("%q: want a time range like 09:00-18:00 that ends after it starts", f[1])
		}
		for _, d := range days {
			out[d] = append(out[d], span{from, to})
		}
	}
	return out, nil
}

func parseDays(s string) ([]time.Weekday, error) {
	idx := func(n string) (int, error) {
		for i, d := range dayNames {
			if d == n {
				return i, nil
			}
		}
		return 0, fmt.Errorf("%q is not a day (mon, tue, wed, thu, fri, sat, sun)", n)
	}
	a, b, rng := strings.Cut(s, "-")
	i, err := idx(a)
	if err != nil {
		return nil, err
	}
	if !rng {
		return []time.Weekday{time.Weekday(i)}, nil
	}
	j, err := idx(b)
	if err != nil {
		return nil, err
	}
	var ds []time.Weekday
	for k := i; ; k = (k + 1) % 7 {
		ds = append(ds, time.Weekday(k))
		if k == j {
			break
		}
	}
	return ds, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("%q is not a time like 09:00", s)
	}
	return hh*60 + mm, nil
}

// InHours reports whether t falls inside the business hours in time zone
// tz. Empty or unreadable hours count as always open: a typo must not turn
// every visitor away (the settings form refuses unreadable hours).
func InHours(hours, tz string, t time.Time) bool {
	spans, err := ParseHours(hours)
	if err != nil || spans == nil {
		return true
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = cst
	}
	lt := t.In(loc)
	m := lt.Hour()*60 + lt.Minute()
	for _, sp := range spans[lt.Weekday()] {
		if m >= sp.from && m < sp.to {
			return true
		}
	}
	return false
}
