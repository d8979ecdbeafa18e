package aftersale

import (
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// Proposal is a case as someone proposes it, before anything is created:
// what remedy, for which problem, for which items.
type Proposal struct {
	Kind           kefu.CaseKind       `json:"kind"`
	Reason         string              `json:"reason"`                   // taxonomy key
	Responsibility kefu.Responsibility `json:"responsibility,omitempty"` // default: the playbook's
	Items          []ItemQty           `json:"items,omitempty"`          // default: the whole order
	Condition      string              `json:"condition,omitempty"`      // the item's state, if known
	Amount         int64               `json:"amount,omitempty"`         // proposed amount; 0: the recommended one
	// ShippingInsurance says the buyer bought 运费险, which pays a return leg
	// the buyer would otherwise pay.
	ShippingInsurance bool `json:"shipping_insurance,omitempty"`
}

// ItemQty is a quantity of one order line.
type ItemQty struct {
	OrderItemID int64 `json:"order_item_id"`
	Quantity    int   `json:"quantity"`
}

// Offer is a remedy the policy allows, with its amount.
type Offer struct {
	Kind           kefu.CaseKind       `json:"kind"`
	Amount         int64               `json:"amount"`
	ShippingPaidBy kefu.Responsibility `json:"shipping_paid_by"`
	ZH             string              `json:"zh"`
	EN             string              `json:"en"`
}

// Refund is how a refund amount was worked out.
type Refund struct {
	Items             int64 `json:"items"`              // price × quantity
	Discount          int64 `json:"discount"`           // the items' pro-rata share of the order's discounts
	Shipping          int64 `json:"shipping"`           // outbound fee the buyer paid, given back
	OutboundDeduction int64 `json:"outbound_deduction"` // the shop's real outbound cost, kept back
	ReturnAllowance   int64 `json:"return_allowance"`   // return postage the shop reimburses
	Total             int64 `json:"total"`
}

// Windows are the dates that decide eligibility, in the shop's time zone.
// Each *Ends is the first instant outside its window.
type Windows struct {
	DeliveredAt  *time.Time `json:"delivered_at"`
	Day          int        `json:"day"` // the request falls on day 签收+Day; -1 before delivery
	NoReasonEnds *time.Time `json:"no_reason_ends,omitempty"`
	ReturnEnds   *time.Time `json:"return_ends,omitempty"`
	ExchangeEnds *time.Time `json:"exchange_ends,omitempty"`
	WarrantyEnds *time.Time `json:"warranty_ends,omitempty"`
}

// Decision is what the policy says about a proposal: whether it is
// eligible, the ceiling, the recommended offer and the reasons for each.
type Decision struct {
	Kind           kefu.CaseKind       `json:"kind"`
	Reason         string              `json:"reason"`
	Eligible       bool                `json:"eligible"`
	Responsibility kefu.Responsibility `json:"responsibility"`
	ShippingPaidBy kefu.Responsibility `json:"shipping_paid_by"`
	Currency       string              `json:"currency"`
	// Amount is the amount evaluated: the proposal's, or the recommended
	// one when it named none. Zero for remedies that move no money.
	Amount int64 `json:"amount"`
	// Ceiling is the most the policy allows for this remedy; AgentLimit
	// the most an agent approves without a supervisor.
	Ceiling         int64    `json:"ceiling"`
	AgentLimit      int64    `json:"agent_limit"`
	NeedsApproval   bool     `json:"needs_approval"`
	Refund          *Refund  `json:"refund,omitempty"`
	Band            string   `json:"band"` // compensation: same_city, same_province, other_province, high_value
	MarginAllowance *int64   `json:"margin_allowance,omitempty"`
	Windows         Windows  `json:"windows"`
	Recommended     *Offer   `json:"recommended"`
	Fallbacks       []Offer  `json:"fallbacks"`
	Evidence        []Label  `json:"evidence"`
	ScriptZH        string   `json:"script_zh"`
	ScriptEN        string   `json:"script_en"`
	Reasons         []Reason `json:"reasons"`
	RecommendedWhy  []Reason `json:"recommended_reasons"`
}

// Denials returns the reasons that rule the proposal out.
func (d *Decision) Denials() []Reason {
	var rs []Reason
	for _, r := range d.Reasons {
		if r.Effect == Deny {
			rs = append(rs, r)
		}
	}
	return rs
}

// line is one order line of the proposal with its share of the discount.
type line struct {
	item            kefu.OrderItem
	qty             int
	gross, discount int64
}

// evaluator holds the facts of one evaluation.
type evaluator struct {
	p         *Policy
	o         *kefu.Order
	loc       *time.Location
	at        time.Time
	reasonKey string
	resp      kefu.Responsibility
	cond      string
	insurance bool
	lines     []line
	whole     bool // every unit of the order is in the proposal
	shipped   bool
	delivered *time.Time
	day       int
	lost      bool
	dist      distance
	bad       []Reason // the proposal names items that are not in the order
	cache     map[kefu.CaseKind]*verdict
}

// verdict is the policy's answer for one remedy.
type verdict struct {
	kind        kefu.CaseKind
	ok          bool
	reasons     []Reason
	refund      *Refund
	ceiling     int64
	recommended int64
	band        string
	margin      *int64
	paidBy      kefu.Responsibility
}

func (v *verdict) add(r Reason) {
	if r.Effect == Deny {
		v.ok = false
	}
	v.reasons = append(v.reasons, r)
}

// Evaluate applies policy p to a proposal for order o made at time at,
// with the playbook of the proposal's reason. It is pure: it reads nothing
// but its arguments, so every rule is table-tested.
func Evaluate(p *Policy, o *kefu.Order, pr Proposal, pb Playbook, at time.Time) Decision {
	e := newEvaluator(p, o, pr, pb, at)
	v := e.verdict(pr.Kind)
	d := Decision{
		Kind: pr.Kind, Reason: pr.Reason, Eligible: v.ok, Responsibility: e.resp, ShippingPaidBy: v.paidBy,
		Currency: o.Currency, Ceiling: v.ceiling, Refund: v.refund, Band: v.band, MarginAllowance: v.margin,
		Windows: e.windows(), Reasons: append([]Reason(nil), v.reasons...), Fallbacks: []Offer{},
		ScriptZH: pb.ScriptZH, ScriptEN: pb.ScriptEN, Evidence: []Label{},
	}
	if d.Currency == "" {
		d.Currency = p.Currency
	}
	for _, k := range pb.Evidence {
		for _, l := range EvidenceKinds {
			if l.Key == k {
				d.Evidence = append(d.Evidence, l)
			}
		}
	}
	if pr.Kind.MovesMoney() {
		d.Amount = pr.Amount
		if d.Amount <= 0 {
			d.Amount = v.recommended
		}
		d.AgentLimit = v.ceiling
		if pr.Kind == kefu.CaseCompensation {
			d.AgentLimit = minInt(p.Approval.AgentCompensationLimit, v.ceiling)
		} else if p.Approval.AgentRefundLimit > 0 {
			d.AgentLimit = minInt(p.Approval.AgentRefundLimit, v.ceiling)
		}
		if d.Amount > v.ceiling {
			d.NeedsApproval = true
			zh := fmt.Sprintf("金额 %s 超过政策上限 %s：需主管审批并写明理由", yuan(d.Amount), yuan(v.ceiling))
			en := fmt.Sprintf("%s is above the policy's ceiling of %s: a supervisor must approve it with a note", yuan(d.Amount), yuan(v.ceiling))
			if pr.Kind == kefu.CaseCompensation {
				zh += "；客户要求过高时可婉拒，改为商家承担运费退货"
				en += "; if the customer asks too much, decline politely and offer a return at the shop's cost"
			}
			d.Reasons = append(d.Reasons, reason("over_ceiling", Warn, zh, en))
		} else if d.Amount > d.AgentLimit {
			d.NeedsApproval = true
			d.Reasons = append(d.Reasons, reason("over_agent_limit", Warn,
				fmt.Sprintf("金额 %s 超过客服可自行批准的 %s：需主管审批", yuan(d.Amount), yuan(d.AgentLimit)),
				fmt.Sprintf("%s is above the %s an agent may approve alone: a supervisor must approve it", yuan(d.Amount), yuan(d.AgentLimit))))
		}
	}
	if !v.ok {
		d.NeedsApproval = true // only a supervisor's override, with a note, can approve it
	}
	e.recommend(&d, pb, pr.Kind)
	return d
}

func newEvaluator(p *Policy, o *kefu.Order, pr Proposal, pb Playbook, at time.Time) *evaluator {
	e := &evaluator{p: p, o: o, loc: p.location(), at: at, reasonKey: pr.Reason, cond: pr.Condition,
		insurance: pr.ShippingInsurance, day: -1, dist: p.distanceTo(o), cache: map[kefu.CaseKind]*verdict{}}
	e.resp = pr.Responsibility
	if e.resp == "" {
		e.resp = pb.Responsibility
	}
	if e.resp == "" {
		e.resp = responsibilityOf(pr.Reason)
	}
	shares := discountShares(o)
	if len(pr.Items) == 0 {
		for i, it := range o.Items {
			e.lines = append(e.lines, line{item: it, qty: it.Quantity, gross: it.UnitPrice * int64(it.Quantity), discount: shares[i]})
		}
	}
	qty := map[int64]int{}
	for _, iq := range pr.Items {
		qty[iq.OrderItemID] += iq.Quantity
	}
	for _, iq := range pr.Items {
		found := false
		for i, it := range o.Items {
			if it.ID != iq.OrderItemID {
				continue
			}
			found = true
			q := qty[it.ID]
			if q == 0 {
				break // already taken with an earlier entry for the same line
			}
			qty[it.ID] = 0
			if q < 1 || q > it.Quantity {
				e.bad = append(e.bad, reason("bad_quantity", Deny,
					fmt.Sprintf("%s 的数量必须在 1 到 %d 之间", it.ProductName, it.Quantity),
					fmt.Sprintf("the quantity of %s must be from 1 to %d", it.ProductName, it.Quantity)))
				break
			}
			l := line{item: it, qty: q, gross: it.UnitPrice * int64(q), discount: shares[i] * int64(q) / int64(it.Quantity)}
			e.lines = append(e.lines, l)
		}
		if !found {
			e.bad = append(e.bad, reason("item_not_in_order", Deny,
				fmt.Sprintf("商品 %d 不在订单 %s 中", iq.OrderItemID, o.Number),
				fmt.Sprintf("item %d is not in order %s", iq.OrderItemID, o.Number)))
		}
	}
	if len(e.lines) == 0 && len(e.bad) == 0 {
		e.bad = append(e.bad, reason("no_items", Deny, "订单中没有商品", "the order has no items"))
	}
	units, all := 0, 0
	for _, l := range e.lines {
		units += l.qty
	}
	for _, it := range o.Items {
		all += it.Quantity
	}
	e.whole = units == all && all > 0
	e.shipped = o.ShippedAt != nil
	allDelivered := len(o.Shipments) > 0
	var last *time.Time
	for _, sh := range o.Shipments {
		if sh.ShippedAt != nil || sh.Status != kefu.ShipmentPending {
			e.shipped = true
		}
		if sh.Status == kefu.ShipmentLost {
			e.lost = true
		}
		if sh.DeliveredAt == nil {
			allDelivered = false
		} else if last == nil || sh.DeliveredAt.After(*last) {
			last = sh.DeliveredAt
		}
	}
	e.delivered = o.DeliveredAt
	if e.delivered == nil && allDelivered {
		e.delivered = last
	}
	if e.delivered != nil {
		e.shipped = true
		e.day = dayNumber(*e.delivered, at, e.loc)
	}
	if pr.Reason == "logistics.parcel_lost" && e.delivered == nil && e.shipped {
		e.lost = true
	}
	return e
}

func (e *evaluator) verdict(k kefu.CaseKind) *verdict {
	if v, ok := e.cache[k]; ok {
		return v
	}
	v := &verdict{kind: k, ok: true}
	e.cache[k] = v
	if !k.Valid() {
		v.add(reason("unknown_kind", Deny, fmt.Sprintf("未知的售后类型 %q", k), fmt.Sprintf("unknown case kind %q", k)))
		return v
	}
	for _, r := range e.bad {
		v.add(r)
	}
	if len(e.bad) > 0 {
		return v
	}
	if k.MovesMoney() && e.o.PaidAt == nil {
		v.add(reason("not_paid", Deny, "订单尚未付款，无需退款或补偿", "the order is not paid: there is nothing to refund or compensate"))
	}
	switch k {
	case kefu.CaseRefundOnly:
		e.refundOnly(v)
	case kefu.CaseReturnRefund:
		e.returnRefund(v)
	case kefu.CaseExchange:
		e.exchange(v)
	case kefu.CaseResend:
		e.resend(v)
	case kefu.CaseRepair:
		e.repair(v)
	case kefu.CaseCompensation:
		e.compensation(v)
	}
	if k.NeedsReturn() {
		e.returnShipping(v)
	}
	if k.MovesMoney() && k != kefu.CaseCompensation {
		e.refund(v)
	}
	e.burdenOfProof(v)
	return v
}

func (e *evaluator) refundOnly(v *verdict) {
	switch {
	case !e.shipped:
		v.add(reason("not_shipped", Allow, "订单尚未发货，可直接全额退款", "the order has not shipped: it can be refunded in full"))
	case e.delivered == nil && e.lost:
		v.add(reason("parcel_lost", Allow, "包裹丢失：签收前的运输风险由商家承担，可直接退款",
			"the parcel is lost: the shop bears the transit risk until delivery, so it can be refunded"))
	case e.delivered == nil && e.resp == kefu.ResponsibleBuyer:
		v.add(reason("intercept", Allow, "包裹在途：拦截或拒收退回后退款", "the parcel is in transit: refund once it is intercepted or refused"))
	case e.delivered == nil:
		v.add(reason("in_transit", Allow, "包裹在途，非买家原因可直接退款", "the parcel is in transit and the buyer is not at fault: it can be refunded"))
	case e.resp == kefu.ResponsibleBuyer:
		v.add(reason("delivered_needs_return", Deny, "商品已签收：买家原因的退款需先退货（请选择退货退款）",
			"the parcel was signed for: a buyer's change of mind needs the item back first (choose return and refund)"))
	default:
		e.window(v, e.p.Quality.ReturnDays, "refund_without_return", "仅退款（非买家原因，凭凭证）", "refund without return (the buyer is not at fault; evidence needed)")
	}
}

func (e *evaluator) needDelivery(v *verdict) bool {
	if e.delivered != nil {
		return true
	}
	if e.shipped {
		v.add(reason("delivery_not_confirmed", Deny, "尚未确认签收：在途包裹可申请拦截后仅退款，或签收后再申请",
			"delivery is not confirmed yet: refund after intercepting the parcel, or ask again once it is delivered"))
	} else {
		v.add(reason("not_shipped_yet", Deny, "订单尚未发货：请申请仅退款", "the order has not shipped: ask for a refund instead"))
	}
	return false
}

func (e *evaluator) returnRefund(v *verdict) {
	if !e.needDelivery(v) {
		return
	}
	if e.resp == kefu.ResponsibleBuyer {
		e.noReason(v)
		return
	}
	e.window(v, e.p.Quality.ReturnDays, "quality_return", "质量问题或商家原因退货", "return for a defect or a fault of the shop")
}

func (e *evaluator) exchange(v *verdict) {
	if !e.needDelivery(v) {
		return
	}
	if e.resp == kefu.ResponsibleBuyer {
		e.noReason(v)
	} else {
		e.window(v, e.p.Quality.ExchangeDays, "quality_exchange", "质量问题或商家原因换货", "exchange for a defect or a fault of the shop")
	}
	v.add(reason("check_stock", Info, "换货前请确认有货", "check the replacement is in stock before approving"))
}

func (e *evaluator) resend(v *verdict) {
	switch {
	case !e.shipped:
		v.add(reason("nothing_shipped", Deny, "订单尚未发货，无需补发", "the order has not shipped: there is nothing to resend"))
	case e.resp == kefu.ResponsibleBuyer:
		v.add(reason("buyer_resend", Deny, "买家原因（如地址填错）的重新发货不在售后政策内，运费由买家承担",
			"sending again for a buyer's mistake (a wrong address) is outside the policy; the buyer pays that shipping"))
	case e.delivered == nil && e.lost:
		v.add(reason("parcel_lost", Allow, "包裹丢失：商家补发（时间紧可改发顺丰）", "the parcel is lost: the shop sends it again (by a faster courier if time is short)"))
	case e.delivered == nil:
		v.add(reason("still_in_transit", Deny,
			fmt.Sprintf("包裹仍在途：先联系快递查件，连续 %d 天无物流更新按丢件处理", e.p.LostParcelDays),
			fmt.Sprintf("the parcel is still in transit: trace it first; %d days without movement counts as lost", e.p.LostParcelDays)))
	default:
		if e.reasonKey == "logistics.parcel_lost" {
			v.add(reason("signed_but_missing", Warn, "物流显示已签收：补发前请与快递核实签收人", "tracking shows it delivered: check who signed for it before resending"))
		}
		e.window(v, e.p.Quality.ExchangeDays, "resend_window", "补发（少件、发错或丢件）", "resend (missing, wrong or lost items)")
	}
}

func (e *evaluator) repair(v *verdict) {
	if !e.needDelivery(v) {
		return
	}
	if e.resp == kefu.ResponsibleBuyer {
		v.add(reason("buyer_repair", Deny, "买家原因造成的损坏不在免费维修范围内，可提供付费维修",
			"damage the buyer caused is not repaired free; a paid repair can be offered"))
		return
	}
	for _, l := range e.lines {
		w := e.p.warranty(l.item.ProductCategory)
		zh, en := categoryName(l.item.ProductCategory)
		if w == 0 {
			v.add(reason("no_warranty", Deny, fmt.Sprintf("%s（%s）不提供保修维修", l.item.ProductName, zh),
				fmt.Sprintf("%s (%s) has no repair warranty", l.item.ProductName, en)))
			continue
		}
		e.window(v, w, "warranty", "保修期内维修", "repair under warranty")
	}
}

func (e *evaluator) compensation(v *verdict) {
	switch {
	case e.resp == kefu.ResponsibleBuyer:
		v.add(reason("buyer_compensation", Deny, "补偿只用于商家、物流或厂家原因的问题", "compensation is only for problems the shop, courier or maker caused"))
	case !e.shipped:
		v.add(reason("nothing_shipped_comp", Deny, "订单尚未发货：请直接退款", "the order has not shipped: refund it instead"))
	default:
		v.add(reason("compensation_for_fault", Allow, "非买家原因，可协商部分退款，买家保留商品",
			"the buyer is not at fault: a partial refund can be agreed and the buyer keeps the item"))
	}
	e.ladder(v)
}

// noReason applies the 7-day no-reason return rules.
func (e *evaluator) noReason(v *verdict) {
	p := e.p.NoReason
	if !p.Enabled {
		v.add(reason("no_reason_disabled", Deny, "本店未开通无理由退换货", "this shop does not offer no-reason returns"))
		return
	}
	end := windowEnd(*e.delivered, p.Days, e.loc)
	if e.at.Before(end) {
		v.add(reason("no_reason_window_open", Allow,
			fmt.Sprintf("在七天无理由退换期内：签收后第 %d 天，%s 截止", e.day, e.stamp(end)),
			fmt.Sprintf("within the %d-day no-reason window: day %d after delivery, open until %s", p.Days, e.day, e.stamp(end))))
	} else {
		v.add(reason("no_reason_window_passed", Deny,
			fmt.Sprintf("七天无理由退换期已于 %s 结束（今天是签收后第 %d 天）", e.stamp(end), e.day),
			fmt.Sprintf("the %d-day no-reason window closed at %s (today is day %d after delivery)", p.Days, e.stamp(end), e.day)))
	}
	for _, l := range e.lines {
		if inList(l.item.ProductCategory, p.ExcludedCategories) {
			zh, en := categoryName(l.item.ProductCategory)
			v.add(reason("category_excluded", Deny,
				fmt.Sprintf("%s 属于%s，依法不适用七天无理由退货", l.item.ProductName, zh),
				fmt.Sprintf("%s is among %s, which the law excludes from no-reason returns", l.item.ProductName, en)))
		} else if l.item.NonReturnable {
			v.add(reason("non_returnable_confirmed", Deny,
				fmt.Sprintf("%s 在购买时已经买家确认不适用七天无理由退货", l.item.ProductName),
				fmt.Sprintf("the buyer confirmed at purchase that %s is excluded from no-reason returns", l.item.ProductName)))
		}
	}
	switch {
	case e.cond == ConditionUnknown:
		v.add(reason("condition_unchecked", Warn, "收到退货后需检查商品完好（吊牌、封条、未激活）",
			"check on receipt that the item is intact (tags, seals, not activated)"))
	case inList(e.cond, p.AcceptedConditions):
		zh, en := conditionName(e.cond)
		v.add(reason("condition_ok", Allow, fmt.Sprintf("商品状态“%s”不影响退货", zh), fmt.Sprintf("the item's state (%s) allows a return", en)))
	default:
		zh, en := conditionName(e.cond)
		v.add(reason("condition_not_accepted", Deny,
			fmt.Sprintf("商品状态“%s”不符合无理由退货要求：商品需完好", zh),
			fmt.Sprintf("the item's state (%s) rules out a no-reason return: it must come back intact", en)))
	}
}

// window allows a remedy within days after delivery and denies it after.
func (e *evaluator) window(v *verdict, days int, code, zh, en string) {
	if e.delivered == nil {
		return
	}
	end := windowEnd(*e.delivered, days, e.loc)
	if e.at.Before(end) {
		v.add(reason(code+"_open", Allow, fmt.Sprintf("%s：签收后 %d 天内可办理，现为第 %d 天（%s 截止）", zh, days, e.day, e.stamp(end)),
			fmt.Sprintf("%s: possible within %d days of delivery; this is day %d (open until %s)", en, days, e.day, e.stamp(end))))
		return
	}
	v.add(reason(code+"_passed", Deny, fmt.Sprintf("%s：期限为签收后 %d 天，已于 %s 结束（现为第 %d 天）", zh, days, e.stamp(end), e.day),
		fmt.Sprintf("%s: the %d-day limit closed at %s (this is day %d)", en, days, e.stamp(end), e.day)))
}

// stamp writes the last second of a window in the shop's time zone.
func (e *evaluator) stamp(end time.Time) string {
	return end.Add(-time.Second).In(e.loc).Format("2006-01-02 15:04:05")
}

func (e *evaluator) returnShipping(v *verdict) {
	payer := e.p.Shipping.ReturnPaidBy[e.resp]
	if payer == "" {
		payer = kefu.ResponsibleShop
	}
	if payer == kefu.ResponsibleBuyer && e.p.NoReason.FreeReturnShipping {
		payer = kefu.ResponsibleShop
	}
	v.paidBy = payer
	switch {
	case payer == kefu.ResponsibleShop:
		v.add(reason("return_paid_by_shop", Info,
			fmt.Sprintf("退货运费由商家承担（买家先寄出，按实报销，最多 %s）", yuan(e.p.Shipping.ReturnAllowance)),
			fmt.Sprintf("the shop pays the return postage (the buyer sends it and is reimbursed up to %s)", yuan(e.p.Shipping.ReturnAllowance))))
	case e.insurance:
		v.add(reason("return_paid_by_insurance", Info, "退货运费由买家的运费险赔付", "the buyer's shipping insurance pays the return postage"))
	default:
		v.add(reason("return_paid_by_buyer", Info, "买家原因退货，退货运费由买家承担", "the buyer changed their mind, so the buyer pays the return postage"))
	}
}

// refund works out a refund of the proposal's items.
func (e *evaluator) refund(v *verdict) {
	r := &Refund{}
	for _, l := range e.lines {
		r.Items += l.gross
		r.Discount += l.discount
	}
	buyer := e.resp == kefu.ResponsibleBuyer
	cost := e.p.Shipping.OutboundCost.deduction(e.dist)
	switch {
	case !e.shipped:
		if e.whole {
			r.Shipping = e.o.ShippingFee
		}
	case e.delivered == nil:
		if e.whole {
			r.Shipping = e.o.ShippingFee
			if buyer && e.p.Shipping.DeductOutboundOnChangeOfMind {
				r.OutboundDeduction = cost
			}
		}
	default:
		if e.whole && (!buyer || e.p.NoReason.RefundPaidShipping) {
			r.Shipping = e.o.ShippingFee
		}
		if e.whole && buyer && e.p.Shipping.DeductOutboundAfterDelivery {
			r.OutboundDeduction = cost
		}
		if v.kind.NeedsReturn() && v.paidBy == kefu.ResponsibleShop {
			r.ReturnAllowance = e.p.Shipping.ReturnAllowance
		}
	}
	r.Total = clamp0(r.Items - r.Discount + r.Shipping - r.OutboundDeduction + r.ReturnAllowance)
	v.refund, v.ceiling, v.recommended = r, r.Total, r.Total
	v.add(reason("refund_amount", Info,
		fmt.Sprintf("退款 = 商品 %s − 分摊优惠 %s + 运费 %s − 发货运费 %s + 退货运费补贴 %s = %s",
			yuan(r.Items), yuan(r.Discount), yuan(r.Shipping), yuan(r.OutboundDeduction), yuan(r.ReturnAllowance), yuan(r.Total)),
		fmt.Sprintf("refund = items %s − their share of discounts %s + shipping %s − outbound shipping %s + return postage %s = %s",
			yuan(r.Items), yuan(r.Discount), yuan(r.Shipping), yuan(r.OutboundDeduction), yuan(r.ReturnAllowance), yuan(r.Total))))
	if r.OutboundDeduction > 0 {
		v.add(reason("outbound_deducted", Info,
			fmt.Sprintf("买家改变主意且商品已发出：只扣除商家实际发货运费 %s（内部价），不多扣", yuan(r.OutboundDeduction)),
			fmt.Sprintf("the buyer changed their mind after the parcel left: only the shop's real outbound cost of %s (contract rate) is deducted", yuan(r.OutboundDeduction))))
	}
}

// ladder applies seed 003's compensation ladder and the margin floor.
func (e *evaluator) ladder(v *verdict) {
	c := e.p.Compensation
	var net, cost int64
	costKnown := true
	for _, l := range e.lines {
		net += l.gross - l.discount
		cost += l.item.UnitCost * int64(l.qty)
		if l.item.UnitCost <= 0 {
			costKnown = false
		}
	}
	var b Band
	var zh, en string
	switch {
	case net >= c.HighValueFrom:
		b, v.band, zh, en = c.HighValue, "high_value", fmt.Sprintf("高价值商品（%s 及以上）", yuan(c.HighValueFrom)), fmt.Sprintf("high-value goods (%s or more)", yuan(c.HighValueFrom))
	case e.dist == distSameCity:
		b, v.band, zh, en = c.SameCity, "same_city", "同城", "same city"
	case e.dist == distSameProvince:
		b, v.band, zh, en = c.SameProvince, "same_province", "同省", "same province"
	default:
		b, v.band, zh, en = c.OtherProvince, "other_province", "外省", "another province"
	}
	v.ceiling, v.recommended = b.Max, b.Recommended
	v.add(reason("band_"+v.band, Info,
		fmt.Sprintf("补偿参考%s标准：%s–%s，建议先提出 %s，并向客户说明依据（以单程运费为准）", zh, yuan(b.Min), yuan(b.Max), yuan(b.Recommended)),
		fmt.Sprintf("compensation guide for %s: %s–%s; open with %s and explain why (it follows one-way shipping)", en, yuan(b.Min), yuan(b.Max), yuan(b.Recommended))))
	if !costKnown {
		v.add(reason("margin_unknown", Warn, "商品成本未知，无法核算保本底线，请谨慎", "unit cost unknown: the margin floor cannot be checked"))
		return
	}
	// The order's shipping result (fee paid minus real cost) is shared by
	// the affected items in proportion to their value.
	ship := e.o.ShippingFee - e.p.Shipping.OutboundCost.at(e.dist)
	if orderNet := e.o.Subtotal - e.o.Discount; orderNet > 0 && net < orderNet {
		ship = ship * net / orderNet
	}
	margin := net - cost + ship
	floor := net * int64(c.MarginFloorPercent) / 100
	allow := clamp0(margin - floor)
	v.margin = &allow
	if allow < v.ceiling {
		v.ceiling = allow
		v.recommended = minInt(v.recommended, allow)
		op := "+"
		if ship < 0 {
			op = "−"
		}
		v.add(reason("margin_floor", Warn,
			fmt.Sprintf("保本底线：净价 %s − 成本 %s %s 运费 %s = 毛利 %s，保留 %d%%（%s）后最多补偿 %s",
				yuan(net), yuan(cost), op, yuan(abs(ship)), yuan(margin), c.MarginFloorPercent, yuan(floor), yuan(allow)),
			fmt.Sprintf("margin floor: net %s − cost %s %s shipping %s = margin %s; keeping %d%% (%s) leaves at most %s",
				yuan(net), yuan(cost), op, yuan(abs(ship)), yuan(margin), c.MarginFloorPercent, yuan(floor), yuan(allow))))
	} else {
		v.add(reason("margin_ok", Info,
			fmt.Sprintf("毛利 %s，补偿上限 %s 仍保留 %d%% 以上利润", yuan(margin), yuan(v.ceiling), c.MarginFloorPercent),
			fmt.Sprintf("margin %s: the ceiling of %s keeps at least %d%% profit", yuan(margin), yuan(v.ceiling), c.MarginFloorPercent)))
	}
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func (e *evaluator) burdenOfProof(v *verdict) {
	if e.resp == kefu.ResponsibleBuyer || e.delivered == nil || e.day > e.p.Quality.BurdenOfProofDays {
		return
	}
	for _, l := range e.lines {
		if inList(l.item.ProductCategory, e.p.Quality.DurableCategories) {
			v.add(reason("burden_of_proof", Info,
				fmt.Sprintf("耐用品签收 %d 天内出现的瑕疵，由商家承担举证责任", e.p.Quality.BurdenOfProofDays),
				fmt.Sprintf("for durables, the shop must prove a defect reported within %d days is not its fault", e.p.Quality.BurdenOfProofDays)))
			return
		}
	}
}

func (e *evaluator) windows() Windows {
	w := Windows{DeliveredAt: e.delivered, Day: e.day}
	if e.delivered == nil {
		return w
	}
	end := func(n int) *time.Time { t := windowEnd(*e.delivered, n, e.loc); return &t }
	if e.p.NoReason.Enabled {
		w.NoReasonEnds = end(e.p.NoReason.Days)
	}
	w.ReturnEnds = end(e.p.Quality.ReturnDays)
	w.ExchangeEnds = end(e.p.Quality.ExchangeDays)
	warranty := -1
	for _, l := range e.lines {
		if d := e.p.warranty(l.item.ProductCategory); warranty < 0 || d < warranty {
			warranty = d
		}
	}
	if warranty > 0 {
		w.WarrantyEnds = end(warranty)
	}
	return w
}

// recommend picks the first remedy of the playbook's path that the policy
// allows (and, for money, that has an amount), and lists the others.
func (e *evaluator) recommend(d *Decision, pb Playbook, proposed kefu.CaseKind) {
	var path []kefu.CaseKind
	seen := map[kefu.CaseKind]bool{}
	for _, k := range append([]kefu.CaseKind{pb.FirstOffer}, pb.Fallbacks...) {
		if k != "" && !seen[k] {
			seen[k] = true
			path = append(path, k)
		}
	}
	if len(path) == 0 && proposed.Valid() {
		path = []kefu.CaseKind{proposed}
	}
	for _, k := range path {
		v := e.verdict(k)
		if !v.ok || (k.MovesMoney() && v.recommended <= 0) {
			continue
		}
		zh, en := offerText(k, v.recommended, v.paidBy)
		o := Offer{Kind: k, Amount: v.recommended, ShippingPaidBy: v.paidBy, ZH: zh, EN: en}
		if d.Recommended == nil {
			d.Recommended = &o
			d.RecommendedWhy = v.reasons
		} else {
			d.Fallbacks = append(d.Fallbacks, o)
		}
	}
	if d.Recommended == nil {
		d.Reasons = append(d.Reasons, reason("no_remedy", Info, "政策内没有可推荐的方案：请与客户协商或申请主管特批",
			"no remedy fits the policy: negotiate with the customer or ask a supervisor for an exception"))
	}
}

func offerText(k kefu.CaseKind, amount int64, paidBy kefu.Responsibility) (zh, en string) {
	zh, en = KindName(string(k), "zh-CN"), KindName(string(k), "en")
	if k.MovesMoney() {
		zh += " " + yuan(amount)
		en += " of " + yuan(amount)
	}
	if k.NeedsReturn() {
		if paidBy == kefu.ResponsibleShop {
			zh += "，商家承担运费"
			en += ", shipping paid by the shop"
		} else {
			zh += "，买家承担退货运费"
			en += ", return postage paid by the buyer"
		}
	}
	return zh, en
}
