package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const calendarCols = `id, name, time_zone, hours, days, is_default, created_at, updated_at`

func scanCalendar(sc interface{ Scan(...any) error }, c *kefu.Calendar) error {
	var hours, days string
	if err := sc.Scan(&c.ID, &c.Name, &c.TimeZone, textCol{&hours}, textCol{&days}, &c.IsDefault, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}); err != nil {
		return err
	}
	c.Hours, c.Days = kefu.WeeklyHours{}, []kefu.CalendarDay{}
	if err := json.Unmarshal([]byte(hours), &c.Hours); err != nil {
		return fmt.Errorf("decode hours of calendar %d: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(days), &c.Days); err != nil {
		return fmt.Errorf("decode days of calendar %d: %w", c.ID, err)
	}
	return nil
}

func calendarJSON(c *kefu.Calendar) (hours, days string, err error) {
	h, err := json.Marshal(c.Hours)
	if err != nil {
		return "", "", err
	}
	if c.Days == nil {
		c.Days = []kefu.CalendarDay{}
	}
	d, err := json.Marshal(c.Days)
	return string(h), string(d), err
}

// CreateCalendar inserts c and sets c.ID. A default calendar takes the
// default from any other.
func (s *Store) CreateCalendar(ctx context.Context, c *kefu.Calendar) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		hours, days, err := calendarJSON(c)
		if err != nil {
			return err
		}
		c.CreatedAt = now()
		c.UpdatedAt = c.CreatedAt
		if c.IsDefault {
			if _, err := s.exec(ctx, `UPDATE calendars SET is_default = ? WHERE is_default = ?`, false, true); err != nil {
				return fmt.Errorf("clear default calendar: %w", err)
			}
		}
		err = s.writeRow(ctx, `INSERT INTO calendars (name, time_zone, hours, days, is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Name, c.TimeZone, hours, days, c.IsDefault, c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
		if isUniqueViolation(err) {
			return &kefu.ConflictError{Field: "name", Message: fmt.Sprintf("a calendar named %s already exists", c.Name)}
		}
		if err != nil {
			return fmt.Errorf("insert calendar: %w", err)
		}
		return nil
	})
}

// UpdateCalendar writes every field of c.
func (s *Store) UpdateCalendar(ctx context.Context, c *kefu.Calendar) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		hours, days, err := calendarJSON(c)
		if err != nil {
			return err
		}
		c.UpdatedAt = now()
		if c.IsDefault {
			if _, err := s.exec(ctx, `UPDATE calendars SET is_default = ? WHERE is_default = ? AND id <> ?`, false, true, c.ID); err != nil {
				return fmt.Errorf("clear default calendar: %w", err)
			}
		}
		res, err := s.exec(ctx, `UPDATE calendars SET name = ?, time_zone = ?, hours = ?, days = ?, is_default = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.TimeZone, hours, days, c.IsDefault, c.UpdatedAt, c.ID)
		if isUniqueViolation(err) {
			return &kefu.ConflictError{Field: "name", Message: fmt.Sprintf("a calendar named %s already exists", c.Name)}
		}
		if err != nil {
			return fmt.Errorf("update calendar %d: %w", c.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kefu.NotFound("calendar")
		}
		return nil
	})
}

// DeleteCalendar removes a calendar; teams, policies and clocks on it fall
// back to the default calendar.
func (s *Store) DeleteCalendar(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, `DELETE FROM calendars WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete calendar %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.NotFound("calendar")
	}
	return nil
}

// Calendar returns the calendar with id.
func (s *Store) Calendar(ctx context.Context, id int64) (*kefu.Calendar, error) {
	var c kefu.Calendar
	if err := scanCalendar(s.queryRow(ctx, `SELECT `+calendarCols+` FROM calendars WHERE id = ?`, id), &c); err != nil {
		return nil, notFound(err, "calendar")
	}
	return &c, nil
}

// Calendars lists every calendar by name.
func (s *Store) Calendars(ctx context.Context) ([]*kefu.Calendar, error) {
	rows, err := s.query(ctx, `SELECT `+calendarCols+` FROM calendars ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list calendars: %w", err)
	}
	defer rows.Close()
	cs := []*kefu.Calendar{}
	for rows.Next() {
		c := &kefu.Calendar{}
		if err := scanCalendar(rows, c); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// TeamSettings are a team's calendar and routing.
type TeamSettings struct {
	TeamID       int64  `json:"team_id"`
	CalendarID   *int64 `json:"calendar_id"`
	Strategy     string `json:"strategy"` // manual, round_robin, least_loaded
	BySkill      bool   `json:"by_skill"`
	ByLanguage   bool   `json:"by_language"`
	GraceMinutes int    `json:"grace_minutes"` // offline agents keep their waiting work this long
	LastUserID   *int64 `json:"-"`
}

// TeamSettings returns a team's settings, the defaults when none are stored.
func (s *Store) TeamSettings(ctx context.Context, teamID int64) (*TeamSettings, error) {
	ts := &TeamSettings{TeamID: teamID, Strategy: "manual", GraceMinutes: 10}
	err := s.queryRow(ctx, `SELECT calendar_id, strategy, by_skill, by_language, grace_minutes, last_user_id FROM team_settings WHERE team_id = ?`, teamID).
		Scan(nullInt{&ts.CalendarID}, &ts.Strategy, &ts.BySkill, &ts.ByLanguage, &ts.GraceMinutes, nullInt{&ts.LastUserID})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read settings of team %d: %w", teamID, err)
	}
	return ts, nil
}

// SaveTeamSettings stores a team's settings.
func (s *Store) SaveTeamSettings(ctx context.Context, ts *TeamSettings) error {
	_, err := s.exec(ctx, `INSERT INTO team_settings (team_id, calendar_id, strategy, by_skill, by_language, grace_minutes, last_user_id, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (team_id) DO UPDATE SET calendar_id = excluded.calendar_id, strategy = excluded.strategy,
		by_skill = excluded.by_skill, by_language = excluded.by_language, grace_minutes = excluded.grace_minutes,
		last_user_id = excluded.last_user_id, updated_at = excluded.updated_at`,
		ts.TeamID, ts.CalendarID, ts.Strategy, ts.BySkill, ts.ByLanguage, ts.GraceMinutes, ts.LastUserID, now())
	if isForeignKeyViolation(err) {
		return &kefu.NotFoundError{What: "calendar", Field: "calendar_id"}
	}
	if err != nil {
		return fmt.Errorf("save settings of team %d: %w", ts.TeamID, err)
	}
	return nil
}
