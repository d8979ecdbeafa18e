package sla

import (
	"context"
	"errors"
	"fmt"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// Names of what SeedDemo creates.
const (
	DemoCalendarName = "中国工作日 China working days"
	DemoPolicyName   = "默认 Default"
	DemoVIPPolicy    = "贵宾 VIP"
)

// SeedDemo gives a demo shop its deadlines: the default calendar, Monday to
// Friday 09:00–18:00 Asia/Shanghai with China's 2025 and 2026 public
// holidays and make-up working days, a VIP policy and a default policy on
// it. It changes nothing when the calendar already exists, and then
// recomputes nothing; otherwise it applies the policies to the open tickets.
func (s *Service) SeedDemo(ctx context.Context) error {
	cs, err := s.st.Calendars(ctx)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Name == DemoCalendarName {
			return nil
		}
	}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		cal := ChinaCalendar(DemoCalendarName)
		cal.IsDefault = true
		if err := s.st.CreateCalendar(ctx, cal); err != nil {
			return err
		}
		vip := kefu.VIPTier(1)
		for _, p := range []*kefu.SLAPolicy{
			{Name: DemoVIPPolicy, Description: "VIP 客户：30 分钟内首次响应，1 个工作日内解决 / VIP customers: first response in 30 minutes, resolution within a business day",
				Position: 0, Enabled: true, Conditions: kefu.SLAConditions{MinVIPTier: &vip}, CalendarID: &cal.ID,
				FirstResponseMinutes: ptr(30), NextResponseMinutes: ptr(60), ResolutionMinutes: ptr(9 * 60), WarnShare: 0.75,
				Escalation: kefu.SLAEscalation{NotifyLead: true, RaisePriority: true}},
			{Name: DemoPolicyName, Description: "2 个工作小时内首次响应，4 小时内回复追问，24 个工作小时内解决 / First response within 2 business hours, follow-ups within 4, resolution within 24",
				Position: 1, Enabled: true, CalendarID: &cal.ID,
				FirstResponseMinutes: ptr(120), NextResponseMinutes: ptr(240), ResolutionMinutes: ptr(24 * 60), WarnShare: 0.75,
				Escalation: kefu.SLAEscalation{NotifyLead: true}},
		} {
			if err := CheckPolicy(p); err != nil {
				return err
			}
			if err := s.st.CreateSLAPolicy(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed demo SLA: %w", err)
	}
	if _, err := s.ReevaluateAll(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("apply demo SLA policies: %w", err)
	}
	return nil
}

func ptr(n int) *int { return &n }
