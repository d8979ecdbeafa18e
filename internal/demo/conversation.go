package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// converse lays out a ticket's conversation: the part of its scenario its
// status allows, with times that follow the channel's pace and end before now.
func (g *gen) converse(tp *ticketPlan) {
	sc := tp.sc
	var steps []step
	if tp.channel == kefu.ChannelPhone {
		steps = append(steps, system(g.callLine(tp)))
	}
	steps = append(steps, sc.open...)
	st := tp.status
	if st != kefu.StatusNew {
		steps = append(steps, sc.first...)
	}
	if st != kefu.StatusNew && st != kefu.StatusPending {
		steps = append(steps, sc.more...)
	}
	if tp.dept != nil {
		steps = append(steps, step{k: 'H', text: g.handoffLine(tp)}, reply(sc.hand.wait))
		if st != kefu.StatusOnHold {
			steps = append(steps, step{k: 'D', text: sc.hand.dept})
		}
	}
	if !st.Active() {
		steps = append(steps, sc.resolve...)
	}
	solvedAt := len(steps) - 1
	if st == kefu.StatusClosed {
		steps = append(steps, sc.close...)
		tp.rating = g.rating()
		steps = append(steps, step{k: 'X', text: closeLine(tp.sc.en, tp.rating)})
	}

	at := tp.created
	for i, s := range steps {
		if i > 0 {
			at = at.Add(g.gap(s.k, tp.channel))
		}
		m := &msgPlan{k: s.k, text: s.text, pics: s.pics, at: at, handoff: s.k == 'H'}
		switch s.k {
		case 'A', 'N':
			m.author = tp.owner
		case 'D':
			m.author = g.collaborator(tp.dept)
		}
		tp.msgs = append(tp.msgs, m)
	}
	g.fitBeforeNow(tp)

	for _, m := range tp.msgs {
		if m.k == 'A' {
			tp.firstResp = ptr(m.at)
			break
		}
	}
	if !st.Active() {
		tp.solved = ptr(tp.msgs[solvedAt].at)
	}
	if st == kefu.StatusClosed {
		tp.closed = ptr(tp.msgs[len(tp.msgs)-1].at)
	}
}

// fitBeforeNow squeezes a conversation that would run past now so its last
// message lands a few minutes ago, keeping the order and the proportions.
func (g *gen) fitBeforeNow(tp *ticketPlan) {
	last := tp.msgs[len(tp.msgs)-1].at
	limit := g.now.Add(-g.minutes(2, 15))
	if !limit.After(tp.created) {
		limit = g.now
	}
	if !last.After(limit) {
		return
	}
	scale := float64(limit.Sub(tp.created)) / float64(last.Sub(tp.created))
	for _, m := range tp.msgs {
		off := time.Duration(float64(m.at.Sub(tp.created)) * scale).Truncate(time.Second)
		m.at = tp.created.Add(off)
	}
}

// gap is how long after the previous message a message of kind k comes.
func (g *gen) gap(k byte, ch kefu.Channel) time.Duration {
	live := ch == kefu.ChannelChat || ch == kefu.ChannelPhone
	switch k {
	case 'C':
		if live {
			return g.minutes(0.5, 6)
		}
		return g.hours(0.6, 18)
	case 'A':
		switch ch {
		case kefu.ChannelChat:
			return g.minutes(0.4, 4)
		case kefu.ChannelPhone:
			return g.minutes(0.3, 2)
		case kefu.ChannelEmail:
			return g.hours(0.6, 6)
		case kefu.ChannelPortal:
			return g.hours(0.3, 4)
		}
		return g.hours(0.25, 3)
	case 'N':
		return g.minutes(1, 10)
	case 'D':
		return g.hours(1, 9)
	case 'X':
		return g.hours(48, 72)
	}
	return g.minutes(0.2, 3)
}

func (g *gen) rating() int {
	switch r := g.rng.Float64(); {
	case r < 0.55:
		return 5
	case r < 0.85:
		return 4
	case r < 0.95:
		return 3
	}
	return 2
}

func (g *gen) callLine(tp *ticketPlan) string {
	num := maskPhone(tp.cust.phone)
	m, s := 1+g.rng.IntN(8), g.rng.IntN(60)
	if tp.sc.en {
		if num == "" {
			num = "a withheld number"
		}
		return fmt.Sprintf("Incoming call from %s, %d min %02d s. Call notes below.", num, m, s)
	}
	if num == "" {
		num = "未显示号码"
	}
	return fmt.Sprintf("来电 %s，通话时长 %d 分 %02d 秒，以下为通话记录摘要", num, m, s)
}

var teamEN = map[string]string{teamWarehouse: "warehouse", teamLogistics: "logistics", teamTech: "tech support"}

func (g *gen) handoffLine(tp *ticketPlan) string {
	name := tp.dept.t.Name
	if tp.sc.en {
		return fmt.Sprintf("%s handed this ticket off to %s (%s)", tp.owner.u.Name, name, teamEN[name])
	}
	return fmt.Sprintf("%s 将工单转交给【%s】", tp.owner.u.Name, name)
}

func closeLine(en bool, stars int) string {
	s := strings.Repeat("★", stars) + strings.Repeat("☆", 5-stars)
	if en {
		return fmt.Sprintf("Ticket closed · customer rating %s (%d/5)", s, stars)
	}
	return fmt.Sprintf("工单已关闭 · 客户评价 %s（%d 星）", s, stars)
}

// finish sets a ticket's priority, tags and custom fields.
func (g *gen) finish(tp *ticketPlan) {
	idx := 0
	for i, p := range kefu.Priorities {
		if p == tp.sc.prio {
			idx = i
		}
	}
	switch r := g.rng.Float64(); {
	case r < 0.2:
		idx--
	case r < 0.3:
		idx++
	}
	if tp.cust.c.VIPTier >= 3 {
		idx++ // the best customers jump the queue
	}
	idx = max(0, min(idx, len(kefu.Priorities)-1))
	tp.prio = kefu.Priorities[idx]

	add := func(t string) {
		if !hasTag(tp.tags, t) {
			tp.tags = append(tp.tags, t)
		}
	}
	for _, t := range tp.sc.tags {
		add(t)
	}
	if tp.cust.c.VIPTier >= 2 {
		add("VIP")
	}
	if !tp.status.Active() && g.chance(0.15) {
		add("需回访")
	}
}

// customFields are what reports read off a ticket: compensation paid and the
// customer's rating.
func (tp *ticketPlan) customFields() map[string]any {
	m := map[string]any{}
	if tp.sc.comp > 0 && !tp.status.Active() {
		m["compensation_fen"] = tp.sc.comp
	}
	if tp.rating > 0 {
		m["csat"] = tp.rating
	}
	return m
}

// renderTickets fills the placeholders of every subject, message and note
// once orders have their numbers.
func (g *gen) renderTickets() {
	for _, tp := range g.tickets {
		// Colleagues write to each other in Chinese, whatever the customer speaks.
		r, internal := tp.replacer(tp.sc.en), tp.replacer(false)
		tp.subject = r.Replace(tp.sc.subject)
		for _, m := range tp.msgs {
			if m.k == 'N' || m.k == 'D' {
				m.text = internal.Replace(m.text)
			} else {
				m.text = r.Replace(m.text)
			}
		}
		if tp.dept != nil {
			tp.handNote = internal.Replace(tp.sc.hand.note)
		}
	}
}

var cityEN = map[string]string{"上海市": "Shanghai", "北京市": "Beijing", "深圳市": "Shenzhen", "广州市": "Guangzhou", "杭州市": "Hangzhou"}

// replacer fills a ticket's placeholders from its customer, agent and
// order, naming products, couriers and cities in English when en is set.
func (tp *ticketPlan) replacer(en bool) *strings.Replacer {
	product := tp.prod.name
	if en {
		product = tp.prod.nameEN
	}
	agent := ""
	if tp.owner != nil {
		agent = tp.owner.nick
	}
	dest := tp.cust.home
	var order, tracking, carrier, newTracking, amount, refund, refund8, date string
	days, shipDays, n := 1, 1, 1
	if op := tp.order; op != nil {
		o := op.o
		dest = op.dest
		order = o.Number
		amount, refund8 = yuan(o.Total), yuan(o.Total-800)
		refund = yuan(o.Items[0].UnitPrice * int64(o.Items[0].Quantity))
		n = 0
		for _, it := range o.Items {
			n += it.Quantity
		}
		if len(o.Shipments) > 0 {
			tracking, carrier = o.Shipments[0].TrackingNumber, o.Shipments[0].Carrier
			if en {
				carrier = carrierEN[carrier]
			}
		}
		ref := o.PlacedAt
		if o.DeliveredAt != nil && o.DeliveredAt.Before(tp.created) {
			ref = *o.DeliveredAt
		}
		days = max(1, int(tp.created.Sub(ref).Hours()/24+0.5))
		if en {
			date = ref.In(cst).Format("2 January")
		} else {
			date = fmt.Sprintf("%d月%d日", int(ref.In(cst).Month()), ref.In(cst).Day())
		}
		if o.ShippedAt != nil {
			shipDays = max(1, int(tp.created.Sub(*o.ShippedAt).Hours()/24+0.5))
		}
	}
	if tp.resend != nil {
		newTracking = tp.resend.number
	}
	city, province := dest.city, dest.province
	if province == city {
		province = "" // 上海市, not 上海市上海市
	}
	if en && cityEN[city] != "" {
		city = cityEN[city]
	}
	return strings.NewReplacer(
		"{call}", tp.cust.call,
		"{agent}", agent,
		"{product}", product,
		"{variant}", tp.variant,
		"{sku}", tp.prod.sku,
		"{order}", order,
		"{tracking}", tracking,
		"{carrier}", carrier,
		"{newtracking}", newTracking,
		"{city}", city,
		"{province}", province,
		"{amount}", amount,
		"{refund}", refund,
		"{refund8}", refund8,
		"{price}", yuan(tp.prod.price),
		"{date}", date,
		"{days}", fmt.Sprint(days),
		"{shipdays}", fmt.Sprint(shipDays),
		"{n}", fmt.Sprint(n),
		"{n1}", fmt.Sprint(n-1),
		"{cb}", tp.created.Add(150*time.Minute).In(cst).Format("15:04"),
	)
}
