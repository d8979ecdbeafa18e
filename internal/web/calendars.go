package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
)

// weekdays are the keys of kefu.WeeklyHours in the order a week is shown.
var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// commonZones are offered beside the time zone field; any IANA name works.
var commonZones = []string{"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo",
	"Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC"}

// maxICalUpload bounds an uploaded iCalendar file; a year of holidays is a
// few kilobytes.
const maxICalUpload = 1 << 20

// hoursRow is one weekday of the weekly hours form.
type hoursRow struct {
	Key   string
	Value string // "09:00-12:00, 13:30-18:00"
}

func hoursRows(h kefu.WeeklyHours) []hoursRow {
	rows := make([]hoursRow, len(weekdays))
	for i, d := range weekdays {
		rows[i] = hoursRow{d, strings.Join(h[d], ", ")}
	}
	return rows
}

// formHours reads hours_<day> fields: intervals separated by commas (either
// width) or semicolons. Parsing and overlap checks are the calendar's own.
func formHours(r *http.Request) kefu.WeeklyHours {
	h := kefu.WeeklyHours{}
	for _, d := range weekdays {
		parts := strings.FieldsFunc(r.FormValue("hours_"+d), func(c rune) bool { return c == ',' || c == '，' || c == ';' || c == '；' })
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				h[d] = append(h[d], p)
			}
		}
	}
	return h
}

// adminCalendars lists the business calendars with the form to add one.
func (w *Web) adminCalendars(rw http.ResponseWriter, r *http.Request, v *view) {
	w.showCalendars(rw, r, v, http.StatusOK, "", nil)
}

func (w *Web) showCalendars(rw http.ResponseWriter, r *http.Request, v *view, status int, errMsg string, draft *kefu.Calendar) {
	if err := auth.Can(v.User, auth.ManageSLA); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	cals, err := w.deadlines.Calendars(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	usage, err := w.calendarTeams(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	type row struct {
		C                  *kefu.Calendar
		Hours              []hoursRow
		Holidays, Workdays int
		Teams              []string
	}
	rows := make([]row, len(cals))
	for i, c := range cals {
		rows[i] = row{C: c, Hours: hoursRows(c.Hours), Teams: usage[c.ID]}
		for _, d := range c.Days {
			if d.Kind == kefu.DayHoliday {
				rows[i].Holidays++
			} else {
				rows[i].Workdays++
			}
		}
	}
	if draft == nil {
		draft = &kefu.Calendar{TimeZone: sla.DefaultTimeZone, Hours: kefu.WeeklyHours{}}
		for _, d := range weekdays[:5] {
			draft.Hours[d] = []string{"09:00-18:00"}
		}
	}
	v.Page, v.Data = "admin", map[string]any{"Tab": "calendars", "Calendars": rows, "Draft": draft, "DraftHours": hoursRows(draft.Hours),
		"Zones": commonZones, "Error": errMsg}
	w.render(rw, r, status, "admin_calendars", "", *v)
}

// calendarTeams names the teams working on each calendar; teams that name
// none work on the default calendar, listed under id 0.
func (w *Web) calendarTeams(ctx context.Context, actor *kefu.User) (map[int64][]string, error) {
	teams, err := w.users.Teams(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := map[int64][]string{}
	for _, t := range teams {
		ts, err := w.deadlines.TeamSettings(ctx, actor, t.ID)
		if err != nil {
			return nil, err
		}
		var id int64
		if ts.CalendarID != nil {
			id = *ts.CalendarID
		}
		out[id] = append(out[id], t.Name)
	}
	return out, nil
}

// createCalendar adds a calendar from the list page's form.
func (w *Web) createCalendar(rw http.ResponseWriter, r *http.Request, v *view) {
	c := &kefu.Calendar{Name: r.FormValue("name"), TimeZone: strings.TrimSpace(r.FormValue("time_zone")), Hours: formHours(r)}
	if err := w.deadlines.CreateCalendar(r.Context(), v.User, c); err != nil {
		if fe := fieldError(err); fe != "" {
			w.showCalendars(rw, r, v, http.StatusUnprocessableEntity, fe, c)
			return
		}
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/admin/calendars/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

// calendarPage shows one calendar: its name, zone and weekly hours, its
// holidays and make-up working days of one year, the iCalendar import and
// the teams on it.
func (w *Web) calendarPage(rw http.ResponseWriter, r *http.Request, v *view) {
	w.showCalendar(rw, r, v, http.StatusOK, calendarExtra{})
}

// calendarExtra is what a post adds to the calendar page: an error with the
// values that caused it, or an import preview.
type calendarExtra struct {
	Error   string
	Draft   *kefu.Calendar // the unsaved name, zone and hours after an error
	Preview []previewDay
	ICS     string       // the previewed file, posted again to confirm
	Kind    kefu.DayKind // the kind the import forces, "" to detect
	Year    int
}

// previewDay is a date an import would add, and what it would replace.
type previewDay struct {
	kefu.CalendarDay
	Replaces *kefu.CalendarDay
}

func (w *Web) showCalendar(rw http.ResponseWriter, r *http.Request, v *view, status int, x calendarExtra) {
	c, err := w.pathCalendar(r, v)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	usage, err := w.calendarTeams(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	teams := usage[c.ID]
	if c.IsDefault {
		teams = append(teams, usage[0]...)
	}
	year := x.Year
	if year == 0 {
		year, _ = strconv.Atoi(r.URL.Query().Get("year"))
	}
	// The years with exceptions, and this year, which is shown by default.
	thisYear := time.Now().In(w.loc).Year()
	years := []int{thisYear}
	for _, d := range c.Days {
		if y, err := strconv.Atoi(d.Date[:min(4, len(d.Date))]); err == nil && !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	if !slices.Contains(years, year) {
		year = thisYear
	}
	var days []kefu.CalendarDay
	for _, d := range c.Days {
		if strings.HasPrefix(d.Date, strconv.Itoa(year)+"-") {
			days = append(days, d)
		}
	}
	draft := x.Draft
	if draft == nil {
		draft = c
	}
	job, err := lastJob(w.deadlines.RecomputeStatus(r.Context(), v.User, c.ID))
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	v.Page, v.Data = "admin", map[string]any{"Tab": "calendars", "Cal": c, "Draft": draft, "Hours": hoursRows(draft.Hours), "Zones": commonZones,
		"Teams": teams, "Years": years, "Year": year, "Days": days, "Error": x.Error, "Preview": x.Preview, "ICS": x.ICS, "Kind": x.Kind, "Recompute": job}
	w.render(rw, r, status, "admin_calendar", "", *v)
}

// calendarFail shows a field error on the calendar page (status 422, the
// calendar unchanged) and any other error as the error page.
func (w *Web) calendarFail(rw http.ResponseWriter, r *http.Request, v *view, err error, x calendarExtra) {
	if fe := fieldError(err); fe != "" {
		x.Error = fe
		w.showCalendar(rw, r, v, http.StatusUnprocessableEntity, x)
		return
	}
	w.fail(rw, r, v, err)
}

// changeCalendar loads a calendar, lets change edit it, and saves it
// through the use case, which checks it and recomputes due times.
func (w *Web) changeCalendar(r *http.Request, v *view, change func(c *kefu.Calendar) error) (*kefu.Calendar, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	c, err := w.deadlines.Calendar(r.Context(), v.User, id)
	if err != nil {
		return nil, err
	}
	if err := change(c); err != nil {
		return c, err
	}
	_, err = w.deadlines.UpdateCalendar(r.Context(), v.User, c)
	return c, err
}

// saveCalendar changes a calendar's name, zone and weekly hours.
func (w *Web) saveCalendar(rw http.ResponseWriter, r *http.Request, v *view) {
	draft := &kefu.Calendar{Name: r.FormValue("name"), TimeZone: strings.TrimSpace(r.FormValue("time_zone")), Hours: formHours(r)}
	c, err := w.changeCalendar(r, v, func(c *kefu.Calendar) error {
		c.Name, c.TimeZone, c.Hours = draft.Name, draft.TimeZone, draft.Hours
		return nil
	})
	if err != nil {
		w.calendarFail(rw, r, v, err, calendarExtra{Draft: draft})
		return
	}
	http.Redirect(rw, r, "/admin/calendars/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

// addCalendarDay adds (or replaces) one holiday or make-up working day.
func (w *Web) addCalendarDay(rw http.ResponseWriter, r *http.Request, v *view) {
	day := kefu.CalendarDay{Date: strings.TrimSpace(r.FormValue("date")), Kind: kefu.DayKind(r.FormValue("kind")), Name: strings.TrimSpace(r.FormValue("name"))}
	c, err := w.changeCalendar(r, v, func(c *kefu.Calendar) error {
		if _, err := time.Parse(time.DateOnly, day.Date); err != nil {
			return kefu.Invalid("date", "must be a date like 2026-10-01; got %q", day.Date)
		}
		c.Days = slices.DeleteFunc(c.Days, func(d kefu.CalendarDay) bool { return d.Date == day.Date })
		c.Days = append(c.Days, day)
		return nil
	})
	if err != nil {
		w.calendarFail(rw, r, v, err, calendarExtra{})
		return
	}
	http.Redirect(rw, r, "/admin/calendars/"+strconv.FormatInt(c.ID, 10)+"?year="+day.Date[:4], http.StatusSeeOther)
}

// removeCalendarDay removes one date's exception.
func (w *Web) removeCalendarDay(rw http.ResponseWriter, r *http.Request, v *view) {
	date := r.FormValue("date")
	c, err := w.changeCalendar(r, v, func(c *kefu.Calendar) error {
		n := len(c.Days)
		if c.Days = slices.DeleteFunc(c.Days, func(d kefu.CalendarDay) bool { return d.Date == date }); len(c.Days) == n {
			return kefu.Invalid("date", "%q is not on this calendar", date)
		}
		return nil
	})
	if err != nil {
		w.calendarFail(rw, r, v, err, calendarExtra{})
		return
	}
	http.Redirect(rw, r, "/admin/calendars/"+strconv.FormatInt(c.ID, 10)+"?year="+date[:min(4, len(date))], http.StatusSeeOther)
}

// importCalendar reads an uploaded iCalendar file. The first post shows what
// it would add and replace without changing anything; the admin confirms,
// which posts the same text back and imports it.
func (w *Web) importCalendar(rw http.ResponseWriter, r *http.Request, v *view) {
	if err := auth.Can(v.User, auth.ManageSLA); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	kind := kefu.DayKind(r.FormValue("kind"))
	if r.FormValue("confirm") == "1" {
		_, _, err := w.deadlines.ImportICal(r.Context(), v.User, id, strings.NewReader(r.FormValue("ics")), kind)
		if err != nil {
			w.calendarFail(rw, r, v, err, calendarExtra{})
			return
		}
		http.Redirect(rw, r, "/admin/calendars/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return
	}
	text, err := uploadedText(r, "file")
	if err != nil {
		w.calendarFail(rw, r, v, err, calendarExtra{})
		return
	}
	if kind != "" && !kind.Valid() {
		w.calendarFail(rw, r, v, kefu.Invalid("kind", "must be holiday or workday; got %q", kind), calendarExtra{})
		return
	}
	days, err := sla.ParseICal(strings.NewReader(text), kind)
	if err == nil && len(days) == 0 {
		err = kefu.Invalid("file", "has no all-day events (VEVENT with DTSTART)")
	}
	if err != nil {
		w.calendarFail(rw, r, v, err, calendarExtra{})
		return
	}
	c, err := w.deadlines.Calendar(r.Context(), v.User, id)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	old := map[string]kefu.CalendarDay{}
	for _, d := range c.Days {
		old[d.Date] = d
	}
	preview := make([]previewDay, len(days))
	for i, d := range days {
		preview[i].CalendarDay = d
		if o, ok := old[d.Date]; ok {
			preview[i].Replaces = &o
		}
	}
	y, _ := strconv.Atoi(days[0].Date[:4])
	w.showCalendar(rw, r, v, http.StatusOK, calendarExtra{Preview: preview, ICS: text, Kind: kind, Year: y})
}

// uploadedText reads a small uploaded text file.
func uploadedText(r *http.Request, field string) (string, error) {
	f, _, err := r.FormFile(field)
	if err != nil {
		return "", kefu.Invalid(field, "choose an iCalendar (.ics) file")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxICalUpload+1))
	if err != nil {
		return "", kefu.Invalid(field, "cannot be read: %v", err)
	}
	if len(b) > maxICalUpload {
		return "", kefu.Invalid(field, "is larger than %d KB", maxICalUpload>>10)
	}
	return string(b), nil
}

// deleteCalendar removes a calendar; what counted on it counts on the
// default calendar.
func (w *Web) deleteCalendar(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if err := w.deadlines.DeleteCalendar(r.Context(), v.User, id); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/admin/calendars", http.StatusSeeOther)
}

// lastJob is a background job's last run as a page shows it: nil when none
// ran yet.
func lastJob(job *store.SLARecompute, err error) (*store.SLARecompute, error) {
	if errors.Is(err, kefu.ErrNotFound) {
		return nil, nil
	}
	return job, err
}

// recomputeProgress is the calendar page's progress line alone: the page
// polls it while the background recompute after a change runs, so an admin
// sees when every due time follows the new hours.
func (w *Web) recomputeProgress(rw http.ResponseWriter, r *http.Request, v *view) {
	c, err := w.pathCalendar(r, v)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	job, err := lastJob(w.deadlines.RecomputeStatus(r.Context(), v.User, c.ID))
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	v.Data = map[string]any{"Cal": c, "Recompute": job}
	w.render(rw, r, http.StatusOK, "admin_calendar", "recompute", *v)
}

// pathCalendar returns the calendar the path names, for an admin.
func (w *Web) pathCalendar(r *http.Request, v *view) (*kefu.Calendar, error) {
	if err := auth.Can(v.User, auth.ManageSLA); err != nil {
		return nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return w.deadlines.Calendar(r.Context(), v.User, id)
}
