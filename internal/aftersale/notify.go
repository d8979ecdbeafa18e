package aftersale

import (
	"context"
	"fmt"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// Progress is a customer-facing sentence about a case's step, in both
// languages. The portal shows it on the case's timeline and the ticket's
// conversation carries it as a system message, which channels may send on.
type Progress struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Text returns the sentence in lang.
func (p Progress) Text(lang string) string {
	if isEnglish(lang) {
		return p.EN
	}
	return p.ZH
}

// ProgressText is the template for a case reaching status to.
func ProgressText(c *kefu.Case, pol *Policy, to kefu.CaseStatus) Progress {
	kz, ke := KindName(string(c.Kind), "zh-CN"), KindName(string(c.Kind), "en")
	switch to {
	case kefu.CaseRequested:
		return Progress{fmt.Sprintf("我们已收到您的售后申请（%s，编号 %d），会尽快处理。", kz, c.ID),
			fmt.Sprintf("We have received your after-sales request (%s, no. %d) and will handle it shortly.", ke, c.ID)}
	case kefu.CaseApproved:
		if c.Kind.NeedsReturn() {
			return Progress{fmt.Sprintf("您的%s申请已通过。请将商品寄回：%s，并在售后页面填写退货快递单号。", kz, pol.ReturnAddress),
				fmt.Sprintf("Your %s request is approved. Please send the item to: %s, and enter the return tracking number on the request page.", ke, pol.ReturnAddress)}
		}
		return Progress{fmt.Sprintf("您的%s申请已通过，我们正在为您办理。", kz), fmt.Sprintf("Your %s request is approved; we are carrying it out.", ke)}
	case kefu.CaseRejected:
		return Progress{"很抱歉，您的申请未能通过：" + c.RejectionReason, "We are sorry, your request could not be approved: " + c.RejectionReason}
	case kefu.CaseAwaitingReturn:
		return Progress{fmt.Sprintf("已收到您的退货快递单号 %s %s，商品到仓后我们会尽快验收。", c.ReturnCarrier, c.ReturnTracking),
			fmt.Sprintf("We have your return tracking number %s %s; we will inspect the item as soon as it arrives.", c.ReturnCarrier, c.ReturnTracking)}
	case kefu.CaseReceived:
		return Progress{"您寄回的商品已到仓，正在验收。", "Your returned item has arrived at our warehouse and is being inspected."}
	case kefu.CaseInspected:
		return Progress{fmt.Sprintf("商品验收通过，正在为您办理%s。", kz), fmt.Sprintf("The item passed inspection; we are carrying out your %s.", ke)}
	case kefu.CaseExecuted:
		switch c.Kind {
		case kefu.CaseRefundOnly, kefu.CaseReturnRefund, kefu.CaseCompensation:
			return Progress{fmt.Sprintf("已为您退款 %s，将原路退回，一般 1–3 个工作日到账。", yuan(c.Amount)),
				fmt.Sprintf("We have refunded %s to your original payment method; it usually arrives within 1–3 working days.", yuan(c.Amount))}
		case kefu.CaseRepair:
			return Progress{"维修已完成，商品已寄回给您。", "The repair is done and the item is on its way back to you."}
		}
		return Progress{"新的商品已经为您发出。", "A new item is on its way to you."}
	case kefu.CaseCompleted:
		return Progress{"本次售后已完成，感谢您的耐心。欢迎为本次服务评分。", "Your after-sales request is complete; thank you for your patience. Please rate our service."}
	case kefu.CaseCancelled:
		return Progress{"售后申请已取消。", "The after-sales request was cancelled."}
	}
	return Progress{}
}

// notify tells the customer a case reached its current status: a system
// message on the ticket in the customer's language, flagged so channels
// that reach the customer (email, chat) can send it on.
func (s *Service) notify(ctx context.Context, c *kefu.Case, w who) error {
	pol, err := s.Policy(ctx)
	if err != nil {
		return err
	}
	p := ProgressText(c, &pol, c.Status)
	if p.ZH == "" {
		return nil
	}
	lang := "zh-CN"
	if cust, err := s.st.Customer(ctx, c.CustomerID); err == nil && cust.Language != "" {
		lang = cust.Language
	}
	m := &kefu.Message{TicketID: c.TicketID, Kind: kefu.MessageSystem, AuthorUserID: w.userID(), Body: p.Text(lang), CreatedAt: s.now()}
	if err := s.st.AddMessage(ctx, m); err != nil {
		return err
	}
	return s.event(ctx, kefu.EventMessageAdded, c, w, map[string]any{"message_id": m.ID, "kind": m.Kind, "notify_customer": true, "case_status": c.Status})
}
