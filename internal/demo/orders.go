package demo

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// orderPlan is a demo order with the customer it belongs to.
type orderPlan struct {
	cust *custPlan
	dest *place
	o    *kefu.Order
	prod *product // the first line's product, the one tickets talk about
}

// newOrder draws an order of prods (the first is the main line) for a
// customer, placed at placed. extra adds that many further lines of
// shippable goods.
func (g *gen) newOrder(cp *custPlan, main *product, placed time.Time, extra int) *orderPlan {
	dest := cp.home
	if g.chance(0.12) {
		dest = &places[g.rng.IntN(len(places))] // a gift, or the office
	}
	op := &orderPlan{cust: cp, dest: dest, prod: main}
	o := &kefu.Order{
		CustomerID: 0, PlacedAt: placed, Currency: "CNY",
		ShippingProvince: dest.province, ShippingCity: dest.city,
		Items: []kefu.OrderItem{}, Shipments: []kefu.Shipment{},
	}
	op.o = o
	add := func(p *product) {
		v := g.variant(p)
		for _, it := range o.Items {
			if it.SKU == p.sku && it.Variant == v {
				return
			}
		}
		q := 1
		if (p.cat == catApparel || p.cat == catBooks || p.cat == catFresh) && g.chance(0.15) {
			q = 2
		}
		o.Items = append(o.Items, kefu.OrderItem{SKU: p.sku, ProductName: p.name, ProductCategory: p.cat, Variant: v,
			Quantity: q, UnitPrice: p.price, UnitCost: p.cost, NonReturnable: p.noReturn})
	}
	add(main)
	pool := productsIn(catApparel, catBooks, catElectronics)
	switch main.cat {
	case catFresh:
		pool = productsIn(catFresh)
	case catDigital:
		pool = productsIn(catDigital)
	}
	for i := 0; i < extra; i++ {
		add(pick(g, pool))
	}
	for _, it := range o.Items {
		o.Subtotal += it.UnitPrice * int64(it.Quantity)
	}
	switch {
	case main.cat == catFresh || main.cat == catDigital || o.Subtotal >= 9900:
	default:
		o.ShippingFee = 800
	}
	switch {
	case o.Subtotal >= 30000 && g.chance(0.4):
		o.Discount = 3000 // 满300减30
	case g.chance(0.12):
		o.Discount = 500 // a ¥5 coupon
	}
	o.Total = o.Subtotal + o.ShippingFee - o.Discount
	o.PaidAt = ptr(placed.Add(g.minutes(0.5, 25)))
	g.orders = append(g.orders, op)
	return op
}

// carrierFor picks the courier a parcel of op goes with.
func (g *gen) carrierFor(op *orderPlan, notSF bool) string {
	if notSF {
		return pick(g, []string{carrierZTO, carrierYTO, carrierEMS})
	}
	switch {
	case op.prod.cat == catFresh:
		return carrierSF // cold chain
	case op.o.Subtotal >= 40000:
		return pick(g, []string{carrierSF, carrierSF, carrierJD})
	}
	r := g.rng.Float64()
	switch {
	case r < 0.3:
		return carrierZTO
	case r < 0.55:
		return carrierYTO
	case r < 0.75:
		return carrierSF
	case r < 0.9:
		return carrierJD
	}
	return carrierEMS
}

// track builds a parcel's scan history step by step.
type track struct {
	g       *gen
	op      *orderPlan
	carrier string
	number  string
	t       time.Time
	ev      []kefu.ShipmentEvent
}

func (g *gen) newTrack(op *orderPlan, carrier string) *track {
	return &track{g: g, op: op, carrier: carrier, number: g.trackingNumber(carrier)}
}

// at appends a scan at time t.
func (tr *track) at(t time.Time, st kefu.ShipmentStatus, loc, desc string) *track {
	tr.t = t
	tr.ev = append(tr.ev, kefu.ShipmentEvent{At: t, Status: st, Location: loc, Description: desc})
	return tr
}

// after appends a scan d after the previous one.
func (tr *track) after(d time.Duration, st kefu.ShipmentStatus, loc, desc string) *track {
	return tr.at(tr.t.Add(d), st, loc, desc)
}

func (tr *track) packed(t time.Time) *track {
	tr.at(t, kefu.ShipmentPending, warehouseAt, "商家已打包，电子面单已生成，等待揽收")
	return tr.after(tr.g.minutes(20, 90), kefu.ShipmentPending, warehouseAt, "已通知"+tr.carrier+"快递员上门揽收")
}

func (tr *track) pickup(t time.Time) *track {
	return tr.at(t, kefu.ShipmentInTransit, warehouseAt, "【杭州余杭营业部】"+tr.carrier+" 已揽收")
}

func (tr *track) hub() *track {
	return tr.after(tr.g.hours(2, 6), kefu.ShipmentInTransit, "浙江省杭州市", "运输中 — 杭州转运中心，快件已发往下一站")
}

func (tr *track) destHub() *track {
	d := tr.op.dest
	if d.city == "杭州市" {
		return tr
	}
	gap := tr.g.hours(6, 14)
	if d.far {
		gap = tr.g.hours(18, 36)
	}
	return tr.after(gap, kefu.ShipmentInTransit, d.city, "运输中 — 快件已到达【"+strings.TrimSuffix(d.city, "市")+"转运中心】")
}

func (tr *track) outForDelivery() *track {
	return tr.outAt(tr.t.Add(tr.g.hours(3, 10)))
}

// outAt appends the courier setting out with the parcel at t.
func (tr *track) outAt(t time.Time) *track {
	d := tr.op.dest
	desc := fmt.Sprintf("派送中 — 【%s%s营业部】快递员%s正在派送，电话 %s", d.city, pick(tr.g, d.districts),
		pick(tr.g, courierNames), pick(tr.g, phonePrefix)+tr.g.digits(8))
	return tr.at(t, kefu.ShipmentOutForDel, d.city, desc)
}

func (tr *track) signed(desc string) *track {
	if desc == "" {
		desc = pick(tr.g, signedBy)
	}
	return tr.after(tr.g.hours(1, 5), kefu.ShipmentDelivered, tr.op.dest.city, desc)
}

// full is the whole journey of a parcel picked up at t and signed for.
func (tr *track) full(t time.Time) *track {
	return tr.pickup(t).hub().destHub().outForDelivery().signed("")
}

// shift moves every scan by d (to end a journey at a chosen moment).
func (tr *track) shift(d time.Duration) *track {
	for i := range tr.ev {
		tr.ev[i].At = tr.ev[i].At.Add(d)
	}
	tr.t = tr.t.Add(d)
	return tr
}

// done keeps the scans that happened by now and adds the parcel to its
// order. A parcel with no scan yet is left out.
func (tr *track) done() *kefu.Shipment {
	var ev []kefu.ShipmentEvent
	for _, e := range tr.ev {
		if !e.At.After(tr.g.now) {
			ev = append(ev, e)
		}
	}
	if len(ev) == 0 {
		return nil
	}
	if len(ev) == 1 && ev[0].Status == kefu.ShipmentInTransit {
		// Only just picked up: show the packing scan before it too.
		packed := kefu.ShipmentEvent{At: ev[0].At.Add(-tr.g.minutes(40, 150)), Status: kefu.ShipmentPending,
			Location: warehouseAt, Description: "商家已打包，电子面单已生成，等待揽收"}
		ev = append([]kefu.ShipmentEvent{packed}, ev...)
	}
	sh := kefu.Shipment{Carrier: tr.carrier, TrackingNumber: tr.number, Events: ev, Status: ev[len(ev)-1].Status}
	for _, e := range ev {
		if e.Status != kefu.ShipmentPending && sh.ShippedAt == nil {
			sh.ShippedAt = ptr(e.At)
		}
		if e.Status == kefu.ShipmentDelivered {
			sh.DeliveredAt = ptr(e.At)
		}
	}
	o := tr.op.o
	o.Shipments = append(o.Shipments, sh)
	if sh.ShippedAt != nil && (o.ShippedAt == nil || sh.ShippedAt.Before(*o.ShippedAt)) {
		o.ShippedAt = ptr(*sh.ShippedAt)
	}
	if sh.DeliveredAt != nil && (o.DeliveredAt == nil || sh.DeliveredAt.After(*o.DeliveredAt)) {
		o.DeliveredAt = ptr(*sh.DeliveredAt)
	}
	return &o.Shipments[len(o.Shipments)-1]
}

// leadTime is how long before pickup an order of p is placed: custom goods
// are made first.
func (g *gen) leadTime(p *product) time.Duration {
	switch p.cat {
	case catCustom:
		return g.days(4, 8)
	case catFresh:
		return g.hours(2, 12)
	}
	return g.hours(4, 30)
}

// orderDeliveredAt draws an order of main for cp whose parcel is signed for at
// delivered, and ships it.
func (g *gen) orderDeliveredAt(cp *custPlan, main *product, extra int, delivered time.Time, notSF bool) (*orderPlan, *track) {
	op := g.newOrder(cp, main, delivered, extra)
	tr := g.newTrack(op, g.carrierFor(op, notSF)).full(delivered)
	tr.shift(delivered.Sub(tr.t))
	g.placeBefore(op, tr.ev[0].At)
	tr.done()
	return op, tr
}

// placeBefore sets an order's placing and paying times before its first pickup.
func (g *gen) placeBefore(op *orderPlan, pickup time.Time) {
	placed := pickup.Add(-g.leadTime(op.prod))
	op.o.PlacedAt = placed
	op.o.PaidAt = ptr(placed.Add(g.minutes(0.5, 25)))
	if op.o.PaidAt.After(pickup) {
		op.o.PaidAt = ptr(placed)
	}
}

// planBackgroundOrders draws the orders nobody wrote in about, across the
// last 120 days, with a few parcels in each unusual state.
func (g *gen) planBackgroundOrders() {
	const n = 150
	for i := 0; i < n; i++ {
		cp := g.customers[g.rng.IntN(len(g.customers))]
		main := &catalog[g.rng.IntN(len(catalog))]
		for i < 10 && main.cat == catDigital { // the first few show parcel states
			main = &catalog[g.rng.IntN(len(catalog))]
		}
		age := g.days(0.05, 120)
		extra := 0
		if g.chance(0.3) {
			extra = 1 + g.rng.IntN(2)
		}
		op := g.newOrder(cp, main, g.now.Add(-age), extra)
		g.backgroundParcel(op, i)
	}
}

// backgroundParcel ships an order the ordinary way, or for the first few
// orders in one of the rarer ways so every parcel state shows up.
func (g *gen) backgroundParcel(op *orderPlan, i int) {
	o := op.o
	if i == 9 {
		o.PlacedAt = g.now.Add(-g.hours(1, 10))
		o.PaidAt = nil // awaiting payment
		return
	}
	if op.prod.cat == catDigital {
		o.DeliveredAt = ptr(o.PaidAt.Add(g.minutes(1, 3))) // the code is sent at once
		return
	}
	// The rarer states, anchored on now so they are still current.
	switch i {
	case 0, 1: // out for delivery this morning
		tr := g.newTrack(op, g.carrierFor(op, false)).pickup(g.now.Add(-g.hours(60, 72))).hub().destHub()
		tr.outAt(g.now.Add(-g.minutes(20, 150)))
		g.placeBefore(op, tr.ev[0].At)
		tr.done()
		return
	case 2, 3: // still on the road
		tr := g.newTrack(op, g.carrierFor(op, false)).pickup(g.now.Add(-g.hours(14, 30))).hub()
		g.placeBefore(op, tr.ev[0].At)
		tr.done()
		return
	case 4, 5: // packed, waiting for the courier
		tr := g.newTrack(op, g.carrierFor(op, false)).packed(g.now.Add(-g.hours(1, 5)))
		g.placeBefore(op, tr.ev[0].At)
		tr.done()
		return
	case 6: // a failed delivery attempt
		tr := g.newTrack(op, g.carrierFor(op, false)).pickup(g.now.Add(-g.hours(60, 80))).hub().destHub().outForDelivery()
		tr.after(g.hours(2, 4), kefu.ShipmentException, op.dest.city, "派送异常 — 收件人电话无人接听，已预约明天再派")
		g.placeBefore(op, tr.ev[0].At)
		tr.done()
		return
	case 8: // refused and sent back
		tr := g.newTrack(op, g.carrierFor(op, false)).full(g.now.Add(-g.days(20, 40)))
		tr.ev = tr.ev[:len(tr.ev)-1]
		tr.t = tr.ev[len(tr.ev)-1].At
		tr.after(g.hours(1, 3), kefu.ShipmentInTransit, op.dest.city, "收件人拒收，快件退回中")
		tr.after(g.hours(30, 60), kefu.ShipmentReturned, warehouseAt, "退回件已签收 — 杭州余杭仓")
		g.placeBefore(op, tr.ev[0].At)
		tr.done()
		return
	}
	pickup := o.PaidAt.Add(g.leadTime(op.prod))
	if pickup.After(g.now) {
		if pickup.Sub(g.now) < 24*time.Hour {
			g.newTrack(op, g.carrierFor(op, false)).packed(o.PaidAt.Add(g.minutes(30, 180))).done()
		}
		return
	}
	g.newTrack(op, g.carrierFor(op, false)).full(pickup).done()
}

// numberOrders gives every order its shop number and external id in the
// order they were placed, so numbers grow with time.
func (g *gen) numberOrders() {
	sort.SliceStable(g.orders, func(i, j int) bool { return g.orders[i].o.PlacedAt.Before(g.orders[j].o.PlacedAt) })
	for i, op := range g.orders {
		o := op.o
		o.Number = fmt.Sprintf("DD%s%04d", o.PlacedAt.In(cst).Format("20060102"), (1000+i*29)%10000)
		o.ExternalID = fmt.Sprintf("SO-%05d", 40000+i*3+g.rng.IntN(3))
	}
}
