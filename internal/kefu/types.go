package kefu

import (
	"encoding/json"
	"time"
)

// User is a person who works in kefu.
type User struct {
	ID        int64      `json:"id"`
	Email     string     `json:"email"`
	Name      string     `json:"name"`
	Role      Role       `json:"role"`
	Language  string     `json:"language"` // "zh-CN" or "en"
	Status    UserStatus `json:"status"`
	TeamIDs   []int64    `json:"team_ids"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// InTeam reports whether the user belongs to team id.
func (u *User) InTeam(id int64) bool { return oneOf(id, u.TeamIDs) }

// TeamKind separates front-line service teams from the departments they hand work to.
type TeamKind string

// Team kinds.
const (
	TeamSupport    TeamKind = "support"
	TeamDepartment TeamKind = "department"
)

// Team is the after-sales team or a department (tech support, warehouse, logistics).
type Team struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Kind        TeamKind  `json:"kind"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
}

// Category is a node of the problem taxonomy: a group (ParentID nil) or a
// problem within a group. Names are bilingual because agents in both languages
// pick from the same list.
type Category struct {
	ID       int64  `json:"id"`
	ParentID *int64 `json:"parent_id"`
	Key      string `json:"key"` // stable machine name, e.g. "product.colour_difference"
	NameZH   string `json:"name_zh"`
	NameEN   string `json:"name_en"`
	Position int    `json:"position"`
	Archived bool   `json:"archived"`
}

// Identity is one way to recognise a customer: an email address, a phone
// number, a chat visitor id or the shop system's id. Values are stored
// normalised (see NormalizeIdentity) and are unique per kind.
type Identity struct {
	Kind  IdentityKind `json:"kind"`
	Value string       `json:"value"`
}

// Customer is a buyer of the shop.
type Customer struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	Language       string     `json:"language"`
	Identities     []Identity `json:"identities"`
	Tags           []string   `json:"tags"`
	Notes          string     `json:"notes"`
	Birthday       string     `json:"birthday,omitempty"` // YYYY-MM-DD, optional
	GreetingsOptIn bool       `json:"greetings_opt_in"`
	VIPTier        VIPTier    `json:"vip_tier"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Email returns the customer's first email identity, or "".
func (c *Customer) Email() string { return c.identity(IdentityEmail) }

// Phone returns the customer's first phone identity, or "".
func (c *Customer) Phone() string { return c.identity(IdentityPhone) }

func (c *Customer) identity(k IdentityKind) string {
	for _, id := range c.Identities {
		if id.Kind == k {
			return id.Value
		}
	}
	return ""
}

// Order is an order from the shop's system, fed to kefu by bulk upsert.
// Amounts are integer minor units (分) of Currency.
type Order struct {
	ID               int64       `json:"id"`
	ExternalID       string      `json:"external_id"`
	Number           string      `json:"number"`
	CustomerID       int64       `json:"customer_id"`
	PlacedAt         time.Time   `json:"placed_at"`
	PaidAt           *time.Time  `json:"paid_at"`
	ShippedAt        *time.Time  `json:"shipped_at"`
	DeliveredAt      *time.Time  `json:"delivered_at"`
	ShippingProvince string      `json:"shipping_province"`
	ShippingCity     string      `json:"shipping_city"`
	Currency         string      `json:"currency"`
	Subtotal         int64       `json:"subtotal"`
	ShippingFee      int64       `json:"shipping_fee"`
	Discount         int64       `json:"discount"`
	Total            int64       `json:"total"`
	Items            []OrderItem `json:"items"`
	Shipments        []Shipment  `json:"shipments"`
	CreatedAt        time.Time   `json:"created_at"`
	UpdatedAt        time.Time   `json:"updated_at"`
}

// OrderItem is one line of an order. UnitCost lets the after-sales policy keep
// compensation above the order's margin.
type OrderItem struct {
	ID              int64  `json:"id"`
	SKU             string `json:"sku"`
	ProductName     string `json:"product_name"`
	ProductCategory string `json:"product_category"` // apparel, electronics, fresh, custom, books, digital…
	Variant         string `json:"variant"`          // size, colour
	Quantity        int    `json:"quantity"`
	UnitPrice       int64  `json:"unit_price"`
	UnitCost        int64  `json:"unit_cost"`
	NonReturnable   bool   `json:"non_returnable"` // the buyer confirmed at purchase that it is excluded from no-reason return
}

// Shipment is a parcel of an order with its tracking history.
type Shipment struct {
	ID             int64           `json:"id"`
	Carrier        string          `json:"carrier"`
	TrackingNumber string          `json:"tracking_number"`
	Status         ShipmentStatus  `json:"status"`
	ShippedAt      *time.Time      `json:"shipped_at"`
	DeliveredAt    *time.Time      `json:"delivered_at"`
	Events         []ShipmentEvent `json:"events"`
}

// ShipmentEvent is one scan in a parcel's tracking history.
type ShipmentEvent struct {
	At          time.Time      `json:"at"`
	Status      ShipmentStatus `json:"status"`
	Location    string         `json:"location"`
	Description string         `json:"description"`
}

// Ticket is one customer request and everything done about it.
type Ticket struct {
	ID              int64          `json:"id"`
	Number          int64          `json:"number"` // human number, #1001…
	Subject         string         `json:"subject"`
	Channel         Channel        `json:"channel"`
	Type            TicketType     `json:"type"`
	CategoryID      *int64         `json:"category_id"`
	Priority        Priority       `json:"priority"`
	Status          Status         `json:"status"`
	AssigneeID      *int64         `json:"assignee_id"`
	TeamID          *int64         `json:"team_id"`
	CustomerID      int64          `json:"customer_id"`
	OrderID         *int64         `json:"order_id"`
	FollowUpOf      *int64         `json:"follow_up_of"` // the closed ticket this one continues
	MergedInto      *int64         `json:"merged_into"`
	Tags            []string       `json:"tags"`
	CustomFields    map[string]any `json:"custom_fields"`
	FirstResponseAt *time.Time     `json:"first_response_at"`
	SolvedAt        *time.Time     `json:"solved_at"`
	ClosedAt        *time.Time     `json:"closed_at"`
	LastMessageAt   time.Time      `json:"last_message_at"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	// SLA is the ticket's deadlines; package sla fills it where a ticket is
	// shown (nil until then).
	SLA *TicketSLA `json:"sla"`
}

// Message is one entry of a ticket's conversation.
type Message struct {
	ID               int64        `json:"id"`
	TicketID         int64        `json:"ticket_id"`
	Kind             MessageKind  `json:"kind"`
	AuthorUserID     *int64       `json:"author_user_id"`
	AuthorCustomerID *int64       `json:"author_customer_id"`
	Body             string       `json:"body"` // plain text, always present
	HTML             string       `json:"html"` // sanitised HTML, optional
	ExternalID       string       `json:"external_id,omitempty"`
	Attachments      []Attachment `json:"attachments"`
	// RawSHA256 names the original mail (.eml) of a message that came by
	// email, kept so nothing is lost to a parser bug.
	RawSHA256 string `json:"raw_sha256"`
	// QuoteAt is the byte offset in Body where quoted history or a
	// signature starts: the display folds what follows. 0 when none.
	QuoteAt int `json:"quote_at"`
	// DeliveryStatus is how far a reply on an email ticket got: queued,
	// sent or failed (with DeliveryError, the mail server's reason).
	DeliveryStatus string    `json:"delivery_status"`
	DeliveryError  string    `json:"delivery_error"`
	CreatedAt      time.Time `json:"created_at"`
}

// Attachment is a file on a message. The bytes are stored once per SHA-256.
type Attachment struct {
	ID          int64  `json:"id"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"` // sniffed from the bytes, not taken from the sender
	Filename    string `json:"filename"`
}

// Handoff records a transfer of a ticket to another agent or team, with the
// note the receiver sees pinned so the customer never repeats themselves.
type Handoff struct {
	ID         int64     `json:"id"`
	TicketID   int64     `json:"ticket_id"`
	FromUserID *int64    `json:"from_user_id"`
	ToUserID   *int64    `json:"to_user_id"`
	ToTeamID   *int64    `json:"to_team_id"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
}

// Event is a change others must hear about. It is written in the same
// transaction as the change (transactional outbox) and doubles as the
// ticket's activity trail.
type Event struct {
	ID          int64           `json:"id"`
	Type        string          `json:"type"` // "ticket.created", "message.added", …
	TicketID    *int64          `json:"ticket_id"`
	ActorUserID *int64          `json:"actor_user_id"`
	Data        json.RawMessage `json:"data"`
	CreatedAt   time.Time       `json:"created_at"`
}

// Event types.
const (
	EventTicketCreated   = "ticket.created"
	EventTicketUpdated   = "ticket.updated"
	EventTicketMerged    = "ticket.merged"
	EventTicketHandedOff = "ticket.handed_off"
	EventMessageAdded    = "message.added"
	EventMessageDelivery = "message.delivery" // a reply's delivery status changed
	EventCustomerCreated = "customer.created"
	EventCustomerUpdated = "customer.updated"
	EventOrderUpserted   = "order.upserted"
	EventUserCreated     = "user.created"
	EventUserUpdated     = "user.updated"
	EventTeamCreated     = "team.created"
	EventTeamUpdated     = "team.updated"
	EventCategoryChanged = "category.changed"
)
