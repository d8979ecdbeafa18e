package sla

import (
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// chinaHolidays are the public holidays and make-up working days (调休) the
// State Council announced for each year: 国办发明电〔2024〕12号 for 2025 and
// the notice of November 2025 for 2026. A shop can edit its calendar or
// import another year's iCalendar file; these are only the defaults.
//
// 2026 was checked day by day against the weekday each date falls on
// (1 January 2026 is a Thursday; 春节 is 17 February): 元旦 1/1–1/3 with 1/4
// (Sunday) worked; 春节 2/15–2/23 with 2/14 and 2/28 (Saturdays) worked; 清明
// 4/4–4/6; 劳动节 5/1–5/5 with 5/9 (Saturday) worked; 端午 6/19–6/21; 中秋
// 9/25–9/27; 国庆 10/1–10/7 with 9/20 (Sunday) and 10/10 (Saturday) worked.
var chinaHolidays = map[int][]struct {
	from, to string // holiday, inclusive
	name     string
	makeUp   []string
}{
	2025: {
		{"2025-01-01", "2025-01-01", "元旦 New Year's Day", nil},
		{"2025-01-28", "2025-02-04", "春节 Spring Festival", []string{"2025-01-26", "2025-02-08"}},
		{"2025-04-04", "2025-04-06", "清明节 Qingming Festival", nil},
		{"2025-05-01", "2025-05-05", "劳动节 Labour Day", []string{"2025-04-27"}},
		{"2025-05-31", "2025-06-02", "端午节 Dragon Boat Festival", nil},
		{"2025-10-01", "2025-10-08", "国庆节、中秋节 National Day and Mid-Autumn Festival", []string{"2025-09-28", "2025-10-11"}},
	},
	2026: {
		{"2026-01-01", "2026-01-03", "元旦 New Year's Day", []string{"2026-01-04"}},
		{"2026-02-15", "2026-02-23", "春节 Spring Festival", []string{"2026-02-14", "2026-02-28"}},
		{"2026-04-04", "2026-04-06", "清明节 Qingming Festival", nil},
		{"2026-05-01", "2026-05-05", "劳动节 Labour Day", []string{"2026-05-09"}},
		{"2026-06-19", "2026-06-21", "端午节 Dragon Boat Festival", nil},
		{"2026-09-25", "2026-09-27", "中秋节 Mid-Autumn Festival", nil},
		{"2026-10-01", "2026-10-07", "国庆节 National Day", []string{"2026-09-20", "2026-10-10"}},
	},
}

// ChinaYears lists the years whose Chinese holiday schedule is built in.
func ChinaYears() []int { return []int{2025, 2026} }

// ChinaDays returns the public holidays and make-up working days of a year
// in China, or nil for a year that is not built in.
func ChinaDays(year int) []kefu.CalendarDay {
	var out []kefu.CalendarDay
	for _, h := range chinaHolidays[year] {
		from, _ := time.Parse(time.DateOnly, h.from)
		to, _ := time.Parse(time.DateOnly, h.to)
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			out = append(out, kefu.CalendarDay{Date: d.Format(time.DateOnly), Kind: kefu.DayHoliday, Name: h.name})
		}
		for _, w := range h.makeUp {
			out = append(out, kefu.CalendarDay{Date: w, Kind: kefu.DayWorkday, Name: h.name + " 调休上班 make-up working day"})
		}
	}
	return out
}

// ChinaOfficeHours is Monday to Friday, 09:00–18:00.
func ChinaOfficeHours() kefu.WeeklyHours {
	d := []string{"09:00-18:00"}
	return kefu.WeeklyHours{"mon": d, "tue": d, "wed": d, "thu": d, "fri": d}
}

// ChinaCalendar is the calendar a Chinese shop starts with: Monday to
// Friday 09:00–18:00 Asia/Shanghai with the built-in years' public holidays
// and make-up working days.
func ChinaCalendar(name string, years ...int) *kefu.Calendar {
	if len(years) == 0 {
		years = ChinaYears()
	}
	c := &kefu.Calendar{Name: name, TimeZone: DefaultTimeZone, Hours: ChinaOfficeHours(), Days: []kefu.CalendarDay{}}
	for _, y := range years {
		c.Days = append(c.Days, ChinaDays(y)...)
	}
	return c
}
