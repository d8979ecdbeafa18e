package aftersale

import (
	"strings"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

var shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// cst is a wall-clock time in Shanghai.
func cst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, shanghai)
}

func tp(t time.Time) *time.Time { return &t }

// signed is when the test orders were signed for: 1 March 2025, 15:00 in
// Shanghai. Day 7 after it is 8 March.
var signed = cst(2025, 3, 1, 15, 0)

// order builds a paid, shipped and delivered order from Hangzhou (the
// default shop) to a city, with items.
func order(province, city string, delivered *time.Time, items ...kefu.OrderItem) *kefu.Order {
	o := &kefu.Order{ID: 1, Number: "KF2025030100001", Currency: "CNY", ShippingProvince: province, ShippingCity: city,
		PlacedAt: signed.Add(-72 * time.Hour), PaidAt: tp(signed.Add(-72 * time.Hour)), ShippedAt: tp(signed.Add(-48 * time.Hour)),
		DeliveredAt: delivered}
	for i := range items {
		if items[i].ID == 0 {
			items[i].ID = int64(i + 1)
		}
		if items[i].Quantity == 0 {
			items[i].Quantity = 1
		}
		o.Subtotal += items[i].UnitPrice * int64(items[i].Quantity)
	}
	o.Items = items
	o.Total = o.Subtotal
	return o
}

var (
	shirt = kefu.OrderItem{SKU: "AP-1001", ProductName: "纯棉圆领短袖T恤", ProductCategory: "apparel", UnitPrice: 8000, UnitCost: 3100}
	phone = kefu.OrderItem{SKU: "EL-9001", ProductName: "智能手机", ProductCategory: "electronics", UnitPrice: 200000, UnitCost: 160000}
)

func item(name, category string, price, cost int64) kefu.OrderItem {
	return kefu.OrderItem{SKU: strings.ToUpper(category[:2]) + "-1", ProductName: name, ProductCategory: category, UnitPrice: price, UnitCost: cost}
}

func codes(rs []Reason) string {
	var cs []string
	for _, r := range rs {
		cs = append(cs, r.Code)
	}
	return strings.Join(cs, ",")
}

func has(rs []Reason, code string) bool {
	for _, r := range rs {
		if r.Code == code {
			return true
		}
	}
	return false
}

// TestEligibility is the policy's eligibility rules on real cases.
func TestEligibility(t *testing.T) {
	pol := DefaultPolicy()
	intact := ConditionOpened
	for _, tc := range []struct {
		name     string
		o        *kefu.Order
		pr       Proposal
		at       time.Time
		eligible bool
		code     string // a reason the decision must give
	}{
		{"day 7 at 23:59 Shanghai is in time", order("浙江省", "杭州市", tp(signed), shirt),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return", Condition: intact}, cst(2025, 3, 8, 23, 59), true, "no_reason_window_open"},
		{"day 8 at 00:00 Shanghai is too late", order("浙江省", "杭州市", tp(signed), shirt),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return", Condition: intact}, cst(2025, 3, 9, 0, 0), false, "no_reason_window_passed"},
		{"the boundary is Shanghai midnight, not UTC: 8 March 16:30 UTC is 9 March in Shanghai", order("浙江省", "杭州市", tp(signed), shirt),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return", Condition: intact}, time.Date(2025, 3, 8, 16, 30, 0, 0, time.UTC), false, "no_reason_window_passed"},
		{"signed for at 23:50: day 1 starts ten minutes later", order("浙江省", "杭州市", tp(cst(2025, 3, 1, 23, 50)), shirt),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return", Condition: intact}, cst(2025, 3, 8, 23, 59), true, "no_reason_window_open"},
		{"delivery not confirmed: no return yet", order("浙江省", "杭州市", nil, shirt),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return"}, cst(2025, 3, 2, 10, 0), false, "delivery_not_confirmed"},
		{"delivery not confirmed: no exchange yet", order("浙江省", "杭州市", nil, shirt),
			Proposal{Kind: kefu.CaseExchange, Reason: "product.colour_difference"}, cst(2025, 3, 2, 10, 0), false, "delivery_not_confirmed"},
		{"custom-made goods are excluded", order("浙江省", "杭州市", tp(signed), item("定制刻字保温杯", "custom", 12800, 5400)),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return", Condition: intact}, cst(2025, 3, 3, 10, 0), false, "category_excluded"},
		{"fresh goods are excluded", order("浙江省", "杭州市", tp(signed), item("阳澄湖大闸蟹礼盒", "fresh", 38800, 24500)),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return", Condition: ConditionUnopened}, cst(2025, 3, 2, 10, 0), false, "category_excluded"},
		{"digital goods are excluded once delivered", order("浙江省", "杭州市", tp(signed), item("正版办公软件激活码", "digital", 39800, 26000)),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return"}, cst(2025, 3, 2, 10, 0), false, "category_excluded"},
		{"delivered periodicals are excluded", order("浙江省", "杭州市", tp(signed), item("《读者》2025年第5期", "periodicals", 800, 400)),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return"}, cst(2025, 3, 2, 10, 0), false, "category_excluded"},
		{"an item the buyer confirmed as non-returnable is excluded", order("浙江省", "杭州市", tp(signed),
			kefu.OrderItem{SKU: "EL-2004", ProductName: "声波电动牙刷", ProductCategory: "electronics", UnitPrice: 29900, UnitCost: 14600, NonReturnable: true}),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return", Condition: ConditionUnopened}, cst(2025, 3, 2, 10, 0), false, "non_returnable_confirmed"},
		{"books are not excluded", order("浙江省", "杭州市", tp(signed), item("《百年孤独》", "books", 5500, 3100)),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return", Condition: ConditionUnopened}, cst(2025, 3, 2, 10, 0), true, "no_reason_window_open"},
		{"an excluded category still gets a quality return", order("浙江省", "杭州市", tp(signed), item("阳澄湖大闸蟹礼盒", "fresh", 38800, 24500)),
			Proposal{Kind: kefu.CaseRefundOnly, Reason: "product.quality_defect"}, cst(2025, 3, 2, 10, 0), true, "refund_without_return_open"},
		{"tags removed: no no-reason return", order("浙江省", "杭州市", tp(signed), shirt),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return", Condition: ConditionTagRemoved}, cst(2025, 3, 3, 10, 0), false, "condition_not_accepted"},
		{"condition unknown: allowed, checked on receipt", order("浙江省", "杭州市", tp(signed), shirt),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return"}, cst(2025, 3, 3, 10, 0), true, "condition_unchecked"},
		{"quality problem on day 20: no return", order("浙江省", "杭州市", tp(signed), phone),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "product.quality_defect"}, cst(2025, 3, 21, 10, 0), false, "quality_return_passed"},
		{"quality problem on day 20: no exchange", order("浙江省", "杭州市", tp(signed), phone),
			Proposal{Kind: kefu.CaseExchange, Reason: "product.quality_defect"}, cst(2025, 3, 21, 10, 0), false, "quality_exchange_passed"},
		{"quality problem on day 20: repair under warranty", order("浙江省", "杭州市", tp(signed), phone),
			Proposal{Kind: kefu.CaseRepair, Reason: "product.quality_defect"}, cst(2025, 3, 21, 10, 0), true, "warranty_open"},
		{"quality problem on day 15: exchange still open", order("浙江省", "杭州市", tp(signed), phone),
			Proposal{Kind: kefu.CaseExchange, Reason: "product.quality_defect"}, cst(2025, 3, 16, 23, 59), true, "quality_exchange_open"},
		{"fresh goods have no repair", order("浙江省", "杭州市", tp(signed), item("赣南脐橙", "fresh", 6900, 3600)),
			Proposal{Kind: kefu.CaseRepair, Reason: "product.quality_defect"}, cst(2025, 3, 2, 10, 0), false, "no_warranty"},
		{"refund before shipment", func() *kefu.Order { o := order("浙江省", "杭州市", nil, shirt); o.ShippedAt = nil; return o }(),
			Proposal{Kind: kefu.CaseRefundOnly, Reason: "buyer.refund_before_shipment"}, cst(2025, 2, 27, 10, 0), true, "not_shipped"},
		{"change of mind after delivery needs a return", order("浙江省", "杭州市", tp(signed), shirt),
			Proposal{Kind: kefu.CaseRefundOnly, Reason: "buyer.seven_day_return"}, cst(2025, 3, 2, 10, 0), false, "delivered_needs_return"},
		{"lost parcel: resend", func() *kefu.Order {
			o := order("四川省", "成都市", nil, shirt)
			o.Shipments = []kefu.Shipment{{ID: 1, Carrier: "中通快递", TrackingNumber: "75000001", Status: kefu.ShipmentLost, ShippedAt: o.ShippedAt}}
			return o
		}(), Proposal{Kind: kefu.CaseResend, Reason: "logistics.parcel_lost"}, cst(2025, 3, 5, 10, 0), true, "parcel_lost"},
		{"buyer's fault: no compensation", order("浙江省", "杭州市", tp(signed), shirt),
			Proposal{Kind: kefu.CaseCompensation, Reason: "buyer.seven_day_return"}, cst(2025, 3, 2, 10, 0), false, "buyer_compensation"},
		{"an item from another order is refused", order("浙江省", "杭州市", tp(signed), shirt),
			Proposal{Kind: kefu.CaseExchange, Reason: "product.wrong_size", Items: []ItemQty{{OrderItemID: 99, Quantity: 1}}}, cst(2025, 3, 2, 10, 0), false, "item_not_in_order"},
		{"more than was bought is refused", order("浙江省", "杭州市", tp(signed), shirt),
			Proposal{Kind: kefu.CaseExchange, Reason: "product.wrong_size", Items: []ItemQty{{OrderItemID: 1, Quantity: 2}}}, cst(2025, 3, 2, 10, 0), false, "bad_quantity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(&pol, tc.o, tc.pr, DefaultPlaybook(tc.pr.Reason), tc.at)
			if d.Eligible != tc.eligible {
				t.Errorf("eligible = %v, want %v; reasons %s", d.Eligible, tc.eligible, codes(d.Reasons))
			}
			if !has(d.Reasons, tc.code) {
				t.Errorf("reasons %s lack %s", codes(d.Reasons), tc.code)
			}
			for _, r := range d.Reasons {
				if r.ZH == "" || r.EN == "" {
					t.Errorf("reason %s is not in both languages: %+v", r.Code, r)
				}
			}
			if !d.Eligible && !d.NeedsApproval {
				t.Errorf("an ineligible proposal must need a supervisor's approval to override")
			}
		})
	}
}

// TestQualityDay20Recommendation: on day 20 the quality playbook's exchange
// and return are out of time, so the policy recommends a repair.
func TestQualityDay20Recommendation(t *testing.T) {
	pol := DefaultPolicy()
	d := Evaluate(&pol, order("浙江省", "杭州市", tp(signed), phone), Proposal{Kind: kefu.CaseReturnRefund, Reason: "product.quality_defect"},
		DefaultPlaybook("product.quality_defect"), cst(2025, 3, 21, 10, 0))
	if d.Recommended == nil || d.Recommended.Kind != kefu.CaseRepair {
		t.Fatalf("recommended = %+v, want repair", d.Recommended)
	}
	if d.Windows.Day != 20 {
		t.Errorf("day = %d, want 20", d.Windows.Day)
	}
	if len(d.Fallbacks) != 1 || d.Fallbacks[0].Kind != kefu.CaseCompensation {
		t.Errorf("fallbacks = %+v, want compensation", d.Fallbacks)
	}
	if !has(d.Reasons, "burden_of_proof") {
		t.Errorf("a phone on day 20 is a durable within 6 months: reasons %s lack burden_of_proof", codes(d.Reasons))
	}
}

// TestCompensationLadder is seed 003's ladder with the margin floor and the
// agent's limit.
func TestCompensationLadder(t *testing.T) {
	pol := DefaultPolicy()
	cheap := item("手机壳", "electronics", 2990, 2200)
	thin := item("运动速干短裤", "apparel", 5900, 4000)
	for _, tc := range []struct {
		name          string
		o             *kefu.Order
		amount        int64
		band          string
		ceiling       int64
		recommended   int64
		needsApproval bool
		code          string
	}{
		{"same-city ¥80 shirt", order("浙江省", "杭州市", tp(signed), shirt), 0, "same_city", 1000, 500, false, "margin_ok"},
		{"same-city ¥80 shirt, customer asks ¥10", order("浙江省", "杭州市", tp(signed), shirt), 1000, "same_city", 1000, 500, false, "margin_ok"},
		{"same-city ¥80 shirt, customer asks ¥15", order("浙江省", "杭州市", tp(signed), shirt), 1500, "same_city", 1000, 500, true, "over_ceiling"},
		{"same-province shirt", order("浙江省", "宁波市", tp(signed), shirt), 0, "same_province", 1200, 800, false, "band_same_province"},
		{"other-province shirt", order("四川省", "成都市", tp(signed), shirt), 0, "other_province", 1500, 1000, false, "band_other_province"},
		{"¥2,000 phone from another province", order("广东省", "深圳市", tp(signed), phone), 0, "high_value", 5000, 2000, false, "band_high_value"},
		{"¥2,000 phone, ¥30 is above the agent's ¥20", order("广东省", "深圳市", tp(signed), phone), 3000, "high_value", 5000, 2000, true, "over_agent_limit"},
		{"¥2,000 phone, ¥50 is the ceiling", order("广东省", "深圳市", tp(signed), phone), 5000, "high_value", 5000, 2000, true, "over_agent_limit"},
		{"¥2,000 phone, ¥60 is above the ceiling", order("广东省", "深圳市", tp(signed), phone), 6000, "high_value", 5000, 2000, true, "over_ceiling"},
		// ¥59 shorts costing ¥40, same city: margin 59 − 40 − 6 shipping = ¥13;
		// keeping 10% (¥5.90) leaves ¥7.10, under the band's ¥10.
		{"thin margin caps the band", order("浙江省", "杭州市", tp(signed), thin), 0, "same_city", 710, 500, false, "margin_floor"},
		{"request above the margin floor needs approval", order("浙江省", "杭州市", tp(signed), thin), 1000, "same_city", 710, 500, true, "margin_floor"},
		// ¥29.90 case costing ¥22 sent to another province (¥12): no margin left.
		{"no margin: nothing without approval", order("四川省", "成都市", tp(signed), cheap), 500, "other_province", 0, 0, true, "over_ceiling"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(&pol, tc.o, Proposal{Kind: kefu.CaseCompensation, Reason: "product.colour_difference", Amount: tc.amount},
				DefaultPlaybook("product.colour_difference"), cst(2025, 3, 3, 10, 0))
			if !d.Eligible {
				t.Fatalf("not eligible: %s", codes(d.Reasons))
			}
			if d.Band != tc.band || d.Ceiling != tc.ceiling || d.NeedsApproval != tc.needsApproval {
				t.Errorf("band %s ceiling %d approval %v, want %s %d %v; reasons %s", d.Band, d.Ceiling, d.NeedsApproval, tc.band, tc.ceiling, tc.needsApproval, codes(d.Reasons))
			}
			want := tc.amount
			if want == 0 {
				want = tc.recommended
			}
			if d.Amount != want {
				t.Errorf("amount = %d, want %d", d.Amount, want)
			}
			if !has(d.Reasons, tc.code) {
				t.Errorf("reasons %s lack %s", codes(d.Reasons), tc.code)
			}
		})
	}
}

// TestNoMarginFallsBackToReturn: when compensation has no room, the
// colour-difference playbook's recommendation skips it.
func TestNoMarginFallsBackToReturn(t *testing.T) {
	pol := DefaultPolicy()
	pb := DefaultPlaybook("product.colour_difference")
	pb.FirstOffer, pb.Fallbacks = kefu.CaseCompensation, []kefu.CaseKind{kefu.CaseReturnRefund}
	d := Evaluate(&pol, order("四川省", "成都市", tp(signed), item("手机壳", "electronics", 2990, 2200)),
		Proposal{Kind: kefu.CaseCompensation, Reason: "product.colour_difference"}, pb, cst(2025, 3, 3, 10, 0))
	if d.Recommended == nil || d.Recommended.Kind != kefu.CaseReturnRefund || d.Recommended.ShippingPaidBy != kefu.ResponsibleShop {
		t.Fatalf("recommended = %+v, want a return paid by the shop", d.Recommended)
	}
}

// TestRefundAmounts checks pro-rata discounts, shipping and the outbound
// deduction.
func TestRefundAmounts(t *testing.T) {
	pol := DefaultPolicy()
	// Two items, ¥300 and ¥100, with ¥40 off (满减) and ¥10 shipping paid.
	twoItems := func(delivered *time.Time) *kefu.Order {
		o := order("四川省", "成都市", delivered, item("羊毛混纺针织开衫", "apparel", 30000, 14200), item("运动速干短裤", "apparel", 10000, 3300))
		o.Discount, o.ShippingFee = 4000, 1000
		o.Total = o.Subtotal - o.Discount + o.ShippingFee
		return o
	}
	freeShipping := order("四川省", "成都市", nil, shirt)
	for _, tc := range []struct {
		name string
		o    *kefu.Order
		pr   Proposal
		at   time.Time
		want Refund
	}{
		{"change of mind after shipment: outbound shipping deducted at real cost", freeShipping,
			Proposal{Kind: kefu.CaseRefundOnly, Reason: "buyer.refund_after_shipment"}, cst(2025, 3, 1, 10, 0),
			Refund{Items: 8000, OutboundDeduction: 1200, Total: 6800}},
		{"change of mind after shipment, shipping paid: fee back, real cost kept", twoItems(nil),
			Proposal{Kind: kefu.CaseRefundOnly, Reason: "buyer.refund_after_shipment"}, cst(2025, 3, 1, 10, 0),
			Refund{Items: 40000, Discount: 4000, Shipping: 1000, OutboundDeduction: 1200, Total: 35800}},
		{"same-city change of mind costs the same-city rate", order("浙江省", "杭州市", nil, shirt),
			Proposal{Kind: kefu.CaseRefundOnly, Reason: "buyer.refund_after_shipment"}, cst(2025, 3, 1, 10, 0),
			Refund{Items: 8000, OutboundDeduction: 600, Total: 7400}},
		{"lost parcel: everything back, nothing deducted", twoItems(nil),
			Proposal{Kind: kefu.CaseRefundOnly, Reason: "logistics.parcel_lost"}, cst(2025, 3, 1, 10, 0),
			Refund{Items: 40000, Discount: 4000, Shipping: 1000, Total: 37000}},
		{"no-reason return of one item: its share of the discount, no outbound deduction", twoItems(tp(signed)),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return", Items: []ItemQty{{OrderItemID: 2, Quantity: 1}}}, cst(2025, 3, 3, 10, 0),
			Refund{Items: 10000, Discount: 1000, Total: 9000}},
		{"no-reason return of the whole order keeps the paid shipping", twoItems(tp(signed)),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "buyer.seven_day_return"}, cst(2025, 3, 3, 10, 0),
			Refund{Items: 40000, Discount: 4000, Total: 36000}},
		{"quality return: shipping back and return postage reimbursed", twoItems(tp(signed)),
			Proposal{Kind: kefu.CaseReturnRefund, Reason: "product.quality_defect", Items: []ItemQty{{OrderItemID: 1, Quantity: 1}}}, cst(2025, 3, 3, 10, 0),
			Refund{Items: 30000, Discount: 3000, ReturnAllowance: 1500, Total: 28500}},
		{"refund before shipment: everything back", func() *kefu.Order { o := twoItems(nil); o.ShippedAt = nil; return o }(),
			Proposal{Kind: kefu.CaseRefundOnly, Reason: "buyer.refund_before_shipment"}, cst(2025, 2, 27, 10, 0),
			Refund{Items: 40000, Discount: 4000, Shipping: 1000, Total: 37000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(&pol, tc.o, tc.pr, DefaultPlaybook(tc.pr.Reason), tc.at)
			if !d.Eligible {
				t.Fatalf("not eligible: %s", codes(d.Reasons))
			}
			if d.Refund == nil || *d.Refund != tc.want {
				t.Fatalf("refund = %+v, want %+v", d.Refund, tc.want)
			}
			if d.Ceiling != tc.want.Total || d.Amount != tc.want.Total {
				t.Errorf("ceiling %d amount %d, want both %d", d.Ceiling, d.Amount, tc.want.Total)
			}
			if tc.want.OutboundDeduction > 0 && !has(d.Reasons, "outbound_deducted") {
				t.Errorf("reasons %s do not explain the deduction", codes(d.Reasons))
			}
		})
	}
}

func TestDiscountSharesAddUp(t *testing.T) {
	o := &kefu.Order{Discount: 1000, Items: []kefu.OrderItem{{UnitPrice: 333, Quantity: 1}, {UnitPrice: 333, Quantity: 1}, {UnitPrice: 334, Quantity: 1}}}
	shares := discountShares(o)
	var sum int64
	for _, s := range shares {
		sum += s
	}
	if sum != 1000 {
		t.Errorf("shares %v add up to %d, want 1000", shares, sum)
	}
}

func TestDayNumber(t *testing.T) {
	for _, tc := range []struct {
		delivered, at time.Time
		want          int
	}{
		{cst(2025, 3, 1, 15, 0), cst(2025, 3, 1, 23, 59), 0},
		{cst(2025, 3, 1, 23, 50), cst(2025, 3, 2, 0, 0), 1},
		{cst(2025, 3, 1, 15, 0), cst(2025, 3, 8, 23, 59), 7},
		{cst(2025, 12, 31, 10, 0), cst(2026, 1, 7, 10, 0), 7},
	} {
		if got := dayNumber(tc.delivered, tc.at, shanghai); got != tc.want {
			t.Errorf("dayNumber(%v, %v) = %d, want %d", tc.delivered, tc.at, got, tc.want)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Policy)
		field string
	}{
		{"defaults are valid", func(*Policy) {}, ""},
		{"bad time zone", func(p *Policy) { p.TimeZone = "Mars/Olympus" }, "time_zone"},
		{"band upside down", func(p *Policy) { p.Compensation.SameCity = Band{Min: 1000, Recommended: 500, Max: 200} }, "compensation.same_city"},
		{"negative allowance", func(p *Policy) { p.Shipping.ReturnAllowance = -1 }, "shipping.return_allowance"},
		{"unknown condition", func(p *Policy) { p.NoReason.AcceptedConditions = []string{"shiny"} }, "no_reason.accepted_conditions"},
		{"floor over 100%", func(p *Policy) { p.Compensation.MarginFloorPercent = 120 }, "compensation.margin_floor_percent"},
	} {
		p := DefaultPolicy()
		tc.edit(&p)
		err := p.Validate()
		var fe *kefu.FieldError
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.field != "" && (err == nil || !asField(err, &fe) || fe.Field != tc.field):
			t.Errorf("%s: error %v, want one on %s", tc.name, err, tc.field)
		}
	}
}

func asField(err error, fe **kefu.FieldError) bool {
	f, ok := err.(*kefu.FieldError)
	*fe = f
	return ok
}

func TestDefaultPlaybooksCoverTaxonomy(t *testing.T) {
	for _, g := range kefu.DefaultTaxonomy {
		for _, c := range g.Children {
			pb, ok := DefaultPlaybooks[c.Key]
			if !ok {
				t.Errorf("no playbook for %s", c.Key)
				continue
			}
			if err := pb.Validate(); err != nil {
				t.Errorf("playbook %s: %v", c.Key, err)
			}
			if pb.ScriptZH == "" || pb.ScriptEN == "" {
				t.Errorf("playbook %s lacks a script in both languages", c.Key)
			}
		}
	}
}

func TestDeadlines(t *testing.T) {
	pol := DefaultPolicy()
	opened := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
	received := opened.Add(5 * 24 * time.Hour)
	trail := []*kefu.CaseTransition{{To: kefu.CaseRequested, CreatedAt: opened}, {To: kefu.CaseApproved}, {To: kefu.CaseAwaitingReturn}, {To: kefu.CaseReceived, CreatedAt: received}}
	for _, tc := range []struct {
		status  kefu.CaseStatus
		kind    kefu.CaseKind
		now     time.Time
		want    string
		overdue bool
	}{
		{kefu.CaseRequested, kefu.CaseReturnRefund, opened.Add(24 * time.Hour), "process", false},
		{kefu.CaseRequested, kefu.CaseReturnRefund, opened.Add(16 * 24 * time.Hour), "process", true},
		{kefu.CaseReceived, kefu.CaseReturnRefund, received.Add(6 * 24 * time.Hour), "refund", false},
		{kefu.CaseInspected, kefu.CaseReturnRefund, received.Add(8 * 24 * time.Hour), "refund", true},
		{kefu.CaseReceived, kefu.CaseExchange, received.Add(8 * 24 * time.Hour), "", false},
		{kefu.CaseCompleted, kefu.CaseReturnRefund, received.Add(80 * 24 * time.Hour), "", false},
	} {
		c := &kefu.Case{Kind: tc.kind, Status: tc.status, CreatedAt: opened}
		ds := deadlines(&pol, c, trail, tc.now)
		got, overdue := "", false
		if len(ds) > 0 {
			got, overdue = ds[0].Key, ds[0].Overdue
		}
		if got != tc.want || overdue != tc.overdue || len(ds) > 1 {
			t.Errorf("%s %s at %v: %v, want %s overdue %v", tc.kind, tc.status, tc.now, ds, tc.want, tc.overdue)
		}
	}
}
