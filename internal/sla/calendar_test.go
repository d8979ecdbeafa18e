package sla

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

var shanghai = mustLoad("Asia/Shanghai")
var newYork = mustLoad("America/New_York")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// cn parses a Shanghai wall time "2006-01-02 15:04".
func cn(s string) time.Time { return wall(shanghai, s) }

func wall(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAddChina(t *testing.T) {
	cal := MustCompile(ChinaCalendar("cn"))
	tests := []struct {
		name  string
		start string
		d     time.Duration
		want  string
	}{
		{"inside a day", "2026-03-09 10:00", 3 * time.Hour, "2026-03-09 13:00"},
		{"ends exactly at closing", "2026-03-09 09:00", 9 * time.Hour, "2026-03-09 18:00"},
		{"zero is the instant itself", "2026-03-09 10:15", 0, "2026-03-09 10:15"},
		{"over the night", "2026-03-09 17:00", 2 * time.Hour, "2026-03-10 10:00"},
		{"over the weekend", "2026-03-06 17:00", 2 * time.Hour, "2026-03-09 10:00"},
		{"from a Saturday evening", "2026-03-07 20:00", 30 * time.Minute, "2026-03-09 09:30"},
		{"before opening", "2026-03-09 07:00", time.Hour, "2026-03-09 10:00"},
		{"platform evidence clock rolls to the next working day", "2026-04-30 16:00", 4 * time.Hour, "2026-05-06 11:00"},
		// 2025.
		{"2025 Spring Festival make-up Sunday 1/26", "2025-01-24 17:00", 2 * time.Hour, "2025-01-26 10:00"},
		{"2025 Spring Festival 1/28-2/4", "2025-01-27 17:00", 2 * time.Hour, "2025-02-05 10:00"},
		{"2025 Spring Festival make-up Saturday 2/8", "2025-02-07 17:00", 2 * time.Hour, "2025-02-08 10:00"},
		{"2025 Qingming 4/4-4/6", "2025-04-03 17:00", 2 * time.Hour, "2025-04-07 10:00"},
		{"2025 Labour Day make-up Sunday 4/27", "2025-04-25 17:00", 2 * time.Hour, "2025-04-27 10:00"},
		{"2025 Labour Day 5/1-5/5", "2025-04-30 17:00", 2 * time.Hour, "2025-05-06 10:00"},
		{"2025 Dragon Boat 5/31-6/2", "2025-05-30 17:00", 2 * time.Hour, "2025-06-03 10:00"},
		{"2025 National Day make-up Sunday 9/28", "2025-09-26 17:00", 2 * time.Hour, "2025-09-28 10:00"},
		{"2025 National Day 10/1-10/8", "2025-09-30 17:00", 2 * time.Hour, "2025-10-09 10:00"},
		{"2025 National Day make-up Saturday 10/11", "2025-10-10 17:00", 2 * time.Hour, "2025-10-11 10:00"},
		{"2025 New Year's Day", "2024-12-31 17:00", 2 * time.Hour, "2025-01-02 10:00"},
		// 2026.
		{"2026 New Year 1/1-1/3 then make-up Sunday 1/4", "2025-12-31 17:00", 2 * time.Hour, "2026-01-04 10:00"},
		{"2026 Spring Festival make-up Saturday 2/14", "2026-02-13 17:00", 2 * time.Hour, "2026-02-14 10:00"},
		{"2026 Spring Festival 2/15-2/23", "2026-02-14 17:00", 2 * time.Hour, "2026-02-24 10:00"},
		{"2026 Spring Festival make-up Saturday 2/28", "2026-02-27 17:00", 2 * time.Hour, "2026-02-28 10:00"},
		{"2026 Qingming 4/4-4/6", "2026-04-03 17:00", 2 * time.Hour, "2026-04-07 10:00"},
		{"2026 Labour Day 5/1-5/5", "2026-04-30 17:00", 2 * time.Hour, "2026-05-06 10:00"},
		{"2026 Labour Day make-up Saturday 5/9", "2026-05-08 17:00", 2 * time.Hour, "2026-05-09 10:00"},
		{"2026 Dragon Boat 6/19-6/21", "2026-06-18 17:00", 2 * time.Hour, "2026-06-22 10:00"},
		{"2026 National Day make-up Sunday 9/20", "2026-09-18 17:00", 2 * time.Hour, "2026-09-20 10:00"},
		{"2026 Mid-Autumn 9/25-9/27", "2026-09-24 17:00", 2 * time.Hour, "2026-09-28 10:00"},
		{"2026 National Day 10/1-10/7", "2026-09-30 17:00", 2 * time.Hour, "2026-10-08 10:00"},
		{"2026 National Day make-up Saturday 10/10", "2026-10-09 17:00", 2 * time.Hour, "2026-10-10 10:00"},
		{"24 business hours across National Day", "2026-09-30 09:00", 24 * time.Hour, "2026-10-09 15:00"},
		{"a business week across the Spring Festival", "2026-02-13 09:00", 45 * time.Hour, "2026-02-26 18:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cal.Add(cn(tt.start), tt.d)
			if err != nil {
				t.Fatal(err)
			}
			if want := cn(tt.want); !got.Equal(want) {
				t.Errorf("Add(%s, %v) = %s, want %s", tt.start, tt.d, got.In(shanghai).Format("2006-01-02 15:04 Mon"), want.Format("2006-01-02 15:04 Mon"))
			}
			if back := cal.Between(cn(tt.start), got); back != tt.d {
				t.Errorf("Between(%s, %s) = %v, want %v", tt.start, tt.want, back, tt.d)
			}
		})
	}
}

func TestBetweenChina(t *testing.T) {
	cal := MustCompile(ChinaCalendar("cn"))
	tests := []struct {
		from, to string
		want     time.Duration
	}{
		{"2025-09-30 17:00", "2025-10-09 10:00", 2 * time.Hour},
		{"2026-02-13 09:00", "2026-02-24 09:00", 18 * time.Hour}, // Friday and the make-up Saturday
		{"2026-03-07 10:00", "2026-03-08 17:00", 0},              // a weekend
		{"2026-03-09 12:00", "2026-03-09 12:00", 0},
		{"2026-03-10 10:00", "2026-03-09 10:00", -9 * time.Hour},
		{"2026-01-01 00:00", "2027-01-01 00:00", 248 * 9 * time.Hour}, // 261 weekdays - 19 holidays on weekdays + 6 make-up days
		{"2025-01-01 00:00", "2026-01-01 00:00", 248 * 9 * time.Hour}, // 261 - 18 + 5
	}
	for _, tt := range tests {
		if got := cal.Between(cn(tt.from), cn(tt.to)); got != tt.want {
			t.Errorf("Between(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestSub(t *testing.T) {
	cal := MustCompile(ChinaCalendar("cn"))
	tests := []struct {
		from string
		d    time.Duration
		want string
	}{
		{"2026-10-08 10:00", 2 * time.Hour, "2026-09-30 17:00"},
		{"2026-03-09 09:30", time.Hour, "2026-03-06 17:30"},
		{"2026-03-09 12:00", 0, "2026-03-09 12:00"},
		{"2026-02-24 10:00", 2 * time.Hour, "2026-02-14 17:00"},
	}
	for _, tt := range tests {
		got, err := cal.Sub(cn(tt.from), tt.d)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(cn(tt.want)) {
			t.Errorf("Sub(%s, %v) = %s, want %s", tt.from, tt.d, got.In(shanghai).Format("2006-01-02 15:04"), tt.want)
		}
	}
}

// TestDST counts business time on a New York calendar across both changes
// of 2026: 8 March (02:00 becomes 03:00) and 1 November (02:00 becomes 01:00).
func TestDST(t *testing.T) {
	allDay := []string{"00:00-24:00"}
	nightShift := MustCompile(&kefu.Calendar{TimeZone: "America/New_York", Hours: kefu.WeeklyHours{
		"mon": allDay, "tue": allDay, "wed": allDay, "thu": allDay, "fri": allDay, "sat": allDay, "sun": allDay}})
	office := MustCompile(&kefu.Calendar{TimeZone: "America/New_York", Hours: kefu.WeeklyHours{
		"mon": {"09:00-17:00"}, "tue": {"09:00-17:00"}, "wed": {"09:00-17:00"}, "thu": {"09:00-17:00"}, "fri": {"09:00-17:00"},
		"sun": {"01:00-04:00"}}})
	ny := func(s string) time.Time { return wall(newYork, s) }
	adds := []struct {
		name  string
		cal   *Calendar
		start string
		d     time.Duration
		want  time.Time
	}{
		{"spring day has 23 hours", nightShift, "2026-03-08 00:00", 24 * time.Hour, ny("2026-03-09 01:00")},
		{"autumn day has 25 hours", nightShift, "2026-11-01 00:00", 24 * time.Hour, ny("2026-11-01 23:00")},
		// Friday's last hour, then the Sunday shift: its first hour ends at
		// 03:00 EDT in spring and at the second 01:00 (EST) in autumn.
		{"office hours over the spring change", office, "2026-03-06 16:00", 2 * time.Hour, ny("2026-03-08 03:00")},
		{"office hours over the autumn change", office, "2026-10-30 16:00", 2 * time.Hour, time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)},
		{"office hours past the Sunday shift", office, "2026-03-06 16:00", 4 * time.Hour, ny("2026-03-09 10:00")},
	}
	for _, tt := range adds {
		got, err := tt.cal.Add(ny(tt.start), tt.d)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(tt.want) {
			t.Errorf("%s: Add = %s, want %s", tt.name, got.In(newYork), tt.want.In(newYork))
		}
	}
	// Sunday 01:00-04:00 loses an hour on 8 March and gains one on 1 November.
	if got := office.Between(ny("2026-03-08 00:00"), ny("2026-03-08 05:00")); got != 2*time.Hour {
		t.Errorf("spring Sunday shift = %v, want 2h", got)
	}
	if got := office.Between(ny("2026-11-01 00:00"), ny("2026-11-01 05:00")); got != 4*time.Hour {
		t.Errorf("autumn Sunday shift = %v, want 4h", got)
	}
	if got := nightShift.Between(ny("2026-03-01 00:00"), ny("2026-04-01 00:00")); got != (31*24-1)*time.Hour {
		t.Errorf("March = %v, want 743h", got)
	}
}

// TestProperties checks on random instants that adding then measuring or
// subtracting business time gives back what went in.
func TestProperties(t *testing.T) {
	allDay := []string{"00:00-24:00"}
	cals := map[string]*Calendar{
		"china":    MustCompile(ChinaCalendar("cn")),
		"weekly":   MustCompile(&kefu.Calendar{Hours: kefu.WeeklyHours{"mon": {"09:00-12:00", "13:30-18:00"}, "tue": {"09:00-18:00"}, "sat": {"10:00-16:00"}}}),
		"new_york": MustCompile(&kefu.Calendar{TimeZone: "America/New_York", Hours: kefu.WeeklyHours{"sun": {"01:00-04:00"}, "mon": allDay, "fri": {"09:00-17:00"}}}),
	}
	rng := rand.New(rand.NewPCG(7, 11))
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, cal := range cals {
		for i := 0; i < 3000; i++ {
			t0 := from.Add(time.Duration(rng.Int64N(int64(720 * 24 * time.Hour)))).Truncate(time.Second)
			d := time.Duration(rng.Int64N(int64(300*time.Hour))) + time.Second
			t1, err := cal.Add(t0, d)
			if err != nil {
				t.Fatal(err)
			}
			if got := cal.Between(t0, t1); got != d {
				t.Fatalf("%s: Between(t, Add(t, %v)) = %v for t=%s", name, d, got, t0)
			}
			if cal.Open(t0) {
				if back, _ := cal.Sub(t1, d); !back.Equal(t0) {
					t.Fatalf("%s: Sub(Add(t, %v), %v) = %s, want t=%s", name, d, d, back, t0)
				}
			}
			u := t0.Add(time.Duration(rng.Int64N(int64(40 * 24 * time.Hour))))
			if b := cal.Between(t0, u); b > 0 && cal.Open(u) {
				if got, _ := cal.Add(t0, b); !got.Equal(u) {
					t.Fatalf("%s: Add(t, Between(t, u)) = %s, want u=%s", name, got, u)
				}
			}
		}
	}
}

// TestBetweenBruteForce compares Between with counting minute by minute,
// including over spans long enough to take the whole-week shortcut.
func TestBetweenBruteForce(t *testing.T) {
	cal := MustCompile(&kefu.Calendar{Hours: kefu.WeeklyHours{"mon": {"09:00-12:00", "13:30-18:00"}, "wed": {"00:00-24:00"}, "sat": {"10:00-16:00"}}})
	rng := rand.New(rand.NewPCG(3, 5))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, shanghai)
	for i := 0; i < 40; i++ {
		a := base.Add(time.Duration(rng.IntN(60*24*30)) * time.Minute)
		b := a.Add(time.Duration(rng.IntN(60*24*45)) * time.Minute)
		var want time.Duration
		for m := a; m.Before(b); m = m.Add(time.Minute) {
			if cal.Open(m) {
				want += time.Minute
			}
		}
		if got := cal.Between(a, b); got != want {
			t.Fatalf("Between(%s, %s) = %v, minute count %v", a, b, got, want)
		}
	}
}

func TestRoundTheClock(t *testing.T) {
	var cal *Calendar
	t0 := cn("2026-10-01 10:00")
	if got, _ := cal.Add(t0, 5*time.Hour); !got.Equal(t0.Add(5 * time.Hour)) {
		t.Errorf("nil calendar Add = %s", got)
	}
	if got := cal.Between(t0, t0.Add(time.Hour)); got != time.Hour {
		t.Errorf("nil calendar Between = %v", got)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name  string
		cal   kefu.Calendar
		field string
	}{
		{"unknown zone", kefu.Calendar{TimeZone: "Mars/Olympus", Hours: ChinaOfficeHours()}, "time_zone"},
		{"unknown weekday", kefu.Calendar{Hours: kefu.WeeklyHours{"monday": {"09:00-18:00"}}}, "hours"},
		{"bad interval", kefu.Calendar{Hours: kefu.WeeklyHours{"mon": {"18:00-09:00"}}}, "hours.mon"},
		{"overlap", kefu.Calendar{Hours: kefu.WeeklyHours{"mon": {"09:00-12:00", "11:00-13:00"}}}, "hours.mon"},
		{"no hours", kefu.Calendar{Hours: kefu.WeeklyHours{}}, "hours"},
		{"bad date", kefu.Calendar{Hours: ChinaOfficeHours(), Days: []kefu.CalendarDay{{Date: "2026-13-01", Kind: kefu.DayHoliday}}}, "days[0].date"},
		{"bad kind", kefu.Calendar{Hours: ChinaOfficeHours(), Days: []kefu.CalendarDay{{Date: "2026-01-01", Kind: "party"}}}, "days[0].kind"},
	}
	for _, tt := range tests {
		_, err := Compile(&tt.cal)
		var fe *kefu.FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%s: err = %v, want a field error on %s", tt.name, err, tt.field)
		}
	}
}

func TestNoBusinessTimeLeft(t *testing.T) {
	// Only make-up days, all in the past: nothing to count in afterwards.
	cal := MustCompile(&kefu.Calendar{Days: []kefu.CalendarDay{{Date: "2026-01-04", Kind: kefu.DayWorkday}}})
	if _, err := cal.Add(cn("2026-02-01 10:00"), time.Hour); !errors.Is(err, ErrNoBusinessTime) {
		t.Errorf("err = %v, want ErrNoBusinessTime", err)
	}
	if got, err := cal.Add(cn("2026-01-03 10:00"), time.Hour); err != nil || !got.Equal(cn("2026-01-04 10:00")) {
		t.Errorf("Add = %s, %v; want the make-up day at 10:00", got, err)
	}
}

func TestChinaDays(t *testing.T) {
	count := func(days []kefu.CalendarDay, k kefu.DayKind) int {
		n := 0
		for _, d := range days {
			if d.Kind == k {
				n++
			}
		}
		return n
	}
	for _, tt := range []struct{ year, holidays, workdays int }{{2025, 28, 5}, {2026, 33, 6}} {
		days := ChinaDays(tt.year)
		if h, w := count(days, kefu.DayHoliday), count(days, kefu.DayWorkday); h != tt.holidays || w != tt.workdays {
			t.Errorf("%d: %d holidays and %d make-up days, want %d and %d", tt.year, h, w, tt.holidays, tt.workdays)
		}
		for _, d := range days {
			wd, _ := time.Parse(time.DateOnly, d.Date)
			weekend := wd.Weekday() == time.Saturday || wd.Weekday() == time.Sunday
			if d.Kind == kefu.DayWorkday && !weekend {
				t.Errorf("make-up day %s is a %s", d.Date, wd.Weekday())
			}
		}
	}
}

const chinaICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//holidays//ZH\r\n" +
	"BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20260215\r\nDTEND;VALUE=DATE:20260224\r\nSUMMARY:春节 (休)\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20260214\r\nSUMMARY:春节 补班\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:3\r\nDTSTART;VALUE=DATE:20260228\r\nDTEND;VALUE=DATE:20260301\r\nSUMMARY:Spring Festival\r\n  working day\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:4\r\nDTSTART:20261001T000000\r\nDTEND:20261003T120000\r\nSUMMARY:国庆节\\, 中秋节\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func TestParseICal(t *testing.T) {
	days, err := ParseICal(strings.NewReader(chinaICS), "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range days {
		got = append(got, d.Date+" "+string(d.Kind))
	}
	want := []string{"2026-02-14 workday"}
	for d := 15; d <= 23; d++ {
		want = append(want, time.Date(2026, 2, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)+" holiday")
	}
	want = append(want, "2026-02-28 workday", "2026-10-01 holiday", "2026-10-02 holiday", "2026-10-03 holiday")
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("days:\n got %v\nwant %v", got, want)
	}
	if days[len(days)-1].Name != "国庆节, 中秋节" {
		t.Errorf("name = %q, want the unescaped summary", days[len(days)-1].Name)
	}
	forced, err := ParseICal(strings.NewReader(chinaICS), kefu.DayHoliday)
	if err != nil || forced[0].Kind != kefu.DayHoliday {
		t.Errorf("forced kind: %v %v", forced, err)
	}
	for _, bad := range []string{
		"BEGIN:VEVENT\r\nDTSTART:2026\r\nEND:VEVENT\r\n",
		"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\n",
		"END:VEVENT\r\n",
	} {
		if _, err := ParseICal(strings.NewReader(bad), ""); !errors.Is(err, kefu.ErrInvalid) {
			t.Errorf("ParseICal(%q) err = %v, want invalid", bad, err)
		}
	}
}
