package aftersale

import (
	"sort"
	"strings"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// discountShares splits an order's discount over its lines in proportion
// to their value (largest remainder, so the shares add up to the discount
// exactly): a partial return of a 满减 deal is recalculated at item prices.
func discountShares(o *kefu.Order) []int64 {
	shares := make([]int64, len(o.Items))
	var base int64
	for _, it := range o.Items {
		base += it.UnitPrice * int64(it.Quantity)
	}
	if o.Discount <= 0 || base <= 0 {
		return shares
	}
	d := o.Discount
	if d > base {
		d = base
	}
	type rem struct {
		i int
		r int64
	}
	rems := make([]rem, len(o.Items))
	var given int64
	for i, it := range o.Items {
		line := it.UnitPrice * int64(it.Quantity)
		shares[i] = d * line / base
		rems[i] = rem{i, d * line % base}
		given += shares[i]
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; given < d; k++ {
		shares[rems[k%len(rems)].i]++
		given++
	}
	return shares
}

// distance is how far the buyer is from the shop.
type distance int

const (
	distUnknown distance = iota
	distSameCity
	distSameProvince
	distOtherProvince
)

func (p *Policy) distanceTo(o *kefu.Order) distance {
	prov, city := norm(o.ShippingProvince), norm(o.ShippingCity)
	if prov == "" && city == "" {
		return distUnknown
	}
	// Municipalities (上海市) are their own province and city.
	if city != "" && city == norm(p.ShopCity) {
		return distSameCity
	}
	if prov != "" && prov == norm(p.ShopProvince) {
		return distSameProvince
	}
	return distOtherProvince
}

// norm makes "浙江" and "浙江省 " compare equal.
func norm(s string) string {
	s = strings.TrimSpace(s)
	for _, suf := range []string{"省", "市", "自治区", "特别行政区"} {
		s = strings.TrimSuffix(s, suf)
	}
	return strings.ToLower(s)
}

func (c DistanceCosts) at(d distance) int64 {
	switch d {
	case distSameCity:
		return c.SameCity
	case distSameProvince:
		return c.SameProvince
	}
	return c.OtherProvince
}

// deduction is the outbound cost to deduct: when the destination is
// unknown, the cheapest, so a buyer is never charged more than it cost.
func (c DistanceCosts) deduction(d distance) int64 {
	if d == distUnknown {
		return minInt(c.SameCity, minInt(c.SameProvince, c.OtherProvince))
	}
	return c.at(d)
}

func clamp0(v int64) int64 {
	if v < 0 {
		return 0
	}
	return v
}

func minInt(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}
