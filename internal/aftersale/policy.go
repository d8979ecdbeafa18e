// Package aftersale is what makes kefu an after-sales system: cases (refund,
// return, exchange, resend, repair, compensation) on tickets, the shop's
// after-sales policy and a pure engine that applies it, playbooks that
// pre-fill a case for each problem of the taxonomy, department tasks, and the
// signed webhooks that carry approved cases out in the shop's system.
package aftersale

import (
	"fmt"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// Policy is a shop's after-sales policy. Every number is a setting; the
// defaults follow Chinese e-commerce law and platform practice (七日无理由退货,
// 三包, seed 003's compensation ladder). Amounts are minor units (分).
type Policy struct {
	// TimeZone is the shop's clock: return windows end at midnight there.
	TimeZone string `json:"time_zone"`
	Currency string `json:"currency"`
	// ShopProvince and ShopCity are where parcels ship from; the
	// compensation ladder and the outbound shipping cost depend on how far
	// the buyer is.
	ShopProvince string `json:"shop_province"`
	ShopCity     string `json:"shop_city"`
	// ReturnAddress is where buyers send returns, shown once a return is
	// approved.
	ReturnAddress string `json:"return_address"`

	NoReason     NoReasonRules     `json:"no_reason"`
	Quality      QualityRules      `json:"quality"`
	Shipping     ShippingRules     `json:"shipping"`
	Compensation CompensationRules `json:"compensation"`
	Approval     ApprovalRules     `json:"approval"`

	// Departments maps the department keys playbooks use (warehouse,
	// logistics, tech) to the names of the teams that do the work.
	Departments map[string]string `json:"departments"`
	// LostParcelDays opens a resend case by itself when a shipped parcel
	// shows no movement for this many days (0 turns the rule off).
	LostParcelDays int `json:"lost_parcel_days"`
	// RefundWithinDays is how long the shop has to refund once the return
	// arrives (the law's 7 days); ProcessWithinDays bounds handling a
	// request (15 days is a punishable breach).
	RefundWithinDays  int `json:"refund_within_days"`
	ProcessWithinDays int `json:"process_within_days"`
}

// NoReasonRules is the 7-day no-reason return (七日无理由退货).
type NoReasonRules struct {
	Enabled bool `json:"enabled"`
	// Days counts from the day after delivery was signed for: days
	// 签收+1 … 签收+Days, ending at midnight in the shop's time zone.
	Days int `json:"days"`
	// ExcludedCategories never qualify: made to order, fresh, digital goods
	// once delivered, delivered periodicals. Items marked non-returnable at
	// purchase are excluded too (OrderItem.NonReturnable).
	ExcludedCategories []string `json:"excluded_categories"`
	// AcceptedConditions are the states an item may come back in: opened
	// for inspection or reasonably tried is fine; broken seals, removed
	// tags, activation or use are not.
	AcceptedConditions []string `json:"accepted_conditions"`
	// FreeReturnShipping is a shop's promise to pay the return leg
	// (包退运费); without it the buyer pays unless shipping insurance does.
	FreeReturnShipping bool `json:"free_return_shipping"`
	// RefundPaidShipping refunds the outbound fee the buyer paid.
	RefundPaidShipping bool `json:"refund_paid_shipping"`
}

// QualityRules are the windows for quality problems and other faults the
// shop answers for (消保法 24, 三包), counted like the no-reason window.
type QualityRules struct {
	ReturnDays   int `json:"return_days"`   // return and refund
	ExchangeDays int `json:"exchange_days"` // exchange (or resend)
	WarrantyDays int `json:"warranty_days"` // repair
	// WarrantyByCategory overrides WarrantyDays; 0 means no repair.
	WarrantyByCategory map[string]int `json:"warranty_by_category"`
	// DurableCategories put the burden of proof on the shop for defects
	// reported within BurdenOfProofDays.
	DurableCategories []string `json:"durable_categories"`
	BurdenOfProofDays int      `json:"burden_of_proof_days"`
}

// DistanceCosts is an amount for each distance from the shop.
type DistanceCosts struct {
	SameCity      int64 `json:"same_city"`
	SameProvince  int64 `json:"same_province"`
	OtherProvince int64 `json:"other_province"`
}

// ShippingRules say what shipping costs the shop and who pays returns.
type ShippingRules struct {
	// OutboundCost is the shop's real (contract) cost of one parcel, the
	// only amount ever deducted for outbound shipping (内部价运费).
	OutboundCost DistanceCosts `json:"outbound_cost"`
	// ReturnAllowance is the most the shop reimburses for a return leg it
	// pays; the buyer sends the parcel and is paid back up to this.
	ReturnAllowance int64 `json:"return_allowance"`
	// ReturnPaidBy says who pays the return leg for each responsibility.
	ReturnPaidBy map[kefu.Responsibility]kefu.Responsibility `json:"return_paid_by"`
	// DeductOutboundOnChangeOfMind deducts the outbound cost when a buyer
	// who changed their mind wants a refund after the parcel left.
	DeductOutboundOnChangeOfMind bool `json:"deduct_outbound_on_change_of_mind"`
	// DeductOutboundAfterDelivery also deducts it from a no-reason return
	// of a delivered order; the law's default is no (the buyer pays only the
	// return leg of a free-shipping item).
	DeductOutboundAfterDelivery bool `json:"deduct_outbound_after_delivery"`
}

// Band is one rung of the compensation ladder.
type Band struct {
	Min         int64 `json:"min"`
	Recommended int64 `json:"recommended"` // the first offer; negotiate up to Max
	Max         int64 `json:"max"`
}

// CompensationRules is seed 003's ladder: compensation follows one-way
// shipping — same city up to ¥10, another province ¥10–15, high-value goods
// ¥20–50 — always above a floor that keeps the order profitable.
type CompensationRules struct {
	SameCity      Band `json:"same_city"`
	SameProvince  Band `json:"same_province"`
	OtherProvince Band `json:"other_province"`
	HighValue     Band `json:"high_value"`
	// HighValueFrom is the net value of the affected items from which the
	// high-value band applies.
	HighValueFrom int64 `json:"high_value_from"`
	// MarginFloorPercent is the profit, as a percentage of the affected
	// items' net price, the shop keeps after compensating.
	MarginFloorPercent int `json:"margin_floor_percent"`
}

// ApprovalRules decide what an agent may approve alone.
type ApprovalRules struct {
	// AgentCompensationLimit is the most compensation an agent approves
	// without a supervisor.
	AgentCompensationLimit int64 `json:"agent_compensation_limit"`
	// AgentRefundLimit is the largest refund an agent approves alone; 0
	// means any refund within the policy's ceiling.
	AgentRefundLimit int64 `json:"agent_refund_limit"`
}

// Item conditions an agent or buyer can state; the policy lists which of
// them keep a no-reason return possible.
const (
	ConditionUnknown    = ""
	ConditionUnopened   = "unopened"
	ConditionOpened     = "opened" // opened to inspect
	ConditionTried      = "tried"  // reasonably tried on or out
	ConditionSealBroken = "seal_broken"
	ConditionTagRemoved = "tags_removed"
	ConditionActivated  = "activated" // electronics activated or repaired elsewhere
	ConditionUsed       = "used"
	ConditionDamaged    = "damaged"
)

// Conditions lists every condition with its names.
var Conditions = []Label{
	{ConditionUnopened, "未拆封", "Unopened"},
	{ConditionOpened, "已拆封验货", "Opened to inspect"},
	{ConditionTried, "试穿/试用（合理范围）", "Reasonably tried"},
	{ConditionSealBroken, "一次性密封已拆", "One-time seal broken"},
	{ConditionTagRemoved, "吊牌已剪或污损", "Tags removed or soiled"},
	{ConditionActivated, "已激活或私自维修", "Activated or repaired elsewhere"},
	{ConditionUsed, "已使用", "Used"},
	{ConditionDamaged, "人为损坏", "Damaged by use"},
}

// Label is a machine key with its names in both languages.
type Label struct {
	Key string `json:"key"`
	ZH  string `json:"zh"`
	EN  string `json:"en"`
}

// DefaultPolicy is the policy a shop starts with.
func DefaultPolicy() Policy {
	return Policy{
		TimeZone:      "Asia/Shanghai",
		Currency:      "CNY",
		ShopProvince:  "浙江省",
		ShopCity:      "杭州市",
		ReturnAddress: "浙江省杭州市余杭区文一西路 1888 号 kefu 售后仓，收件人：售后组，电话 0571-88886666",
		NoReason: NoReasonRules{
			Enabled:            true,
			Days:               7,
			ExcludedCategories: []string{"custom", "fresh", "digital", "periodicals"},
			AcceptedConditions: []string{ConditionUnopened, ConditionOpened, ConditionTried},
		},
		Quality: QualityRules{
			ReturnDays:         7,
			ExchangeDays:       15,
			WarrantyDays:       365,
			WarrantyByCategory: map[string]int{"fresh": 0, "digital": 0, "books": 0, "apparel": 90},
			DurableCategories:  []string{"electronics"},
			BurdenOfProofDays:  180,
		},
		Shipping: ShippingRules{
			OutboundCost:    DistanceCosts{SameCity: 600, SameProvince: 800, OtherProvince: 1200},
			ReturnAllowance: 1500,
			ReturnPaidBy: map[kefu.Responsibility]kefu.Responsibility{
				kefu.ResponsibleShop:         kefu.ResponsibleShop,
				kefu.ResponsibleLogistics:    kefu.ResponsibleShop,
				kefu.ResponsibleManufacturer: kefu.ResponsibleShop,
				kefu.ResponsibleBuyer:        kefu.ResponsibleBuyer,
			},
			DeductOutboundOnChangeOfMind: true,
		},
		Compensation: CompensationRules{
			SameCity:           Band{Min: 0, Recommended: 500, Max: 1000},
			SameProvince:       Band{Min: 500, Recommended: 800, Max: 1200},
			OtherProvince:      Band{Min: 1000, Recommended: 1000, Max: 1500},
			HighValue:          Band{Min: 2000, Recommended: 2000, Max: 5000},
			HighValueFrom:      50000,
			MarginFloorPercent: 10,
		},
		Approval: ApprovalRules{AgentCompensationLimit: 2000},
		Departments: map[string]string{
			DeptWarehouse: "仓库",
			DeptLogistics: "物流",
			DeptTech:      "技术支持",
		},
		LostParcelDays:    5,
		RefundWithinDays:  7,
		ProcessWithinDays: 15,
	}
}

// Department keys playbooks name tasks by.
const (
	DeptWarehouse = "warehouse"
	DeptLogistics = "logistics"
	DeptTech      = "tech"
)

// Validate checks a policy an admin submitted and fills what it left out
// from the defaults, so an older stored policy gains new settings.
func (p *Policy) Validate() error {
	d := DefaultPolicy()
	if p.TimeZone == "" {
		p.TimeZone = d.TimeZone
	}
	if _, err := time.LoadLocation(p.TimeZone); err != nil {
		return kefu.Invalid("time_zone", "%q is not a time zone such as Asia/Shanghai", p.TimeZone)
	}
	if p.Currency == "" {
		p.Currency = d.Currency
	}
	if len(p.Currency) != 3 {
		return kefu.Invalid("currency", "must be an ISO 4217 code such as CNY")
	}
	if p.Shipping.ReturnPaidBy == nil {
		p.Shipping.ReturnPaidBy = d.Shipping.ReturnPaidBy
	}
	for r, payer := range p.Shipping.ReturnPaidBy {
		if !r.Valid() || (payer != kefu.ResponsibleShop && payer != kefu.ResponsibleBuyer) {
			return kefu.Invalid("shipping.return_paid_by", "maps a responsibility (shop, logistics, buyer, manufacturer) to shop or buyer")
		}
	}
	if p.Departments == nil {
		p.Departments = d.Departments
	}
	for name, v := range map[string]int{
		"no_reason.days": p.NoReason.Days, "quality.return_days": p.Quality.ReturnDays, "quality.exchange_days": p.Quality.ExchangeDays,
		"quality.warranty_days": p.Quality.WarrantyDays, "quality.burden_of_proof_days": p.Quality.BurdenOfProofDays,
		"lost_parcel_days": p.LostParcelDays, "refund_within_days": p.RefundWithinDays, "process_within_days": p.ProcessWithinDays,
		"compensation.margin_floor_percent": p.Compensation.MarginFloorPercent,
	} {
		if v < 0 || v > 3650 {
			return kefu.Invalid(name, "must be from 0 to 3650")
		}
	}
	if p.Compensation.MarginFloorPercent > 100 {
		return kefu.Invalid("compensation.margin_floor_percent", "must be from 0 to 100")
	}
	for name, b := range map[string]Band{"same_city": p.Compensation.SameCity, "same_province": p.Compensation.SameProvince,
		"other_province": p.Compensation.OtherProvince, "high_value": p.Compensation.HighValue} {
		if b.Min < 0 || b.Max < b.Min || b.Recommended < b.Min || b.Recommended > b.Max {
			return kefu.Invalid("compensation."+name, "needs 0 ≤ min ≤ recommended ≤ max")
		}
	}
	for name, v := range map[string]int64{"shipping.return_allowance": p.Shipping.ReturnAllowance,
		"shipping.outbound_cost.same_city": p.Shipping.OutboundCost.SameCity, "shipping.outbound_cost.same_province": p.Shipping.OutboundCost.SameProvince,
		"shipping.outbound_cost.other_province": p.Shipping.OutboundCost.OtherProvince, "compensation.high_value_from": p.Compensation.HighValueFrom,
		"approval.agent_compensation_limit": p.Approval.AgentCompensationLimit, "approval.agent_refund_limit": p.Approval.AgentRefundLimit} {
		if v < 0 {
			return kefu.Invalid(name, "must not be negative (amounts are minor units, e.g. 分)")
		}
	}
	for _, c := range p.NoReason.AcceptedConditions {
		if !knownCondition(c) {
			return kefu.Invalid("no_reason.accepted_conditions", "unknown condition %q", c)
		}
	}
	return nil
}

func knownCondition(c string) bool {
	for _, l := range Conditions {
		if l.Key == c {
			return true
		}
	}
	return false
}

// location is the shop's time zone; Validate has checked it loads.
func (p *Policy) location() *time.Location {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

func inList(v string, list []string) bool {
	for _, s := range list {
		if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(v)) {
			return true
		}
	}
	return false
}

// warranty returns the repair window of a product category.
func (p *Policy) warranty(category string) int {
	for c, d := range p.Quality.WarrantyByCategory {
		if strings.EqualFold(c, category) {
			return d
		}
	}
	return p.Quality.WarrantyDays
}

// yuan writes an amount in fen as ¥12.50 / ¥12.
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	if fen%100 == 0 {
		return fmt.Sprintf("%s¥%d", sign, fen/100)
	}
	return fmt.Sprintf("%s¥%d.%02d", sign, fen/100, fen%100)
}
