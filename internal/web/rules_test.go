package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kefu-dev/kefu/internal/automation"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// upload posts a multipart form with one file, as a browser would.
func (b *browser) upload(path string, fields url.Values, field, name, content string) (int, string) {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile(field, name)
	_, _ = io.WriteString(fw, content)
	_ = mw.Close()
	res, err := b.c.Post(b.base+path, mw.FormDataContentType(), &buf)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func calendarNamed(t *testing.T, st *store.Store, name string) *kefu.Calendar {
	t.Helper()
	cals, err := st.Calendars(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cals {
		if c.Name == name {
			return c
		}
	}
	return nil
}

const holidayICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" +
	"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260501\r\nDTEND;VALUE=DATE:20260504\r\nSUMMARY:劳动节\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260509\r\nSUMMARY:劳动节补班\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// TestCalendarAdmin: an admin creates a calendar with split hours, adds and
// removes holidays, previews and confirms an iCalendar import, and sees the
// teams on it; bad input is refused with its reason and changes nothing;
// supervisors are refused.
func TestCalendarAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		base := newSite(t, st, true)
		ctx := context.Background()
		admin := newBrowser(t, base)
		admin.signIn("admin@demo.test", "demo")
		lead := newBrowser(t, base)
		lead.signIn("lead@demo.test", "demo")
		const name = "上海仓 Warehouse"

		// The refusal names who may: admins only.
		if code, body, _ := lead.get("/admin/calendars"); code != http.StatusForbidden || !strings.Contains(body, "管理员") || !strings.Contains(body, "主管") {
			t.Errorf("supervisor opens calendars: %d, the 403 does not name the roles", code)
		}
		if code, _, _ := lead.post("/admin/calendars", url.Values{"csrf": {lead.csrf}, "name": {name}, "hours_mon": {"09:00-18:00"}}); code != http.StatusForbidden {
			t.Errorf("supervisor creates a calendar: %d", code)
		}
		for _, bad := range []struct {
			form url.Values
			says string
		}{
			{url.Values{"hours_mon": {"09:00-12:00, 11:00-18:00"}}, "overlap"},
			{url.Values{"hours_mon": {"09:00-18:00"}, "time_zone": {"Mars/Olympus"}}, "unknown time zone"},
			{url.Values{"hours_tue": {"9 to 5"}}, "hours.tue"},
			{url.Values{}, "at least one weekday"},
		} {
			bad.form.Set("csrf", admin.csrf)
			bad.form.Set("name", name)
			code, body, _ := admin.post("/admin/calendars", bad.form)
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, bad.says) {
				t.Errorf("bad calendar %v: %d, want 422 saying %q", bad.form, code, bad.says)
			}
		}
		if calendarNamed(t, st, name) != nil {
			t.Fatal("a refused calendar was stored")
		}
		code, _, h := admin.post("/admin/calendars", url.Values{"csrf": {admin.csrf}, "name": {name}, "time_zone": {"Asia/Shanghai"},
			"hours_mon": {"09:00-12:00，13:00-18:00"}, "hours_sat": {"10:00-16:00"}})
		c := calendarNamed(t, st, name)
		if code != http.StatusSeeOther || c == nil {
			t.Fatalf("create calendar: %d", code)
		}
		page := "/admin/calendars/" + itoa(c.ID)
		if h.Get("Location") != page || strings.Join(c.Hours["mon"], "|") != "09:00-12:00|13:00-18:00" || len(c.Hours["sat"]) != 1 || len(c.Hours["tue"]) != 0 {
			t.Errorf("stored calendar: %s %v", h.Get("Location"), c.Hours)
		}

		// Days by hand.
		admin.post(page+"/days", url.Values{"csrf": {admin.csrf}, "date": {"2026-10-01"}, "kind": {"holiday"}, "name": {"国庆节"}})
		admin.post(page+"/days", url.Values{"csrf": {admin.csrf}, "date": {"2026-10-10"}, "kind": {"workday"}, "name": {"国庆补班"}})
		if code, body, _ := admin.post(page+"/days", url.Values{"csrf": {admin.csrf}, "date": {"2026-13-01"}, "kind": {"holiday"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "date") {
			t.Errorf("bad date: %d", code)
		}
		if code, body, _ := admin.post(page+"/days", url.Values{"csrf": {admin.csrf}, "date": {"2026-10-02"}, "kind": {"party"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "holiday or workday") {
			t.Errorf("bad kind: %d", code)
		}
		c = calendarNamed(t, st, name)
		if len(c.Days) != 2 || c.Days[0].Date != "2026-10-01" || c.Days[1].Kind != kefu.DayWorkday {
			t.Errorf("days after adding: %+v", c.Days)
		}
		admin.post(page+"/days/remove", url.Values{"csrf": {admin.csrf}, "date": {"2026-10-10"}})
		if c = calendarNamed(t, st, name); len(c.Days) != 1 {
			t.Errorf("days after removing: %+v", c.Days)
		}
		_, body, _ := admin.get(page + "?year=2026")
		if !strings.Contains(body, "国庆节") || !strings.Contains(body, "2026-10-01") {
			t.Error("the page does not list the 2026 holiday")
		}

		// Import: the preview changes nothing; confirming adds the days.
		code, body = admin.upload(page+"/import", url.Values{"csrf": {admin.csrf}}, "file", "cn.ics", holidayICS)
		if code != http.StatusOK || !strings.Contains(body, "2026-05-03") || !strings.Contains(body, "劳动节补班") || !strings.Contains(body, `name="confirm"`) {
			t.Fatalf("import preview: %d", code)
		}
		if c = calendarNamed(t, st, name); len(c.Days) != 1 {
			t.Errorf("the preview changed the calendar: %+v", c.Days)
		}
		code, body = admin.upload(page+"/import", url.Values{"csrf": {admin.csrf}}, "file", "bad.ics", "BEGIN:VEVENT\nDTSTART:someday\nEND:VEVENT\n")
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "DTSTART") {
			t.Errorf("bad .ics: %d", code)
		}
		if code, _ = admin.upload(page+"/import", url.Values{"csrf": {admin.csrf}}, "file", "empty.ics", "hello"); code != http.StatusUnprocessableEntity {
			t.Errorf(".ics without events: %d", code)
		}
		if code, _, _ := admin.post(page+"/import", url.Values{"csrf": {admin.csrf}, "confirm": {"1"}, "ics": {holidayICS}}); code != http.StatusSeeOther {
			t.Errorf("confirm import: %d", code)
		}
		c = calendarNamed(t, st, name)
		kinds := map[string]kefu.DayKind{}
		for _, d := range c.Days {
			kinds[d.Date] = d.Kind
		}
		if len(c.Days) != 5 || kinds["2026-05-02"] != kefu.DayHoliday || kinds["2026-05-09"] != kefu.DayWorkday || kinds["2026-10-01"] != kefu.DayHoliday {
			t.Errorf("days after import: %v", kinds)
		}

		// Editing the hours: an overlap is refused and changes nothing.
		if code, body, _ := admin.post(page, url.Values{"csrf": {admin.csrf}, "name": {name}, "hours_mon": {"08:00-17:00, 16:00-20:00"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "overlap") {
			t.Errorf("overlapping edit: %d", code)
		}
		if c2 := calendarNamed(t, st, name); strings.Join(c2.Hours["mon"], "|") != "09:00-12:00|13:00-18:00" {
			t.Errorf("a refused edit changed the hours: %v", c2.Hours)
		}
		if code, _, _ := admin.post(page, url.Values{"csrf": {admin.csrf}, "name": {name}, "time_zone": {"Europe/Berlin"}, "hours_fri": {"08:00-16:00"}}); code != http.StatusSeeOther {
			t.Errorf("edit: %d", code)
		}
		if c2 := calendarNamed(t, st, name); c2.TimeZone != "Europe/Berlin" || len(c2.Hours["mon"]) != 0 || len(c2.Days) != 5 {
			t.Errorf("after edit: %s %v, %d days", c2.TimeZone, c2.Hours, len(c2.Days))
		}

		// The edit recomputes due times in the background; the page shows
		// how far that got, and its progress line refreshes alone.
		if _, body, _ := admin.get(page); !strings.Contains(body, `id="jobprogress"`) {
			t.Error("the calendar page does not show the recompute after an edit")
		}
		if code, body, _ := admin.get(page + "/recompute"); code != http.StatusOK || !strings.Contains(body, `id="jobprogress"`) || strings.Contains(body, "<html") ||
			!(strings.Contains(body, "正在重新计算") || strings.Contains(body, "已于")) {
			t.Errorf("recompute progress: %d %q", code, body)
		}
		if code, _, _ := lead.get(page + "/recompute"); code != http.StatusForbidden {
			t.Errorf("supervisor reads the recompute progress: %d", code)
		}

		// The teams that work on it are named.
		wh, _ := st.TeamByName(ctx, "仓库")
		if err := st.SaveTeamSettings(ctx, &store.TeamSettings{TeamID: wh.ID, CalendarID: &c.ID, Strategy: "manual"}); err != nil {
			t.Fatal(err)
		}
		if _, body, _ := admin.get(page); !strings.Contains(body, "仓库") {
			t.Error("the calendar page does not name the team on it")
		}
		if code, _, _ := lead.post(page+"/delete", url.Values{"csrf": {lead.csrf}}); code != http.StatusForbidden {
			t.Errorf("supervisor deletes a calendar: %d", code)
		}
		if code, _, _ := admin.post(page+"/delete", url.Values{"csrf": {admin.csrf}}); code != http.StatusSeeOther || calendarNamed(t, st, name) != nil {
			t.Errorf("delete calendar: %d", code)
		}
	})
}

func policyNamed(t *testing.T, st *store.Store, name string) (*kefu.SLAPolicy, int) {
	t.Helper()
	ps, err := st.SLAPolicies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range ps {
		if p.Name == name {
			return p, i
		}
	}
	return nil, -1
}

// TestPolicyAdmin: an admin creates a policy with conditions, a calendar,
// targets and escalation, moves it up, disables, edits and deletes it; bad
// input is refused and changes nothing; supervisors are refused.
func TestPolicyAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		base := newSite(t, st, true)
		ctx := context.Background()
		admin := newBrowser(t, base)
		admin.signIn("admin@demo.test", "demo")
		lead := newBrowser(t, base)
		lead.signIn("lead@demo.test", "demo")
		cals, _ := st.Calendars(ctx)
		wh, _ := st.TeamByName(ctx, "仓库")
		before, _ := st.SLAPolicies(ctx)
		const name = "电话加急 Phone urgent"
		form := func(extra url.Values) url.Values {
			f := url.Values{"name": {name}, "enabled": {"1"}, "pause_set": {"1"}, "pause_statuses": {"pending", "on_hold"},
				"channels": {"phone", "email"}, "priorities": {"urgent"}, "team_ids": {itoa(wh.ID)}, "min_vip_tier": {"2"},
				"calendar_id": {itoa(cals[0].ID)}, "first_response_minutes": {"30"}, "resolution_minutes": {"240"}, "warn_percent": {"80"},
				"notify_lead": {"1"}, "reassign_team_id": {itoa(wh.ID)}}
			for k, v := range extra {
				f[k] = v
			}
			return f
		}

		if code, _, _ := lead.post("/admin/sla", url.Values{"csrf": {lead.csrf}, "name": {"x"}, "first_response_minutes": {"30"}}); code != http.StatusForbidden {
			t.Errorf("supervisor creates a policy: %d", code)
		}
		for _, bad := range []struct {
			extra url.Values
			says  string
		}{
			{url.Values{"first_response_minutes": {""}, "resolution_minutes": {""}}, "at least one target"},
			{url.Values{"warn_percent": {"150"}}, "warn_share"},
			{url.Values{"first_response_minutes": {"half an hour"}}, "whole number of minutes"},
			{url.Values{"calendar_id": {"99999999"}}, "calendar"},
			{url.Values{"reassign_user_id": {itoa(agentID(t, st))}}, "not both"},
		} {
			f := form(bad.extra)
			f.Set("csrf", admin.csrf)
			code, body, _ := admin.post("/admin/sla", f)
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, bad.says) || !strings.Contains(body, `value="`+name+`"`) {
				t.Errorf("bad policy %v: %d, want 422 saying %q with the form kept", bad.extra, code, bad.says)
			}
		}
		if after, _ := st.SLAPolicies(ctx); len(after) != len(before) {
			t.Fatalf("refused policies were stored: %d → %d", len(before), len(after))
		}

		f := form(nil)
		f.Set("csrf", admin.csrf)
		if code, _, _ := admin.post("/admin/sla", f); code != http.StatusSeeOther {
			t.Fatalf("create policy: %d", code)
		}
		p, pos := policyNamed(t, st, name)
		if p == nil || pos != len(before) {
			t.Fatalf("new policy at %d, want last (%d)", pos, len(before))
		}
		c := p.Conditions
		if len(c.Channels) != 2 || len(c.Priorities) != 1 || len(c.TeamIDs) != 1 || c.MinVIPTier == nil || *c.MinVIPTier != 2 || *p.CalendarID != cals[0].ID ||
			*p.FirstResponseMinutes != 30 || p.NextResponseMinutes != nil || *p.ResolutionMinutes != 240 || p.WarnShare != 0.8 ||
			len(p.PauseStatuses) != 2 || !p.Escalation.NotifyLead || p.Escalation.RaisePriority || *p.Escalation.ReassignTeamID != wh.ID || !p.Enabled {
			t.Errorf("stored policy: %+v", p)
		}
		if _, body, _ := admin.get("/admin/sla"); !strings.Contains(body, name) || !strings.Contains(body, "4 小时") {
			t.Error("the list does not show the policy and its resolution target")
		}
		// The new policy reached the demo's open tickets before the answer
		// (a small shop: inside the inline budget); the page says so, and
		// its progress line can be asked for alone.
		if _, body, _ := admin.get("/admin/sla"); !strings.Contains(body, `id="jobprogress"`) || !strings.Contains(body, "已于") {
			t.Error("the policies page does not say the change reached the open tickets")
		}
		if code, body, _ := admin.get("/admin/sla/progress"); code != http.StatusOK || !strings.Contains(body, `id="jobprogress"`) || strings.Contains(body, "<html") {
			t.Errorf("policy progress line: %d %q", code, body)
		}
		if code, _, _ := lead.get("/admin/sla/progress"); code != http.StatusForbidden {
			t.Errorf("supervisor reads the policy progress: %d", code)
		}
		page := "/admin/sla/" + itoa(p.ID)
		admin.post(page+"/move", url.Values{"csrf": {admin.csrf}, "dir": {"up"}})
		if _, pos := policyNamed(t, st, name); pos != len(before)-1 {
			t.Errorf("after moving up: at %d, want %d", pos, len(before)-1)
		}
		if code, _, _ := lead.post(page+"/toggle", url.Values{"csrf": {lead.csrf}, "enabled": {"0"}}); code != http.StatusForbidden {
			t.Errorf("supervisor disables a policy: %d", code)
		}
		admin.post(page+"/toggle", url.Values{"csrf": {admin.csrf}, "enabled": {"0"}})
		if p, _ := policyNamed(t, st, name); p.Enabled {
			t.Error("the policy is still enabled")
		}
		f = form(url.Values{"name": {"电话 Phone"}, "pause_statuses": nil, "first_response_minutes": {"45"}})
		f.Set("csrf", admin.csrf)
		if code, _, _ := admin.post(page, f); code != http.StatusSeeOther {
			t.Errorf("edit policy: %d", code)
		}
		if p, pos := policyNamed(t, st, "电话 Phone"); p == nil || *p.FirstResponseMinutes != 45 || len(p.PauseStatuses) != 0 || pos != len(before)-1 {
			t.Errorf("after edit: %+v at %d", p, pos)
		}
		admin.post(page+"/delete", url.Values{"csrf": {admin.csrf}})
		if after, _ := st.SLAPolicies(ctx); len(after) != len(before) {
			t.Errorf("after delete: %d policies, want %d", len(after), len(before))
		}
	})
}

// TestRuleAdmin: an admin writes rules with the form (no JSON), reorders
// and disables them, and dry-runs one against a demo ticket, which shows
// the conditions that passed and failed and the actions it would take,
// and changes nothing; bad rules are refused; supervisors are refused.
func TestRuleAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		base := newSite(t, st, true)
		ctx := context.Background()
		admin := newBrowser(t, base)
		admin.signIn("admin@demo.test", "demo")
		lead := newBrowser(t, base)
		lead.signIn("lead@demo.test", "demo")
		wh, _ := st.TeamByName(ctx, "仓库")
		agent := agentID(t, st)
		rule := url.Values{"name": {"加急转仓库 Urgent to warehouse"}, "enabled": {"1"}, "trigger": {"ticket.created", "customer.replied"},
			"c_field": {"ticket.priority", "customer.tags", ""}, "c_op": {"in", "not_contains", "eq"}, "c_value": {"high, urgent", "黑名单", ""},
			"a_type": {"add_tags", "assign", "notify", ""}, "a_who": {"", "team:" + itoa(wh.ID), "user:" + itoa(agent), ""},
			"a_field": {"", "", "", ""}, "a_value": {"加急，仓库", "", "", ""}, "a_body_zh": {"", "", "请跟进 {{ticket.number}}", ""}, "a_body_en": {"", "", "", ""}}
		post := func(b *browser, path string, f url.Values) (int, string) {
			g := url.Values{"csrf": {b.csrf}}
			for k, v := range f {
				g[k] = v
			}
			code, body, _ := b.post(path, g)
			return code, body
		}

		if code, _ := post(lead, "/admin/rules", rule); code != http.StatusForbidden {
			t.Errorf("supervisor writes a rule: %d", code)
		}
		if code, _ := post(lead, "/admin/rules", url.Values{"do": {"dryrun"}, "ticket_number": {"1"}}); code != http.StatusForbidden {
			t.Errorf("supervisor dry-runs a rule: %d", code)
		}
		for _, bad := range []struct {
			change url.Values
			says   string
		}{
			{url.Values{"a_type": {"", "", "", ""}}, "at least one action"},
			{url.Values{"trigger": nil}, "at least one trigger"},
			{url.Values{"c_field": {"ticket.colour", "", ""}}, "unknown field"},
			{url.Values{"time_status": {"pending"}, "time_hours": {"soon"}}, "number of hours"},
			{url.Values{"a_type": {"webhook", "", "", ""}, "a_value": {"ftp://x", "", "", ""}}, "http or https"},
		} {
			f := url.Values{}
			for k, v := range rule {
				f[k] = v
			}
			for k, v := range bad.change {
				f[k] = v
			}
			code, body := post(admin, "/admin/rules", f)
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, bad.says) || !strings.Contains(body, "Urgent to warehouse") {
				t.Errorf("bad rule %v: %d, want 422 saying %q with the form kept", bad.change, code, bad.says)
			}
		}
		if rs, _ := st.Rules(ctx); len(rs) != 0 {
			t.Fatalf("refused rules were stored: %d", len(rs))
		}

		if code, _ := post(admin, "/admin/rules", rule); code != http.StatusSeeOther {
			t.Fatalf("create rule: %d", code)
		}
		second := url.Values{"name": {"三天未回复 Pending 72 h"}, "time_status": {"pending"}, "time_hours": {"72"},
			"a_type": {"reply"}, "a_value": {"solved"}, "a_body_zh": {"{{customer.name}}您好，问题已解决"}, "a_body_en": {"Hello {{customer.name}}, we consider this solved"}}
		if code, _ := post(admin, "/admin/rules", second); code != http.StatusSeeOther {
			t.Fatalf("create time rule: %d", code)
		}
		stored, _ := st.Rules(ctx)
		if len(stored) != 2 {
			t.Fatalf("%d rules stored", len(stored))
		}
		svc := automation.New(st, nil, nil)
		admins, _, _ := st.UserByEmail(ctx, "admin@demo.test")
		rs, err := svc.Rules(ctx, admins)
		if err != nil {
			t.Fatal(err)
		}
		r1, r2 := rs[0], rs[1]
		if r1.Name != "加急转仓库 Urgent to warehouse" || !r1.Enabled || len(r1.Triggers) != 2 || len(r1.Conditions) != 2 || len(r1.Actions) != 3 {
			t.Fatalf("stored rule: %+v", r1)
		}
		if c := r1.Conditions[0]; c.Field != "ticket.priority" || c.Op != "in" || len(c.Value.([]any)) != 2 {
			t.Errorf("condition: %+v", c)
		}
		if a := r1.Actions; strings.Join(a[0].Tags, ",") != "加急,仓库" || a[1].TeamID == nil || *a[1].TeamID != wh.ID || a[1].UserID != nil ||
			a[2].To != "user" || *a[2].UserID != agent || a[2].BodyZH != "请跟进 {{ticket.number}}" {
			t.Errorf("actions: %+v", a)
		}
		if tr := r2.Triggers; len(tr) != 1 || tr[0].On != "time" || tr[0].Status != kefu.StatusPending || tr[0].Hours != 72 || r2.Enabled || r2.Actions[0].Status != "solved" {
			t.Errorf("time rule: %+v %+v", r2.Triggers, r2.Actions)
		}
		// The edit form shows the rule back as rows.
		_, body, _ := admin.get("/admin/rules?edit=" + itoa(r1.ID))
		if !strings.Contains(body, `value="high, urgent"`) || !strings.Contains(body, `value="加急, 仓库"`) {
			t.Error("the edit form does not show the rule's values")
		}

		// Order and the enable toggle.
		post(admin, "/admin/rules/"+itoa(r2.ID)+"/move", url.Values{"dir": {"up"}})
		post(admin, "/admin/rules/"+itoa(r2.ID)+"/toggle", url.Values{"enabled": {"1"}})
		if rs, _ := svc.Rules(ctx, admins); rs[0].ID != r2.ID || !rs[0].Enabled {
			t.Errorf("after move and enable: first %q enabled %v", rs[0].Name, rs[0].Enabled)
		}
		if code, _ := post(lead, "/admin/rules/"+itoa(r2.ID)+"/move", url.Values{"dir": {"down"}}); code != http.StatusForbidden {
			t.Errorf("supervisor reorders rules: %d", code)
		}

		// Dry run against a demo ticket: matching, then not.
		list, _, _ := st.Tickets(ctx, store.TicketFilter{Statuses: []kefu.Status{kefu.StatusNew, kefu.StatusOpen}, Limit: 1})
		tk := list[0]
		msgs, _ := st.Messages(ctx, tk.ID, 0, 1000)
		dry := url.Values{"name": {"试运行 Try"}, "trigger": {"ticket.updated"}, "do": {"dryrun"}, "ticket_number": {"#" + itoa(tk.Number)},
			"c_field": {"ticket.priority", "ticket.status"}, "c_op": {"eq", "ne"}, "c_value": {string(tk.Priority), "closed"},
			"a_type": {"add_tags", "set"}, "a_field": {"", "priority"}, "a_value": {"试运行标签", "urgent"}}
		code, body := post(admin, "/admin/rules", dry)
		if code != http.StatusOK || !strings.Contains(body, "条件满足") || strings.Count(body, "✓ 通过") != 2 || !strings.Contains(body, "试运行标签") || !strings.Contains(body, "priority = urgent") {
			t.Errorf("dry run that matches: %d\n%s", code, excerpt(body, "dryrun"))
		}
		dry.Set("c_value", "no-such-priority")
		dry["c_value"] = []string{"no-such-priority", "closed"}
		code, body = post(admin, "/admin/rules", dry)
		if code != http.StatusOK || !strings.Contains(body, "条件不满足") || !strings.Contains(body, "✗ 未通过") || strings.Contains(body, "将会执行") {
			t.Errorf("dry run that does not match: %d\n%s", code, excerpt(body, "dryrun"))
		}
		dry.Set("ticket_number", "99999999")
		if code, body := post(admin, "/admin/rules", dry); code != http.StatusUnprocessableEntity || !strings.Contains(body, "no ticket #99999999") {
			t.Errorf("dry run on a missing ticket: %d", code)
		}
		after, _ := st.Ticket(ctx, tk.ID)
		afterMsgs, _ := st.Messages(ctx, tk.ID, 0, 1000)
		if !after.UpdatedAt.Equal(tk.UpdatedAt) || after.Priority != tk.Priority || strings.Join(after.Tags, ",") != strings.Join(tk.Tags, ",") || len(afterMsgs) != len(msgs) {
			t.Errorf("the dry run changed the ticket: %v %s %v, %d messages (was %d)", after.UpdatedAt, after.Priority, after.Tags, len(afterMsgs), len(msgs))
		}
		if rs, _ := st.Rules(ctx); len(rs) != 2 {
			t.Errorf("the dry run stored a rule: %d rules", len(rs))
		}

		// Edit keeps the place; delete removes.
		edit := url.Values{}
		for k, v := range rule {
			edit[k] = v
		}
		edit.Set("name", "加急 Urgent")
		if code, _ := post(admin, "/admin/rules/"+itoa(r1.ID), edit); code != http.StatusSeeOther {
			t.Errorf("edit rule: %d", code)
		}
		if rs, _ := svc.Rules(ctx, admins); rs[1].ID != r1.ID || rs[1].Name != "加急 Urgent" {
			t.Errorf("after edit: %q at 1", rs[1].Name)
		}
		post(admin, "/admin/rules/"+itoa(r1.ID)+"/delete", nil)
		if rs, _ := st.Rules(ctx); len(rs) != 1 {
			t.Errorf("after delete: %d rules", len(rs))
		}
	})
}
