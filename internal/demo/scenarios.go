package demo

import "github.com/kefu-dev/kefu/internal/kefu"

// A scenario is a hand-written after-sales case: what the customer writes,
// how the agent diagnoses it, whom it is handed to and how it ends. A ticket
// plays as much of it as its status allows:
//
//	new      open
//	pending  open, first (the agent asked something)
//	open     open, first, more (the customer answered)
//	on_hold  … more, the hand-off and the agent telling the customer
//	solved   … more, [the hand-off and the department's answer], resolve
//	closed   … resolve, close and the closing system line
//
// Texts hold placeholders filled from the ticket's customer and order; see
// ticketPlan.replacer.
type scenario struct {
	key      string
	en       bool
	category string // taxonomy key; "" for none
	typ      kefu.TicketType
	prio     kefu.Priority
	channels []kefu.Channel
	cats     []string // product categories the case is about; empty: any shippable goods
	skus     []string // narrower: the products the case fits
	colour   string   // the colour the buyer ordered, when the case is about it
	fate     fate
	weight   int
	multi    bool // the order has several lines
	notSF    bool // the parcel went with a courier other than SF
	lead     bool // a supervisor often takes it
	subject  string
	open     []step
	first    []step
	more     []step
	hand     *handoff
	resolve  []step
	close    []step
	tags     []string
	comp     int64 // compensation paid when solved, in fen
	resend   bool  // a replacement parcel goes out by SF when solved
}

// step is one message of a scenario.
type step struct {
	k    byte // 'C' customer, 'A' reply, 'N' agent's note, 'D' department's note, 'S' system, 'H' hand-off line, 'X' closing line
	text string
	pics []int
}

// handoff is a scenario's transfer to a department.
type handoff struct {
	team string // department name
	note string // the note pinned on the hand-off
	wait string // what the agent tells the customer meanwhile
	dept string // the department's answer, as an internal note
}

func cust(text string, pics ...int) step { return step{k: 'C', text: text, pics: pics} }
func reply(text string) step             { return step{k: 'A', text: text} }
func note(text string) step              { return step{k: 'N', text: text} }
func system(text string) step            { return step{k: 'S', text: text} }

// fateKind says what happened to a ticket's order by the time the customer wrote.
type fateKind int

const (
	fNone           fateKind = iota // no order (a question before buying)
	fDelivered                      // signed for min–max days before the ticket
	fDigital                        // a code sent at once, min–max days before
	fUnshipped                      // placed min–max days before, not shipped
	fPacked                         // placed min–max days before, packed, not picked up
	fInTransit                      // picked up min–max days before, stuck on the way
	fStalled                        // picked up min–max days before, no scan since the hub: lost
	fException                      // picked up min–max days before, delivery failed: bad address
	fOutForDelivery                 // out for delivery as the customer writes
	fIntercept                      // picked up min–max days before; the buyer wants it back
)

// fate is how a scenario's order looks when the ticket opens.
type fate struct {
	kind     fateKind
	min, max float64 // days before the ticket
}

// moving reports whether the order is still on its way when the ticket
// opens; such tickets cannot stay open for weeks.
func (f fate) moving() bool {
	switch f.kind {
	case fNone, fDelivered, fDigital:
		return false
	}
	return true
}

var (
	chAll      = []kefu.Channel{kefu.ChannelEmail, kefu.ChannelChat, kefu.ChannelPortal, kefu.ChannelPhone, kefu.ChannelAPI}
	chChat     = []kefu.Channel{kefu.ChannelChat, kefu.ChannelChat, kefu.ChannelPhone, kefu.ChannelEmail}
	chRequest  = []kefu.Channel{kefu.ChannelPortal, kefu.ChannelChat, kefu.ChannelAPI, kefu.ChannelEmail}
	chComplain = []kefu.Channel{kefu.ChannelPhone, kefu.ChannelChat, kefu.ChannelEmail, kefu.ChannelChat}
	chEN       = []kefu.Channel{kefu.ChannelEmail, kefu.ChannelChat, kefu.ChannelPortal}
)

// Products some scenarios fit.
var (
	skusNavy    = []string{"AP-1001", "AP-1002", "AP-1004", "AP-1006"} // come in 藏青
	skusTops    = []string{"AP-1001", "AP-1002", "AP-1004", "AP-1006"}
	skusBattery = []string{"EL-2001", "EL-2002", "EL-2003", "EL-2004", "EL-2007"}
	skusFruit   = []string{"FR-3002", "FR-3003"}
)

// scenarios lists every scenario, Chinese first.
func scenarios() []*scenario {
	var all []*scenario
	all = append(all, scenariosProduct()...)
	all = append(all, scenariosService()...)
	all = append(all, scenariosBuyer()...)
	all = append(all, scenariosEN()...)
	return all
}
