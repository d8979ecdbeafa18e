package demo

import (
	"context"
	"fmt"

	"github.com/kefu-dev/kefu/internal/store"
)

// cannedResponses are the demo shop's standard phrasing (话术), bilingual,
// with the workspace's placeholders.
var cannedResponses = []store.CannedResponse{
	{Title: "问候 / Greeting", Shortcut: "hi",
		BodyZH: "{{customer.name}}您好，我是客服{{agent.name}}，很高兴为您服务。请问有什么可以帮您？",
		BodyEN: "Hello {{customer.name}}, this is {{agent.name}} from customer service. How can I help you today?"},
	{Title: "致歉 / Apology", Shortcut: "sorry",
		BodyZH: "非常抱歉给您带来了不便，我理解您的感受。关于订单 {{order.number}}，我们会尽快为您处理。",
		BodyEN: "We are very sorry for the trouble, and we understand how you feel. We will sort out order {{order.number}} as quickly as we can."},
	{Title: "请提供照片 / Ask for photos", Shortcut: "photo",
		BodyZH: "为了尽快帮您处理，麻烦您拍几张商品问题部位的照片（包括吊牌和外包装）发给我们，谢谢！",
		BodyEN: "To help you quickly, could you send us a few photos of the problem, including the label and the packaging? Thank you!"},
	{Title: "物流跟进承诺 / Courier follow-up", Shortcut: "track",
		BodyZH: "您的包裹我们已经联系快递核实，24小时内一定给您回复处理进度。工单号 {{ticket.number}}，您随时可以凭它查询。",
		BodyEN: "We have asked the courier about your parcel and will update you within 24 hours. Your ticket number is {{ticket.number}}."},
	{Title: "七天无理由退货说明 / 7-day return", Shortcut: "return7",
		BodyZH: "您的订单 {{order.number}} 在签收后7天内，支持七天无理由退货。请保持商品完好、吊牌齐全，退货运费由您承担，我们收到退货后7天内原路退款。",
		BodyEN: "Order {{order.number}} can be returned without reason within 7 days of delivery. Please keep the item intact with its tags; the return shipping is yours, and we refund to the original payment within 7 days of receiving it."},
	{Title: "换货 / Exchange", Shortcut: "swap",
		BodyZH: "非常抱歉！这属于质量问题，我们为您免费换新，来回运费由我们承担。请您把商品寄回，收到后当天为您发出新品。",
		BodyEN: "We are sorry! This is a quality problem, so we will exchange it for free and pay the shipping both ways. Send the item back and we ship the new one the day it arrives."},
	{Title: "结束语 / Closing", Shortcut: "bye",
		BodyZH: "感谢您的耐心，如果还有其他问题，随时联系我们。祝您生活愉快！",
		BodyEN: "Thank you for your patience. If anything else comes up, just write to us. Have a good day!"},
}

func writeCanned(ctx context.Context, st *store.Store) error {
	for i := range cannedResponses {
		c := cannedResponses[i]
		if err := st.SaveCannedResponse(ctx, &c, nil); err != nil {
			return fmt.Errorf("demo canned response %s: %w", c.Title, err)
		}
	}
	return nil
}
