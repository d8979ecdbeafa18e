package aftersale

import (
	"fmt"
	"strings"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// Playbook is the default path for one problem of the taxonomy (seed 003's
// handling playbooks): who is usually responsible, what evidence to ask
// for, the first remedy to offer and what to fall back to, the department
// tasks to open and what to tell the customer. It pre-fills a case; the
// agent can change everything, and shops edit playbooks.
type Playbook struct {
	Reason         string              `json:"reason"` // taxonomy key
	Responsibility kefu.Responsibility `json:"responsibility"`
	Evidence       []string            `json:"evidence"`    // keys of EvidenceKinds
	FirstOffer     kefu.CaseKind       `json:"first_offer"` // "" when the problem needs no case
	Fallbacks      []kefu.CaseKind     `json:"fallbacks"`
	Tasks          []TaskTemplate      `json:"tasks"`
	ScriptZH       string              `json:"script_zh"` // what the agent says (话术)
	ScriptEN       string              `json:"script_en"`
	Custom         bool                `json:"custom"` // edited by the shop
}

// TaskTemplate is a department task a playbook opens at a step of the case.
type TaskTemplate struct {
	Department string `json:"department"` // warehouse, logistics, tech (Policy.Departments)
	Kind       string `json:"kind"`       // inspect, trace, claim, intercept, diagnose, other
	When       string `json:"when"`       // created, approved, received
	DueHours   int    `json:"due_hours"`
	TitleZH    string `json:"title_zh"`
	TitleEN    string `json:"title_en"`
	// Categories limits the task to cases about these product categories
	// (a tech diagnosis for electronics); empty means every case.
	Categories []string `json:"categories,omitempty"`
}

// Task steps.
const (
	StepCreated  = "created"
	StepApproved = "approved"
	StepReceived = "received"
)

// EvidenceKinds is what a playbook can ask the customer for.
var EvidenceKinds = []Label{
	{"photo_defect", "问题部位的清晰照片", "A clear photo of the problem"},
	{"photo_whole", "商品整体照片", "A photo of the whole item"},
	{"photo_label", "吊牌/标签照片", "A photo of the tags or label"},
	{"photo_package", "外包装和快递面单照片", "A photo of the parcel and its shipping label"},
	{"photo_daylight", "自然光下与详情页的对比照片", "A daylight photo beside the product page"},
	{"photo_measure", "平铺测量尺寸的照片", "A photo measuring the item laid flat"},
	{"video_unboxing", "开箱视频", "An unboxing video"},
	{"screenshot_chat", "与客服沟通的截图", "A screenshot of the conversation with our agent"},
}

// DefaultPlaybooks holds one playbook per problem of kefu.DefaultTaxonomy.
var DefaultPlaybooks = map[string]Playbook{}

func init() {
	inspect := TaskTemplate{Department: DeptWarehouse, Kind: "inspect", When: StepReceived, DueHours: 24,
		TitleZH: "验收退回商品", TitleEN: "Inspect the returned item"}
	diagnose := TaskTemplate{Department: DeptTech, Kind: "diagnose", When: StepCreated, DueHours: 24,
		TitleZH: "根据照片判断故障", TitleEN: "Diagnose the fault from the photos", Categories: []string{"electronics"}}
	trace := TaskTemplate{Department: DeptLogistics, Kind: "trace", When: StepCreated, DueHours: 24,
		TitleZH: "联系快递查件并反馈", TitleEN: "Trace the parcel with the courier and report back"}
	claim := TaskTemplate{Department: DeptLogistics, Kind: "claim", When: StepCreated, DueHours: 48,
		TitleZH: "向快递公司申请丢件理赔", TitleEN: "File a loss claim with the courier"}
	intercept := TaskTemplate{Department: DeptLogistics, Kind: "intercept", When: StepApproved, DueHours: 24,
		TitleZH: "拦截在途包裹", TitleEN: "Intercept the parcel in transit"}
	packing := TaskTemplate{Department: DeptWarehouse, Kind: "other", When: StepCreated, DueHours: 24,
		TitleZH: "核对打包记录和称重", TitleEN: "Check the packing record and weight"}
	courier := TaskTemplate{Department: DeptLogistics, Kind: "other", When: StepCreated, DueHours: 48,
		TitleZH: "向快递网点投诉并反馈结果", TitleEN: "Complain to the courier's depot and report back"}
	K := func(ks ...kefu.CaseKind) []kefu.CaseKind { return ks }
	T := func(ts ...TaskTemplate) []TaskTemplate { return ts }
	E := func(es ...string) []string { return es }
	shop, logi, buyer := kefu.ResponsibleShop, kefu.ResponsibleLogistics, kefu.ResponsibleBuyer
	for _, pb := range []Playbook{
		{"product.quality_defect", shop, E("photo_defect", "photo_whole"), kefu.CaseExchange, K(kefu.CaseReturnRefund, kefu.CaseRepair, kefu.CaseCompensation), T(diagnose, inspect),
			"非常抱歉给您带来不便。麻烦您拍几张问题部位的清晰照片发给我们，确认是质量问题后，我们承担来回运费为您换货。",
			"We are very sorry. Please send us a few clear photos of the problem; once we confirm it is a defect we will exchange it and pay the shipping both ways.", false},
		{"product.colour_difference", shop, E("photo_daylight", "photo_whole"), kefu.CaseExchange, K(kefu.CaseCompensation, kefu.CaseReturnRefund), T(inspect),
			"非常抱歉颜色和您预期的不一样。麻烦您在自然光下拍一张和详情页对比的照片，我们承担运费为您换货；如果您愿意留下，我们也可以给您一些补偿。",
			"We are sorry the colour is not what you expected. Please send a daylight photo beside the product page; we will exchange it at our cost, or compensate you if you would like to keep it.", false},
		{"product.wrong_size", shop, E("photo_measure", "photo_label"), kefu.CaseExchange, K(kefu.CaseReturnRefund), T(inspect),
			"非常抱歉尺码不符。麻烦您平铺测量一下并拍照，我们核实后承担运费为您换成合适的尺码。",
			"We are sorry the size is wrong. Please measure the item laid flat and send a photo; we will exchange it for the right size at our cost.", false},
		{"product.flaw", shop, E("photo_defect"), kefu.CaseCompensation, K(kefu.CaseExchange, kefu.CaseReturnRefund), T(inspect),
			"非常抱歉商品有瑕疵。麻烦您拍一下瑕疵的位置，如果不影响使用，我们给您一些补偿；您也可以选择换货。",
			"We are sorry about the flaw. Please send a photo of it; if it does not affect use we can compensate you, or we can exchange it.", false},
		{"product.wrong_item", shop, E("photo_whole", "photo_label"), kefu.CaseExchange, K(kefu.CaseReturnRefund), T(inspect),
			"非常抱歉发错了商品，是我们的失误。麻烦您拍一下收到的商品和吊牌，我们承担运费为您换成正确的商品。",
			"We are sorry we sent the wrong item; it is our mistake. Please send a photo of what arrived and its label, and we will send the right one at our cost.", false},
		{"product.missing_or_extra", shop, E("photo_package", "photo_whole"), kefu.CaseResend, K(kefu.CaseRefundOnly), T(packing),
			"非常抱歉少发了商品。麻烦您拍一下包裹和面单，我们核对打包记录后马上为您补发。",
			"We are sorry something was missing. Please send a photo of the parcel and its label; we will check our packing record and resend it right away.", false},
		{"product.not_as_pictured", shop, E("photo_whole", "photo_daylight"), kefu.CaseReturnRefund, K(kefu.CaseExchange, kefu.CaseCompensation), T(inspect),
			"非常抱歉商品与描述不符。麻烦您拍几张实物照片，我们承担运费为您办理退货退款。",
			"We are sorry the item is not as described. Please send a few photos; we will take it back and refund you at our cost.", false},
		{"product.out_of_stock", shop, nil, kefu.CaseRefundOnly, nil, nil,
			"非常抱歉您购买的商品暂时缺货，我们马上为您全额退款。",
			"We are sorry the item is out of stock; we will refund you in full right away.", false},
		{"service.agent_attitude", shop, E("screenshot_chat"), kefu.CaseCompensation, nil, nil,
			"非常抱歉我们客服的态度让您不愉快，我代表团队向您道歉。",
			"We are very sorry about how our agent treated you; I apologise on behalf of the team.", false},
		{"service.misleading_advice", shop, E("screenshot_chat"), kefu.CaseExchange, K(kefu.CaseReturnRefund, kefu.CaseCompensation), T(inspect),
			"非常抱歉我们客服的介绍让您买错了，我代表她向您道歉。我们愿意承担运费为您换货或退货；如果您愿意留下，我们给您一些补偿，并说明补偿的依据。",
			"We are sorry our agent's advice led you to the wrong item; I apologise on their behalf. We will exchange or take it back at our cost, or, if you keep it, compensate you and explain the amount.", false},
		{"service.slow_handling", shop, nil, kefu.CaseCompensation, nil, nil,
			"非常抱歉让您久等了，我们会尽快为您处理完毕。",
			"We are sorry you had to wait; we will finish this for you as quickly as we can.", false},
		{"logistics.wrong_courier", logi, nil, kefu.CaseCompensation, nil, nil,
			"非常抱歉没有按您的要求选择快递，我们会跟进包裹直到您收到。",
			"We are sorry we did not use the courier you asked for; we will follow the parcel until it reaches you.", false},
		{"logistics.delivery_delay", logi, nil, kefu.CaseCompensation, K(kefu.CaseRefundOnly), T(trace),
			"非常理解您着急的心情。我们已经联系快递查询，24小时内给您答复。",
			"We understand you are waiting anxiously. We have contacted the courier and will update you within 24 hours.", false},
		{"logistics.courier_behaviour", logi, nil, kefu.CaseCompensation, nil, T(courier),
			"非常抱歉快递员的服务让您不满意，我们已向快递网点反馈。",
			"We are sorry about the courier's behaviour; we have reported it to their depot.", false},
		{"logistics.parcel_lost", logi, E("photo_package"), kefu.CaseResend, K(kefu.CaseRefundOnly), T(trace, claim),
			"非常抱歉包裹丢失了。我们马上为您补发（时间紧的话改发顺丰），或者为您全额退款，您看哪种方式更方便？",
			"We are very sorry the parcel was lost. We can resend it right away (by SF Express if time is short) or refund you in full — which would you prefer?", false},
		{"buyer.change_address", buyer, nil, "", K(kefu.CaseRefundOnly), nil,
			"好的，我们马上为您修改收货地址；如果已经发货，我们联系快递改派。",
			"Certainly — we will change the address now; if the parcel has left we will ask the courier to redirect it.", false},
		{"buyer.refund_before_shipment", buyer, nil, kefu.CaseRefundOnly, nil, nil,
			"好的，商品还没有发出，我们马上为您全额退款。",
			"Certainly — the order has not shipped yet, so we will refund you in full now.", false},
		{"buyer.refund_after_shipment", buyer, nil, kefu.CaseRefundOnly, K(kefu.CaseReturnRefund), T(intercept),
			"商品已经发出了，我们为您拦截包裹。退款时需要扣除我们发货的运费（按我们的内部价，不会多扣），感谢您的理解。",
			"The parcel has already left; we will intercept it. The refund deducts only what the outbound shipping cost us (our contract rate), thank you for understanding.", false},
		{"buyer.wrong_address", buyer, nil, "", K(kefu.CaseRefundOnly), T(trace),
			"我们联系快递为您改派到正确的地址。",
			"We will ask the courier to redirect the parcel to the right address.", false},
		{"buyer.buyer_away", buyer, nil, "", nil, T(trace),
			"好的，我们联系快递为您延迟派送或放到驿站代收。",
			"Certainly — we will ask the courier to hold the parcel or leave it at a pick-up point.", false},
		{"buyer.seven_day_return", buyer, E("photo_whole", "photo_label"), kefu.CaseReturnRefund, K(kefu.CaseExchange), T(inspect),
			"支持七天无理由退货。请保持商品完好、吊牌齐全寄回，退货运费由您承担（购买了运费险的由运费险赔付）。",
			"The 7-day no-reason return applies. Please send the item back intact with its tags; the return postage is yours (shipping insurance pays it if you bought it).", false},
		{"buyer.return_after_seven_days", buyer, E("photo_whole"), kefu.CaseReturnRefund, nil, nil,
			"非常抱歉，已经超过七天无理由退货期限了；如果商品有质量问题，我们一定为您处理。",
			"We are sorry, the 7-day no-reason return has passed; if there is a quality problem we will certainly take care of it.", false},
	} {
		DefaultPlaybooks[pb.Reason] = pb
	}
}

// DefaultPlaybook returns the built-in playbook for a reason, or a bare one
// for a problem the shop added to its taxonomy.
func DefaultPlaybook(reason string) Playbook {
	if pb, ok := DefaultPlaybooks[reason]; ok {
		return pb
	}
	return Playbook{Reason: reason, Responsibility: responsibilityOf(reason)}
}

// responsibilityOf guesses who is responsible from the taxonomy group.
func responsibilityOf(reason string) kefu.Responsibility {
	switch strings.SplitN(reason, ".", 2)[0] {
	case "logistics":
		return kefu.ResponsibleLogistics
	case "buyer":
		return kefu.ResponsibleBuyer
	}
	return kefu.ResponsibleShop
}

// Validate checks a playbook a shop submitted.
func (pb *Playbook) Validate() error {
	if pb.Responsibility != "" && !pb.Responsibility.Valid() {
		return kefu.Invalid("responsibility", "must be shop, logistics, buyer or manufacturer")
	}
	if pb.FirstOffer != "" && !pb.FirstOffer.Valid() {
		return kefu.Invalid("first_offer", "unknown case kind %q", pb.FirstOffer)
	}
	for _, k := range pb.Fallbacks {
		if !k.Valid() {
			return kefu.Invalid("fallbacks", "unknown case kind %q", k)
		}
	}
	for _, e := range pb.Evidence {
		if !knownLabel(EvidenceKinds, e) {
			return kefu.Invalid("evidence", "unknown evidence kind %q", e)
		}
	}
	for i, t := range pb.Tasks {
		f := fmt.Sprintf("tasks[%d].", i)
		if t.Department == "" {
			return kefu.Invalid(f+"department", "is required (warehouse, logistics, tech or another key of the policy's departments)")
		}
		if t.When != StepCreated && t.When != StepApproved && t.When != StepReceived {
			return kefu.Invalid(f+"when", "must be created, approved or received")
		}
		if t.DueHours <= 0 || t.DueHours > 24*60 {
			return kefu.Invalid(f+"due_hours", "must be from 1 to 1440")
		}
		if strings.TrimSpace(t.TitleZH) == "" && strings.TrimSpace(t.TitleEN) == "" {
			return kefu.Invalid(f+"title_zh", "a title in at least one language is required")
		}
		if t.Kind == "" {
			pb.Tasks[i].Kind = "other"
		}
	}
	for _, s := range []struct{ f, v string }{{"script_zh", pb.ScriptZH}, {"script_en", pb.ScriptEN}} {
		if _, err := kefu.CleanText(s.f, s.v, 0, 2000); err != nil {
			return err
		}
	}
	return nil
}

func knownLabel(ls []Label, key string) bool {
	for _, l := range ls {
		if l.Key == key {
			return true
		}
	}
	return false
}
