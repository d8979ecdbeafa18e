package aftersale

import (
	"testing"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// BenchmarkEvaluate is one full decision with its recommendation: the
// colour-difference playbook walks exchange, compensation and return.
func BenchmarkEvaluate(b *testing.B) {
	pol := DefaultPolicy()
	o := order("浙江省", "杭州市", tp(signed), shirt, item("运动速干短裤", "apparel", 5900, 4000))
	o.Discount = 1000
	pb := DefaultPlaybook("product.colour_difference")
	pr := Proposal{Kind: kefu.CaseReturnRefund, Reason: "product.colour_difference", Items: []ItemQty{{OrderItemID: 1, Quantity: 1}}}
	at := cst(2025, 3, 3, 10, 0)
	b.ReportAllocs()
	for b.Loop() {
		d := Evaluate(&pol, o, pr, pb, at)
		if !d.Eligible {
			b.Fatal("not eligible")
		}
	}
}
