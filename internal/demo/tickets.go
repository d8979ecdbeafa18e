package demo

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// numTickets is how many tickets the demo holds.
const numTickets = 150

// ticketPlan is a demo ticket with its conversation, before it is written.
type ticketPlan struct {
	sc      *scenario
	cust    *custPlan
	order   *orderPlan
	prod    *product
	variant string
	resend  *track // the replacement parcel, when the scenario sends one
	channel kefu.Channel
	status  kefu.Status
	prio    kefu.Priority
	created time.Time
	owner   *staff    // nil: unassigned
	dept    *teamPlan // the department it was handed to, if any
	rating  int       // stars the customer gave when it closed

	msgs                      []*msgPlan
	firstResp, solved, closed *time.Time

	subject  string
	handNote string
	tags     []string
}

// msgPlan is one message of a demo conversation.
type msgPlan struct {
	k       byte // the scenario step kind
	author  *staff
	text    string // template, then rendered
	pics    []int
	at      time.Time
	handoff bool // the system line that records the hand-off
}

// planTickets plays every scenario at least once and then draws the rest by
// weight, about one in ten for the English-speaking customers.
func (g *gen) planTickets() {
	all := scenarios()
	var zh, en []*scenario
	for _, sc := range all {
		if sc.en {
			en = append(en, sc)
		} else {
			zh = append(zh, sc)
		}
	}
	seq := append([]*scenario(nil), all...)
	for len(seq) < numTickets {
		pool := zh
		if g.chance(0.1) {
			pool = en
		}
		seq = append(seq, g.weightedScenario(pool))
	}
	for _, sc := range seq {
		g.tickets = append(g.tickets, g.planTicket(sc))
	}
	// Numbers follow creation, as they would in a real shop.
	sort.SliceStable(g.tickets, func(i, j int) bool { return g.tickets[i].created.Before(g.tickets[j].created) })
}

func (g *gen) weightedScenario(pool []*scenario) *scenario {
	total := 0
	for _, sc := range pool {
		total += sc.weight
	}
	r := g.rng.IntN(total)
	for _, sc := range pool {
		if r < sc.weight {
			return sc
		}
		r -= sc.weight
	}
	return pool[len(pool)-1]
}

func (g *gen) pickCustomer(en bool) *custPlan {
	var pool []*custPlan
	total := 0
	for _, cp := range g.customers {
		if cp.p.en == en {
			pool = append(pool, cp)
			total += cp.weight
		}
	}
	r := g.rng.IntN(total)
	for _, cp := range pool {
		if r < cp.weight {
			return cp
		}
		r -= cp.weight
	}
	return pool[len(pool)-1]
}

func (g *gen) planTicket(sc *scenario) *ticketPlan {
	tp := &ticketPlan{sc: sc, cust: g.pickCustomer(sc.en), channel: pick(g, sc.channels)}
	age := g.ticketAge(sc)
	tp.created = g.now.Add(-time.Duration(age * 24 * float64(time.Hour))).Truncate(time.Second)
	if age > 1 {
		// People write in the daytime: move night-time tickets to the morning.
		if h := tp.created.In(cst).Hour(); h < 8 {
			tp.created = tp.created.Add(time.Duration(8-h)*time.Hour + g.hours(0, 10))
		}
	}
	tp.status = g.statusFor(sc, age)
	cats := sc.cats
	if len(cats) == 0 {
		cats = []string{catApparel, catElectronics, catBooks}
	}
	prods := productsIn(cats...)
	if len(sc.skus) > 0 {
		prods = productsBySKU(sc.skus...)
	}
	tp.prod = pick(g, prods)
	g.assign(tp)
	if tp.status == kefu.StatusOnHold || (!tp.status.Active() && sc.hand != nil && g.chance(0.55)) {
		tp.dept = g.department(sc.hand.team)
	}
	g.orderFor(tp)
	g.converse(tp)
	g.finish(tp)
	return tp
}

// ticketAge draws how many days ago a ticket opened: a few today, most in
// the last weeks, some up to three months back (less when the order behind
// it must be older still).
func (g *gen) ticketAge(sc *scenario) float64 {
	maxAge := 90.0
	if lim := 112 - sc.fate.max; lim < maxAge {
		maxAge = lim
	}
	if g.chance(0.12) {
		return g.between(0.01, 0.35)
	}
	return 0.4 + (maxAge-0.4)*math.Pow(g.rng.Float64(), 2.2)
}

// statusFor draws a status that fits a ticket's age: fresh tickets are new or
// in progress, old ones mostly solved and closed.
func (g *gen) statusFor(sc *scenario, age float64) kefu.Status {
	type w struct {
		s kefu.Status
		n int
	}
	var table []w
	switch {
	case age < 0.4:
		table = []w{{kefu.StatusNew, 40}, {kefu.StatusOpen, 22}, {kefu.StatusPending, 13}, {kefu.StatusOnHold, 25}}
	case age < 3:
		table = []w{{kefu.StatusNew, 6}, {kefu.StatusOpen, 18}, {kefu.StatusPending, 16}, {kefu.StatusOnHold, 30}, {kefu.StatusSolved, 30}}
	case age < 10:
		table = []w{{kefu.StatusOpen, 6}, {kefu.StatusPending, 6}, {kefu.StatusOnHold, 18}, {kefu.StatusSolved, 30}, {kefu.StatusClosed, 40}}
	default:
		table = []w{{kefu.StatusPending, 2}, {kefu.StatusOnHold, 3}, {kefu.StatusSolved, 10}, {kefu.StatusClosed, 85}}
	}
	total := 0
	for _, x := range table {
		total += x.n
	}
	r := g.rng.IntN(total)
	s := table[len(table)-1].s
	for _, x := range table {
		if r < x.n {
			s = x.s
			break
		}
		r -= x.n
	}
	if s == kefu.StatusOnHold && sc.hand == nil {
		s = kefu.StatusOpen
	}
	if s.Active() && sc.fate.moving() && age > 5 {
		s = kefu.StatusClosed // a parcel cannot stay on the road for weeks
	}
	if s == kefu.StatusClosed && age < 3.5 {
		s = kefu.StatusSolved
	}
	return s
}

// assign picks who works a ticket: the English-speaking agent for English
// customers, the supervisor for many service complaints, otherwise agents by
// their share of the work; some new tickets still wait in the queue.
func (g *gen) assign(tp *ticketPlan) {
	switch {
	case tp.sc.en:
		tp.owner = g.agentEN
		if g.chance(0.15) {
			tp.owner = g.lead
		}
	case tp.sc.lead && g.chance(0.5):
		tp.owner = g.lead
	default:
		total := 0
		for _, a := range g.agents {
			total += a.weight
		}
		r := g.rng.IntN(total)
		for _, a := range g.agents {
			if r < a.weight {
				tp.owner = a
				break
			}
			r -= a.weight
		}
	}
	if tp.status == kefu.StatusNew && g.chance(0.55) {
		tp.owner = nil
	}
}

// orderFor draws the order a ticket is about, shaped so that its parcel's
// history agrees with the conversation and with the ticket's status.
func (g *gen) orderFor(tp *ticketPlan) {
	sc, t := tp.sc, tp.created
	f := sc.fate
	resolved := !tp.status.Active()
	progressed := resolved || tp.status == kefu.StatusOnHold
	extra := 0
	switch {
	case sc.multi:
		extra = 1 + g.rng.IntN(2)
	case tp.prod.cat != catCustom && tp.prod.cat != catDigital && g.chance(0.2):
		extra = 1
	}
	before := func() time.Time { return t.Add(-g.days(f.min, f.max)) }
	var op *orderPlan
	switch f.kind {
	case fNone:
		tp.variant = g.variant(tp.prod)
		return
	case fDelivered:
		op, _ = g.orderDeliveredAt(tp.cust, tp.prod, extra, before(), sc.notSF)
	case fDigital:
		op = g.newOrder(tp.cust, tp.prod, before(), 0)
		op.o.DeliveredAt = ptr(op.o.PaidAt.Add(g.minutes(1, 3)))
	case fUnshipped:
		op = g.newOrder(tp.cust, tp.prod, before(), extra)
	case fPacked:
		op = g.newOrder(tp.cust, tp.prod, before(), extra)
		tr := g.newTrack(op, g.carrierFor(op, sc.notSF)).packed(t.Add(-g.minutes(110, 180)))
		if resolved {
			tr.pickup(t.Add(g.hours(4, 8))).hub().destHub().outForDelivery().signed("")
		}
		tr.done()
	case fInTransit:
		op = g.newOrder(tp.cust, tp.prod, t, extra)
		tr := g.newTrack(op, g.carrierFor(op, sc.notSF)).pickup(before()).hub().destHub()
		g.placeBefore(op, tr.ev[0].At)
		if resolved {
			tr.t = t.Add(g.hours(10, 16))
			tr.outForDelivery().signed("")
		}
		tr.done()
	case fStalled:
		op = g.newOrder(tp.cust, tp.prod, t, extra)
		tr := g.newTrack(op, g.carrierFor(op, sc.notSF)).pickup(before()).hub()
		g.placeBefore(op, tr.ev[0].At)
		if progressed {
			tr.at(t.Add(g.hours(2, 5)), kefu.ShipmentException, "浙江省杭州市", "快件在【杭州转运中心】滞留，正在核查")
		}
		if resolved {
			tr.at(t.Add(g.hours(14, 20)), kefu.ShipmentLost, "浙江省杭州市", "经核实快件遗失，"+tr.carrier+"已登记理赔")
		}
		tr.done()
	case fException:
		op = g.newOrder(tp.cust, tp.prod, t, extra)
		tr := g.newTrack(op, g.carrierFor(op, sc.notSF)).pickup(before()).hub().destHub()
		g.placeBefore(op, tr.ev[0].At)
		tr.outAt(t.Add(-g.hours(3, 5)))
		tr.at(t.Add(-g.hours(0.5, 1.5)), kefu.ShipmentException, op.dest.city, "派送异常 — 地址不详（门牌号不存在），联系收件人中")
		if resolved {
			tr.at(t.Add(g.hours(2, 4)), kefu.ShipmentInTransit, op.dest.city, "已按收件人新地址改派")
			tr.t = t.Add(g.hours(12, 16))
			tr.outForDelivery().signed("")
		}
		tr.done()
	case fOutForDelivery:
		op = g.newOrder(tp.cust, tp.prod, t, extra)
		tr := g.newTrack(op, g.carrierFor(op, sc.notSF)).pickup(t.Add(-g.days(2.6, 3))).hub().destHub()
		g.placeBefore(op, tr.ev[0].At)
		tr.outAt(t.Add(-g.hours(0.5, 2)))
		if resolved {
			tr.at(t.Add(g.hours(1.5, 3)), kefu.ShipmentDelivered, op.dest.city, "已签收，菜鸟驿站代收（收件人要求）")
		}
		tr.done()
	case fIntercept:
		op = g.newOrder(tp.cust, tp.prod, t, extra)
		tr := g.newTrack(op, g.carrierFor(op, sc.notSF)).pickup(before()).hub()
		g.placeBefore(op, tr.ev[0].At)
		if progressed {
			tr.at(t.Add(g.hours(3, 6)), kefu.ShipmentInTransit, "浙江省杭州市", "收件人申请拦截，快件退回中")
		}
		if resolved {
			tr.at(t.Add(g.hours(28, 44)), kefu.ShipmentReturned, warehouseAt, "退回件已签收 — 杭州余杭仓")
		}
		tr.done()
	}
	if sc.colour != "" && len(tp.prod.sizes) > 0 {
		op.o.Items[0].Variant = fmt.Sprintf("颜色: %s; 尺码: %s", sc.colour, pick(g, tp.prod.sizes))
	}
	tp.order = op
	tp.variant = op.o.Items[0].Variant
	if sc.resend {
		tp.resend = g.newTrack(op, carrierSF)
		if resolved {
			start := t.Add(g.hours(6, 20))
			if f.kind == fStalled {
				start = t.Add(g.hours(20, 26))
			}
			tp.resend.full(start).done()
		}
	}
}
