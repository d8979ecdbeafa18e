package aftersale

// Effect is what a reason does to a decision.
type Effect string

// Effects.
const (
	Allow Effect = "allow" // a rule that makes the remedy possible
	Deny  Effect = "deny"  // a rule that rules it out
	Warn  Effect = "warn"  // something the agent must check or approve
	Info  Effect = "info"  // how an amount or a window was worked out
)

// Reason is one step of a decision, in both languages, so the agent and the
// customer each read it in theirs.
type Reason struct {
	Code   string `json:"code"`
	Effect Effect `json:"effect"`
	ZH     string `json:"zh"`
	EN     string `json:"en"`
}

// Text returns the reason in lang ("zh-CN" or "en").
func (r Reason) Text(lang string) string {
	if isEnglish(lang) {
		return r.EN
	}
	return r.ZH
}

func isEnglish(lang string) bool { return len(lang) >= 2 && lang[:2] == "en" }

func reason(code string, e Effect, zh, en string) Reason {
	return Reason{Code: code, Effect: e, ZH: zh, EN: en}
}

// categoryNames are the product categories the policy knows by name; a
// shop's own categories appear as they are written.
var categoryNames = map[string][2]string{
	"custom":      {"定作商品", "made-to-order goods"},
	"fresh":       {"鲜活易腐商品", "fresh and perishable goods"},
	"digital":     {"已交付的数字化商品（音像、软件、激活码）", "digital goods once delivered (audio-video, software, keys)"},
	"periodicals": {"已交付的报纸、期刊", "delivered newspapers and periodicals"},
	"apparel":     {"服装鞋包", "apparel"},
	"electronics": {"数码电器", "electronics"},
	"books":       {"图书", "books"},
}

func categoryName(c string) (zh, en string) {
	if n, ok := categoryNames[c]; ok {
		return n[0], n[1]
	}
	return "“" + c + "”类商品", "goods of category “" + c + "”"
}

// kindNames are the case kinds in both languages.
var kindNames = map[string][2]string{
	"refund_only":   {"仅退款", "refund only"},
	"return_refund": {"退货退款", "return and refund"},
	"exchange":      {"换货", "exchange"},
	"resend":        {"补发", "resend"},
	"repair":        {"维修", "repair"},
	"compensation":  {"补偿（部分退款）", "compensation (partial refund)"},
}

// KindName returns a case kind's name in lang.
func KindName(kind, lang string) string {
	n, ok := kindNames[kind]
	if !ok {
		return kind
	}
	if isEnglish(lang) {
		return n[1]
	}
	return n[0]
}

func conditionName(c string) (zh, en string) {
	for _, l := range Conditions {
		if l.Key == c {
			return l.ZH, l.EN
		}
	}
	return c, c
}
