package sla

import (
	"github.com/kefu-dev/kefu/internal/kefu"
)

// Facts are what policy conditions look at besides the ticket itself.
type Facts struct {
	VIPTier kefu.VIPTier
	// CategoryParent is the group of the ticket's category, so a policy on
	// "logistics" covers "logistics.delivery_delay".
	CategoryParent *int64
}

// Match returns the first enabled policy, in the order given, whose
// conditions the ticket meets, or nil.
func Match(policies []*kefu.SLAPolicy, t *kefu.Ticket, f Facts) *kefu.SLAPolicy {
	for _, p := range policies {
		if p.Enabled && Matches(&p.Conditions, t, f) {
			return p
		}
	}
	return nil
}

// Matches reports whether a ticket meets every condition that is set.
func Matches(c *kefu.SLAConditions, t *kefu.Ticket, f Facts) bool {
	if len(c.Channels) > 0 && !contains(c.Channels, t.Channel) {
		return false
	}
	if len(c.Types) > 0 && !contains(c.Types, t.Type) {
		return false
	}
	if len(c.Priorities) > 0 && !contains(c.Priorities, t.Priority) {
		return false
	}
	if len(c.TeamIDs) > 0 && (t.TeamID == nil || !contains(c.TeamIDs, *t.TeamID)) {
		return false
	}
	if len(c.CategoryIDs) > 0 {
		in := t.CategoryID != nil && contains(c.CategoryIDs, *t.CategoryID)
		if !in && f.CategoryParent != nil && contains(c.CategoryIDs, *f.CategoryParent) {
			in = true
		}
		if !in {
			return false
		}
	}
	if c.MinVIPTier != nil && f.VIPTier < *c.MinVIPTier {
		return false
	}
	return true
}

func contains[T comparable](set []T, v T) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// CheckPolicy validates a policy before it is stored and fills defaults.
func CheckPolicy(p *kefu.SLAPolicy) error {
	name, err := kefu.CleanText("name", p.Name, 1, 200)
	if err != nil {
		return err
	}
	p.Name = name
	if p.Description, err = kefu.CleanText("description", p.Description, 0, 2000); err != nil {
		return err
	}
	for field, m := range map[string]*int{"first_response_minutes": p.FirstResponseMinutes, "next_response_minutes": p.NextResponseMinutes, "resolution_minutes": p.ResolutionMinutes} {
		if m != nil && (*m <= 0 || *m > 366*24*60) {
			return kefu.Invalid(field, "must be between 1 and %d minutes, or null for no target", 366*24*60)
		}
	}
	if p.FirstResponseMinutes == nil && p.NextResponseMinutes == nil && p.ResolutionMinutes == nil {
		return kefu.Invalid("first_response_minutes", "a policy needs at least one target")
	}
	if p.WarnShare < 0 || p.WarnShare >= 1 {
		return kefu.Invalid("warn_share", "must be at least 0 (no warning) and below 1, e.g. 0.75")
	}
	if p.PauseStatuses == nil {
		p.PauseStatuses = []kefu.Status{kefu.StatusPending}
	}
	for _, s := range p.PauseStatuses {
		if !s.Valid() || !s.Active() || s == kefu.StatusNew {
			return kefu.Invalid("pause_statuses", "may hold open, pending and on_hold; got %q", s)
		}
	}
	c := &p.Conditions
	for _, v := range c.Channels {
		if !v.Valid() {
			return kefu.Invalid("conditions.channels", "unknown channel %q", v)
		}
	}
	for _, v := range c.Types {
		if !v.Valid() {
			return kefu.Invalid("conditions.types", "unknown type %q", v)
		}
	}
	for _, v := range c.Priorities {
		if !v.Valid() {
			return kefu.Invalid("conditions.priorities", "unknown priority %q", v)
		}
	}
	if c.MinVIPTier != nil && *c.MinVIPTier < 0 {
		return kefu.Invalid("conditions.min_vip_tier", "must be 0 or more")
	}
	if e := p.Escalation; e.ReassignUserID != nil && e.ReassignTeamID != nil {
		return kefu.Invalid("escalation.reassign_user_id", "reassign to an agent or to a team, not both")
	}
	return nil
}
