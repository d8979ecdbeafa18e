package kefu

import "time"

// DayKind says what a calendar date is, against its weekly hours.
type DayKind string

// Day kinds.
const (
	DayHoliday DayKind = "holiday" // a public holiday: no business hours
	DayWorkday DayKind = "workday" // a make-up working day (调休), usually a Saturday or Sunday
)

// Valid reports whether k is a known day kind.
func (k DayKind) Valid() bool { return k == DayHoliday || k == DayWorkday }

// WeeklyHours maps a weekday ("mon" … "sun") to its working intervals,
// written "09:00-12:00". A missing or empty day has no business hours.
type WeeklyHours map[string][]string

// CalendarDay overrides the weekly hours on one date: a holiday, or a
// make-up working day with its own hours (default: the calendar's Monday).
type CalendarDay struct {
	Date  string   `json:"date"` // YYYY-MM-DD in the calendar's time zone
	Kind  DayKind  `json:"kind"`
	Name  string   `json:"name"`
	Hours []string `json:"hours,omitempty"`
}

// Calendar is a business calendar: working hours per weekday in a time zone,
// public holidays and make-up working days. Teams work on a calendar; SLA
// targets and promises count business time on it.
type Calendar struct {
	ID        int64         `json:"id"`
	Name      string        `json:"name"`
	TimeZone  string        `json:"time_zone"` // IANA name, default Asia/Shanghai
	Hours     WeeklyHours   `json:"hours"`
	Days      []CalendarDay `json:"days"`
	IsDefault bool          `json:"is_default"` // used by teams and policies that name none
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// SLA metrics: the targets a policy can set.
const (
	MetricFirstResponse = "first_response"
	MetricNextResponse  = "next_response"
	MetricResolution    = "resolution"
)

// SLAMetrics lists the metrics in the order they are shown.
var SLAMetrics = []string{MetricFirstResponse, MetricNextResponse, MetricResolution}

// SLAConditions selects the tickets a policy applies to. Empty lists match
// everything; all non-empty conditions must hold.
type SLAConditions struct {
	Channels    []Channel    `json:"channels,omitempty"`
	Types       []TicketType `json:"types,omitempty"`
	Priorities  []Priority   `json:"priorities,omitempty"`
	CategoryIDs []int64      `json:"category_ids,omitempty"` // a group matches its problems too
	TeamIDs     []int64      `json:"team_ids,omitempty"`
	MinVIPTier  *VIPTier     `json:"min_vip_tier,omitempty"`
}

// SLAEscalation is what kefu does when a target is breached.
type SLAEscalation struct {
	NotifyLead     bool   `json:"notify_lead"`      // notify the team's supervisors (all supervisors if the team has none)
	RaisePriority  bool   `json:"raise_priority"`   // one step up, at most urgent
	ReassignUserID *int64 `json:"reassign_user_id"` // hand the ticket to this agent
	ReassignTeamID *int64 `json:"reassign_team_id"` // or to this team's queue
}

// SLAPolicy sets response and resolution targets, in business minutes on a
// calendar, for the tickets its conditions select. Policies are tried in
// Position order; the first enabled one that matches applies.
type SLAPolicy struct {
	ID                   int64         `json:"id"`
	Name                 string        `json:"name"`
	Description          string        `json:"description"`
	Position             int           `json:"position"`
	Enabled              bool          `json:"enabled"`
	Conditions           SLAConditions `json:"conditions"`
	CalendarID           *int64        `json:"calendar_id"` // nil: the ticket team's calendar, then the default, then round the clock
	FirstResponseMinutes *int          `json:"first_response_minutes"`
	NextResponseMinutes  *int          `json:"next_response_minutes"`
	ResolutionMinutes    *int          `json:"resolution_minutes"`
	WarnShare            float64       `json:"warn_share"`     // warn when this share of a target is used, e.g. 0.75; 0 never
	PauseStatuses        []Status      `json:"pause_statuses"` // the clock stops in these, default [pending]
	Escalation           SLAEscalation `json:"escalation"`
	CreatedAt            time.Time     `json:"created_at"`
	UpdatedAt            time.Time     `json:"updated_at"`
}

// Minutes returns the policy's target for metric, 0 when it sets none.
func (p *SLAPolicy) Minutes(metric string) int {
	var m *int
	switch metric {
	case MetricFirstResponse:
		m = p.FirstResponseMinutes
	case MetricNextResponse:
		m = p.NextResponseMinutes
	case MetricResolution:
		m = p.ResolutionMinutes
	}
	if m == nil || *m < 0 {
		return 0
	}
	return *m
}

// Pauses reports whether the policy's clock stops in status s.
func (p *SLAPolicy) Pauses(s Status) bool { return oneOf(s, p.PauseStatuses) }

// SLA target states.
const (
	TargetRunning   = "running"
	TargetPaused    = "paused"
	TargetMet       = "met"
	TargetCancelled = "cancelled" // the ticket was solved or merged before the target was needed
)

// SLATarget is one target's clock on a ticket.
type SLATarget struct {
	Metric           string     `json:"metric"`
	State            string     `json:"state"`
	TargetMinutes    int        `json:"target_minutes"`
	StartedAt        time.Time  `json:"started_at"`
	DueAt            *time.Time `json:"due_at"`            // nil while paused or done
	WarnAt           *time.Time `json:"warn_at"`           // nil when no warning is due
	RemainingSeconds int64      `json:"remaining_seconds"` // business seconds left; negative once breached
	WarnedAt         *time.Time `json:"warned_at"`
	BreachedAt       *time.Time `json:"breached_at"`
	MetAt            *time.Time `json:"met_at"`
}

// TicketSLA is what a ticket's JSON says about its SLA: the due time of each
// running target (null where no target applies, or while the clock is
// paused) and the targets breached so far in the current cycle.
type TicketSLA struct {
	PolicyID           *int64      `json:"policy_id"`
	PolicyName         string      `json:"policy_name"`
	FirstResponseDueAt *time.Time  `json:"first_response_due_at"`
	NextResponseDueAt  *time.Time  `json:"next_response_due_at"`
	ResolutionDueAt    *time.Time  `json:"resolution_due_at"`
	Breached           []string    `json:"breached"`
	Paused             bool        `json:"paused"`
	Targets            []SLATarget `json:"targets"`
}

// Promise kinds.
const (
	PromiseFollowUp = "follow_up" // "we will get back to you by …"
	PromiseHandoff  = "handoff"   // a department must answer by …
)

// Promise states.
const (
	PromiseOpen      = "open"
	PromiseKept      = "kept"
	PromiseCancelled = "cancelled"
)

// Promise is a deadline an agent gave a customer, or a department accepted
// with a hand-off. kefu reminds the owner before it is due and lists it as
// at risk once overdue, until it is kept or cancelled.
type Promise struct {
	ID          int64      `json:"id"`
	TicketID    int64      `json:"ticket_id"`
	Kind        string     `json:"kind"`
	State       string     `json:"state"`
	OwnerUserID *int64     `json:"owner_user_id"` // who keeps it (the agent, or nil for a department's queue)
	TeamID      *int64     `json:"team_id"`       // the department of a hand-off
	Note        string     `json:"note"`          // what was promised, shown in reminders and the progress reply
	DueAt       time.Time  `json:"due_at"`
	RemindAt    time.Time  `json:"remind_at"`
	RemindedAt  *time.Time `json:"reminded_at"`
	OverdueAt   *time.Time `json:"overdue_at"` // when kefu noticed it was missed
	KeptAt      *time.Time `json:"kept_at"`
	CreatedBy   int64      `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
}

// Notification tells a user something needs them: a reminder, a warning, an
// escalation. Messages are bilingual; the workspace shows the user's language.
type Notification struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	TicketID  *int64     `json:"ticket_id"`
	Kind      string     `json:"kind"` // sla.warning, sla.breached, promise.reminder, promise.overdue, …
	TextZH    string     `json:"text_zh"`
	TextEN    string     `json:"text_en"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// SLA and promise event types.
const (
	EventSLAWarning      = "sla.warning"
	EventSLABreached     = "sla.breached"
	EventSLAEscalated    = "sla.escalated"
	EventPromiseCreated  = "promise.created"
	EventPromiseDueSoon  = "promise.due_soon"
	EventPromiseOverdue  = "promise.overdue"
	EventPromiseKept     = "promise.kept"
	EventPromiseCanceled = "promise.cancelled"
)

// SLAClock is the stored state of one SLA target of a ticket. Consumed is
// the business time used before RunningSince; while running, the target is
// due at Calendar.Add(RunningSince, Target−Consumed), so due times can be
// recomputed from the clock alone after a calendar or policy change.
type SLAClock struct {
	TicketID      int64
	Metric        string
	PolicyID      *int64
	CalendarID    *int64
	State         string
	TargetMinutes int
	WarnShare     float64
	StartedAt     time.Time
	Consumed      time.Duration
	RunningSince  *time.Time
	DueAt         *time.Time
	WarnAt        *time.Time
	WarnedAt      *time.Time
	BreachedAt    *time.Time
	MetAt         *time.Time
	UpdatedAt     time.Time
}

// Active reports whether the clock still counts (running or paused).
func (c *SLAClock) Active() bool { return c.State == TargetRunning || c.State == TargetPaused }

// Target is the clock's target as a duration.
func (c *SLAClock) Target() time.Duration { return time.Duration(c.TargetMinutes) * time.Minute }

// SLAResult is one finished cycle of a target, kept for reports.
type SLAResult struct {
	TicketID        int64     `json:"ticket_id"`
	Metric          string    `json:"metric"`
	PolicyID        *int64    `json:"policy_id"`
	TargetMinutes   int       `json:"target_minutes"`
	StartedAt       time.Time `json:"started_at"`
	EndedAt         time.Time `json:"ended_at"`
	Outcome         string    `json:"outcome"` // met or cancelled
	Breached        bool      `json:"breached"`
	BusinessSeconds int64     `json:"business_seconds"`
}
