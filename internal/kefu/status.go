package kefu

// Status is where a ticket stands in its life.
type Status string

// Ticket statuses. The state machine is in CanTransition.
const (
	StatusNew     Status = "new"
	StatusOpen    Status = "open"
	StatusPending Status = "pending" // waiting on the customer
	StatusOnHold  Status = "on_hold" // waiting on another department
	StatusSolved  Status = "solved"
	StatusClosed  Status = "closed" // final: a new message starts a follow-up ticket
)

// Statuses lists every status in workflow order.
var Statuses = []Status{StatusNew, StatusOpen, StatusPending, StatusOnHold, StatusSolved, StatusClosed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return oneOf(s, Statuses) }

// Active reports whether the ticket still needs work from the team.
func (s Status) Active() bool { return s != StatusSolved && s != StatusClosed }

// transitions lists the statuses an agent may move a ticket to from each status.
// new → open → pending / on hold → solved → closed; solved may be reopened;
// closed is final.
var transitions = map[Status][]Status{
	StatusNew:     {StatusOpen, StatusPending, StatusOnHold, StatusSolved, StatusClosed},
	StatusOpen:    {StatusPending, StatusOnHold, StatusSolved, StatusClosed},
	StatusPending: {StatusOpen, StatusOnHold, StatusSolved, StatusClosed},
	StatusOnHold:  {StatusOpen, StatusPending, StatusSolved, StatusClosed},
	StatusSolved:  {StatusOpen, StatusClosed},
	StatusClosed:  nil,
}

// CanTransition reports whether a ticket may move from one status to another.
// Staying in the same status is always allowed except back to new.
func CanTransition(from, to Status) bool {
	if from == to {
		return to != StatusNew || from == StatusNew
	}
	return oneOf(to, transitions[from])
}

// StatusAfterCustomerMessage is the status a ticket takes when the customer
// writes: anything waiting on them or solved becomes open again. ok is false
// for a closed ticket, whose new message must start a follow-up ticket.
func StatusAfterCustomerMessage(s Status) (next Status, ok bool) {
	switch s {
	case StatusClosed:
		return s, false
	case StatusNew:
		return StatusNew, true
	case StatusOnHold:
		// Work is with another department; the customer's news does not change that.
		return StatusOnHold, true
	default:
		return StatusOpen, true
	}
}

// StatusAfterReply is the status a ticket takes when an agent replies publicly
// and asks for nothing else: a new ticket becomes open.
func StatusAfterReply(s Status) Status {
	if s == StatusNew {
		return StatusOpen
	}
	return s
}
