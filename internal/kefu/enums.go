package kefu

// Role is what a user may do. Visibility rules live in package auth.
type Role string

// Roles, from the most to the least powerful.
const (
	RoleAdmin        Role = "admin"
	RoleSupervisor   Role = "supervisor"
	RoleAgent        Role = "agent"
	RoleCollaborator Role = "collaborator" // another department: sees only tickets handed to its team
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleSupervisor, RoleAgent, RoleCollaborator:
		return true
	}
	return false
}

// UserStatus says whether a user may sign in.
type UserStatus string

// User statuses.
const (
	UserActive   UserStatus = "active"
	UserDisabled UserStatus = "disabled"
)

// Channel is where a ticket came from.
type Channel string

// Channels.
const (
	ChannelEmail  Channel = "email"
	ChannelChat   Channel = "chat"
	ChannelPortal Channel = "portal"
	ChannelPhone  Channel = "phone"
	ChannelAPI    Channel = "api"
)

// Channels lists every channel in display order.
var Channels = []Channel{ChannelEmail, ChannelChat, ChannelPortal, ChannelPhone, ChannelAPI}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return oneOf(c, Channels) }

// TicketType is the nature of the request (咨询 / 投诉 / 售后).
type TicketType string

// Ticket types.
const (
	TypeConsultation TicketType = "consultation"
	TypeComplaint    TicketType = "complaint"
	TypeAfterSales   TicketType = "after_sales"
)

// TicketTypes lists every type.
var TicketTypes = []TicketType{TypeConsultation, TypeComplaint, TypeAfterSales}

// Valid reports whether t is a known type.
func (t TicketType) Valid() bool { return oneOf(t, TicketTypes) }

// Priority orders work; higher is more urgent.
type Priority string

// Priorities.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists every priority from low to urgent.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return oneOf(p, Priorities) }

// MessageKind tells who wrote a message and who may read it.
type MessageKind string

// Message kinds.
const (
	MessageCustomer MessageKind = "customer" // from the customer
	MessageReply    MessageKind = "reply"    // public reply from an agent
	MessageNote     MessageKind = "note"     // internal note, never shown to the customer
	MessageSystem   MessageKind = "system"   // an event worth showing in the conversation
)

// Valid reports whether k is a known message kind.
func (k MessageKind) Valid() bool {
	return oneOf(k, []MessageKind{MessageCustomer, MessageReply, MessageNote, MessageSystem})
}

// IdentityKind is a way a customer can be recognised.
type IdentityKind string

// Identity kinds.
const (
	IdentityEmail    IdentityKind = "email"
	IdentityPhone    IdentityKind = "phone"
	IdentityVisitor  IdentityKind = "visitor"  // chat visitor id
	IdentityExternal IdentityKind = "external" // the shop system's customer id
)

// Valid reports whether k is a known identity kind.
func (k IdentityKind) Valid() bool {
	return oneOf(k, []IdentityKind{IdentityEmail, IdentityPhone, IdentityVisitor, IdentityExternal})
}

// VIPTier ranks customers for priority and SLA; 0 is a regular customer.
type VIPTier int

// ShipmentStatus is where a parcel is.
type ShipmentStatus string

// Shipment statuses.
const (
	ShipmentPending   ShipmentStatus = "pending"
	ShipmentInTransit ShipmentStatus = "in_transit"
	ShipmentOutForDel ShipmentStatus = "out_for_delivery"
	ShipmentDelivered ShipmentStatus = "delivered"
	ShipmentException ShipmentStatus = "exception"
	ShipmentLost      ShipmentStatus = "lost"
	ShipmentReturned  ShipmentStatus = "returned"
)

// ShipmentStatuses lists every shipment status.
var ShipmentStatuses = []ShipmentStatus{ShipmentPending, ShipmentInTransit, ShipmentOutForDel,
	ShipmentDelivered, ShipmentException, ShipmentLost, ShipmentReturned}

// Valid reports whether s is a known shipment status.
func (s ShipmentStatus) Valid() bool { return oneOf(s, ShipmentStatuses) }

func oneOf[T comparable](v T, set []T) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}
