package main

import (
	"fmt"
	"strings"
)

// A query of the fixed mix, with its category for the per-category figures.
type benchQuery struct {
	cat string
	q   string
}

var (
	zhWords = []string{"退款", "物流", "色差", "快递", "发票", "退货", "换货", "尺码", "质量", "破损", "发货", "签收", "地址", "优惠", "客服",
		"耳机", "屏幕", "充电", "电池", "包装", "颜色", "赔偿", "保修", "补发", "漏发", "售后", "差评", "价保", "运费", "坏果",
		"刻字", "缺页", "激活", "投诉", "扣款", "驿站", "预售", "划痕", "异味", "冰袋"}
	zhPhrases = []string{`"七天无理由"`, `"质量问题"`, `"物流信息"`, `"恢复出厂设置"`, `"重复扣款"`, `"原路退回"`, `"外包装压坏"`, `"电子发票"`,
		"衣服色差", "快递丢件", "申请退款", "屏幕划痕", "蓝牙连接不上", "退款没到账", "发错货", "尺码偏小", "水果烂了", "优惠券用不了"}
	enWords = []string{"refund", "delivery", "damaged", "broken", "invoice", "exchange", "size", "battery", "charging", "tracking",
		"replacement", "warranty", "cancel", "missing", "late", "parcel", "headphones", "reset", "depot", "accounting"}
	mixed = []string{"iPhone 屏幕", "Type-C 数据线", "65W 充电器", "USB-C cable", "refund 退款", "T恤 色差", "L码 偏小", "VIP 投诉"}
)

// makeQueries draws n queries: two-character Chinese words, Chinese
// phrases, phone numbers (whole, with separators, last four digits), order
// and tracking numbers, English words and mixed text.
func makeQueries(c *corpus, n int, salt uint64) []benchQuery {
	r := c.rng(7, salt)
	out := make([]benchQuery, 0, n)
	for len(out) < n {
		k := r.IntN(100)
		var bq benchQuery
		switch {
		case k < 30:
			bq = benchQuery{"zh-word", zhWords[r.IntN(len(zhWords))]}
		case k < 45:
			bq = benchQuery{"zh-phrase", zhPhrases[r.IntN(len(zhPhrases))]}
		case k < 53:
			bq = benchQuery{"phone", c.phone(1 + int64(r.IntN(c.customers)))}
		case k < 57:
			p := c.phone(1 + int64(r.IntN(c.customers)))
			bq = benchQuery{"phone", p[:3] + "-" + p[3:7] + "-" + p[7:]}
		case k < 60:
			p := c.phone(1 + int64(r.IntN(c.customers)))
			bq = benchQuery{"phone-last4", p[7:]}
		case k < 70:
			bq = benchQuery{"order-no", c.order(1 + int64(r.IntN(max(c.orders, 1)))).number}
		case k < 75:
			bq = benchQuery{"tracking", c.order(1 + int64(r.IntN(max(c.orders, 1)))).tracking}
		case k < 95:
			w := enWords[r.IntN(len(enWords))]
			if r.IntN(4) == 0 {
				w += " " + enWords[r.IntN(len(enWords))]
			}
			bq = benchQuery{"en-word", w}
		default:
			bq = benchQuery{"mixed", mixed[r.IntN(len(mixed))]}
		}
		out = append(out, bq)
	}
	return out
}

func categories(qs []benchQuery) []string {
	seen := map[string]bool{}
	var out []string
	for _, q := range qs {
		if !seen[q.cat] {
			seen[q.cat] = true
			out = append(out, q.cat)
		}
	}
	return out
}

func describeMix(qs []benchQuery) string {
	n := map[string]int{}
	for _, q := range qs {
		n[q.cat]++
	}
	var parts []string
	for _, c := range []string{"zh-word", "zh-phrase", "phone", "phone-last4", "order-no", "tracking", "en-word", "mixed"} {
		if n[c] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c, n[c]))
		}
	}
	return strings.Join(parts, ", ")
}
