package kefu

import (
	"encoding/json"
	"time"
)

// CaseKind is the remedy an after-sales case asks for.
type CaseKind string

// Case kinds.
const (
	CaseRefundOnly   CaseKind = "refund_only"   // 仅退款: money back, nothing comes back
	CaseReturnRefund CaseKind = "return_refund" // 退货退款: the item comes back, then the money
	CaseExchange     CaseKind = "exchange"      // 换货: the item comes back, another goes out
	CaseResend       CaseKind = "resend"        // 补发: a missing or lost item goes out again
	CaseRepair       CaseKind = "repair"        // 维修: the item comes back repaired
	CaseCompensation CaseKind = "compensation"  // 补偿: a partial refund, the buyer keeps the item
)

// CaseKinds lists every kind.
var CaseKinds = []CaseKind{CaseRefundOnly, CaseReturnRefund, CaseExchange, CaseResend, CaseRepair, CaseCompensation}

// Valid reports whether k is a known case kind.
func (k CaseKind) Valid() bool { return oneOf(k, CaseKinds) }

// NeedsReturn reports whether the buyer sends the item back before the case
// can be carried out.
func (k CaseKind) NeedsReturn() bool {
	return k == CaseReturnRefund || k == CaseExchange || k == CaseRepair
}

// MovesMoney reports whether carrying the case out pays the buyer.
func (k CaseKind) MovesMoney() bool {
	return k == CaseRefundOnly || k == CaseReturnRefund || k == CaseCompensation
}

// Responsibility is who is at fault for the problem; it decides who pays
// the return shipping and whether compensation is owed.
type Responsibility string

// Responsible parties.
const (
	ResponsibleShop         Responsibility = "shop"
	ResponsibleLogistics    Responsibility = "logistics"
	ResponsibleBuyer        Responsibility = "buyer"
	ResponsibleManufacturer Responsibility = "manufacturer"
)

// Responsibilities lists every responsible party.
var Responsibilities = []Responsibility{ResponsibleShop, ResponsibleLogistics, ResponsibleBuyer, ResponsibleManufacturer}

// Valid reports whether r is a known responsible party.
func (r Responsibility) Valid() bool { return oneOf(r, Responsibilities) }

// CaseStatus is where an after-sales case stands.
type CaseStatus string

// Case statuses. The state machine is in CanMoveCase.
const (
	CaseRequested      CaseStatus = "requested"
	CaseApproved       CaseStatus = "approved"
	CaseRejected       CaseStatus = "rejected"
	CaseAwaitingReturn CaseStatus = "awaiting_return" // the buyer has sent the item back
	CaseReceived       CaseStatus = "received"        // the warehouse has it
	CaseInspected      CaseStatus = "inspected"       // the warehouse or tech checked it
	CaseExecuted       CaseStatus = "executed"        // the shop carried out the refund, exchange or resend
	CaseCompleted      CaseStatus = "completed"
	CaseCancelled      CaseStatus = "cancelled"
)

// CaseStatuses lists every status in workflow order.
var CaseStatuses = []CaseStatus{CaseRequested, CaseApproved, CaseRejected, CaseAwaitingReturn, CaseReceived,
	CaseInspected, CaseExecuted, CaseCompleted, CaseCancelled}

// Valid reports whether s is a known case status.
func (s CaseStatus) Valid() bool { return oneOf(s, CaseStatuses) }

// Final reports whether nothing more can happen to a case in status s.
func (s CaseStatus) Final() bool {
	return s == CaseRejected || s == CaseCompleted || s == CaseCancelled
}

// caseMoves is the case state machine: requested → approved or rejected;
// approved → awaiting the return parcel (kinds that need one) or executed;
// awaiting_return → received → inspected → executed → completed. A case may
// be cancelled until it is executed; an inspection that fails rejects it.
var caseMoves = map[CaseStatus][]CaseStatus{
	CaseRequested:      {CaseApproved, CaseRejected, CaseCancelled},
	CaseApproved:       {CaseAwaitingReturn, CaseReceived, CaseExecuted, CaseCancelled},
	CaseAwaitingReturn: {CaseReceived, CaseCancelled},
	CaseReceived:       {CaseInspected, CaseRejected, CaseCancelled},
	CaseInspected:      {CaseExecuted, CaseRejected, CaseCancelled},
	CaseExecuted:       {CaseCompleted},
}

// CanMoveCase reports whether a case of kind k may move from one status to
// another. Kinds that need the item back cannot skip the return; kinds that
// do not cannot wait for one.
func CanMoveCase(k CaseKind, from, to CaseStatus) bool {
	if !oneOf(to, caseMoves[from]) {
		return false
	}
	if from == CaseApproved {
		switch to {
		case CaseAwaitingReturn, CaseReceived:
			return k.NeedsReturn()
		case CaseExecuted:
			return !k.NeedsReturn()
		}
	}
	return true
}

// CaseItem is a line of the order a case is about, and how many of it.
type CaseItem struct {
	OrderItemID     int64  `json:"order_item_id"` // 0 once the shop removed the line from the order
	Quantity        int    `json:"quantity"`
	SKU             string `json:"sku"`
	ProductName     string `json:"product_name"`
	ProductCategory string `json:"product_category"`
	Variant         string `json:"variant"`
	UnitPrice       int64  `json:"unit_price"`
}

// Evidence is a file (a photo of the defect, an unboxing video) or a note
// attached to a case.
type Evidence struct {
	ID               int64     `json:"id"`
	CaseID           int64     `json:"case_id"`
	SHA256           string    `json:"sha256"`
	Filename         string    `json:"filename"`
	ContentType      string    `json:"content_type"`
	Size             int64     `json:"size"`
	Note             string    `json:"note"`
	AuthorUserID     *int64    `json:"author_user_id"`
	AuthorCustomerID *int64    `json:"author_customer_id"`
	CreatedAt        time.Time `json:"created_at"`
}

// CaseTransition is one audited move of a case: who, when, from what to
// what, and why.
type CaseTransition struct {
	ID              int64           `json:"id"`
	CaseID          int64           `json:"case_id"`
	From            CaseStatus      `json:"from"` // "" for the creation
	To              CaseStatus      `json:"to"`
	ActorUserID     *int64          `json:"actor_user_id"`
	ActorCustomerID *int64          `json:"actor_customer_id"`
	Actor           string          `json:"actor"` // "user", "customer", "shop" or "system"
	Note            string          `json:"note"`
	Data            json.RawMessage `json:"data"`
	CreatedAt       time.Time       `json:"created_at"`
}

// ApprovalRequest is an agent's request that a supervisor approve an amount
// above the agent's limit or the policy's ceiling.
type ApprovalRequest struct {
	Kind        CaseKind  `json:"kind"`
	Amount      int64     `json:"amount"`
	Note        string    `json:"note"`
	RequestedBy int64     `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
}

// ExecutionStatus follows the instruction sent to the shop's system.
type ExecutionStatus string

// Execution statuses.
const (
	ExecutionNone      ExecutionStatus = ""          // nothing sent yet
	ExecutionPending   ExecutionStatus = "pending"   // queued or being retried
	ExecutionDelivered ExecutionStatus = "delivered" // the shop accepted the webhook; waiting for its confirmation
	ExecutionConfirmed ExecutionStatus = "confirmed" // the shop confirmed it was done
	ExecutionFailed    ExecutionStatus = "failed"    // retries exhausted or the shop reported failure
)

// Case is an after-sales case: a remedy for items of an order, worked on a
// ticket. Amounts are minor units (分) of Currency.
type Case struct {
	ID              int64            `json:"id"`
	TicketID        int64            `json:"ticket_id"`
	OrderID         int64            `json:"order_id"`
	CustomerID      int64            `json:"customer_id"`
	Kind            CaseKind         `json:"kind"`
	Status          CaseStatus       `json:"status"`
	Reason          string           `json:"reason"` // a taxonomy key, e.g. "product.colour_difference"
	Responsibility  Responsibility   `json:"responsibility"`
	Description     string           `json:"description"`
	Condition       string           `json:"condition"` // the item's state as stated or inspected
	Items           []CaseItem       `json:"items"`
	Currency        string           `json:"currency"`
	RequestedAmount int64            `json:"requested_amount"` // what the buyer asked for (compensation)
	Amount          int64            `json:"amount"`           // what was approved
	Ceiling         int64            `json:"ceiling"`          // the policy's ceiling when last evaluated
	ShippingPaidBy  Responsibility   `json:"shipping_paid_by"` // who pays the return leg
	ReturnCarrier   string           `json:"return_carrier"`
	ReturnTracking  string           `json:"return_tracking"`
	Approval        *ApprovalRequest `json:"approval_request"`
	RejectionReason string           `json:"rejection_reason"`
	Execution       ExecutionStatus  `json:"execution_status"`
	ShopReference   string           `json:"shop_reference"` // the shop's refund or shipment reference
	Rating          int              `json:"rating"`         // 1–5 from the customer, 0 before
	RatingComment   string           `json:"rating_comment"`
	Channel         Channel          `json:"channel"` // where it was opened: portal, or an agent's channel
	// Decision is the policy's evaluation when the case was opened or last
	// re-evaluated (aftersale.Decision as JSON), so the agent sees why.
	Decision        json.RawMessage `json:"decision"`
	CreatedByUserID *int64          `json:"created_by_user_id"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	ClosedAt        *time.Time      `json:"closed_at"`
}

// TaskStatus is where a department task stands.
type TaskStatus string

// Task statuses.
const (
	TaskOpen      TaskStatus = "open"
	TaskDone      TaskStatus = "done"
	TaskCancelled TaskStatus = "cancelled"
)

// TaskResult is a department's verdict on a task.
type TaskResult string

// Task results. An inspection that passes moves its case on.
const (
	TaskPass TaskResult = "pass"
	TaskFail TaskResult = "fail"
	TaskNote TaskResult = "done" // done, with an answer and no verdict
)

// CaseTask is work a case step hands to another department (warehouse:
// inspect the return; logistics: trace a parcel; tech: diagnose), with a due
// time and the department's answer.
type CaseTask struct {
	ID        int64      `json:"id"`
	CaseID    int64      `json:"case_id"`
	TicketID  int64      `json:"ticket_id"`
	TeamID    int64      `json:"team_id"`
	Kind      string     `json:"kind"` // inspect, trace, claim, diagnose, other
	Title     string     `json:"title"`
	DueAt     time.Time  `json:"due_at"`
	Status    TaskStatus `json:"status"`
	Result    TaskResult `json:"result"`
	Answer    string     `json:"answer"`
	DoneBy    *int64     `json:"done_by"`
	DoneAt    *time.Time `json:"done_at"`
	CreatedBy *int64     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	Overdue   bool       `json:"overdue"`
}

// Delivery is one instruction to the shop's system (refund, exchange,
// resend…), sent as a signed webhook until the shop accepts it, and then
// confirmed by the shop.
type Delivery struct {
	ID            int64             `json:"id"`
	CaseID        int64             `json:"case_id"`
	EventID       string            `json:"event_id"` // the idempotency key the shop de-duplicates on
	Action        string            `json:"action"`   // refund, exchange, resend, repair, compensation
	Payload       json.RawMessage   `json:"payload"`
	Status        string            `json:"status"` // pending, delivered, confirmed, failed
	Attempts      int               `json:"attempts"`
	NextAttemptAt *time.Time        `json:"next_attempt_at"`
	LastError     string            `json:"last_error"`
	DeliveredAt   *time.Time        `json:"delivered_at"`
	ConfirmedAt   *time.Time        `json:"confirmed_at"`
	CreatedAt     time.Time         `json:"created_at"`
	Log           []DeliveryAttempt `json:"attempts_log"`
}

// DeliveryAttempt is one try at sending a Delivery.
type DeliveryAttempt struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code"` // 0 when no answer came
	Error      string    `json:"error"`
	DurationMS int64     `json:"duration_ms"`
}

// Case event types.
const (
	EventCaseCreated           = "case.created"
	EventCaseUpdated           = "case.updated"
	EventCaseTransitioned      = "case.transitioned"
	EventCaseEvidenceAdded     = "case.evidence_added"
	EventCaseApprovalRequested = "case.approval_requested"
	EventCaseTaskOpened        = "case.task_opened"
	EventCaseTaskDone          = "case.task_done"
	EventCaseExecutionQueued   = "case.execution_queued"
	EventCaseExecutionDone     = "case.execution_confirmed"
	EventCaseRated             = "case.rated"
	EventPolicyChanged         = "aftersale.policy_changed"
	EventPlaybookChanged       = "aftersale.playbook_changed"
)
