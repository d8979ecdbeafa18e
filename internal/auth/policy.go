package auth

import (
	"fmt"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Action is something a user may or may not do. Ticket visibility is a
// Scope; everything else is an Action.
type Action string

// Actions.
const (
	ManageUsers      Action = "manage users and teams"
	ManageCategories Action = "manage categories"
	ManageTags       Action = "rename, merge and delete tags"
	ReadCustomers    Action = "read customers and orders"
	WriteCustomers   Action = "change customers"
	FeedOrders       Action = "feed orders"
	CreateTickets    Action = "create tickets"
	ReplyToCustomer  Action = "reply to customers"
	EditTickets      Action = "edit tickets"
	MergeTickets     Action = "merge tickets"
	AddNotes         Action = "add internal notes"
	WorkCases        Action = "open and work after-sales cases"
	ApproveOverLimit Action = "approve after-sales amounts above an agent's limit or outside the policy"
	ConfirmExecution Action = "confirm that the shop carried out a case"
	ManagePolicy     Action = "change the after-sales policy and the shop webhook"
	ManagePlaybooks  Action = "edit after-sales playbooks"
	ReadReports      Action = "read after-sales reports"
	ManageSLA        Action = "manage calendars, SLA policies, routing and automation rules"
	ManageChannels   Action = "manage channels"
)

// allowed lists the roles that may take each action.
var allowed = map[Action][]kefu.Role{
	ManageUsers:      {kefu.RoleAdmin},
	ManageCategories: {kefu.RoleAdmin, kefu.RoleSupervisor},
	ManageTags:       {kefu.RoleAdmin, kefu.RoleSupervisor},
	ReadCustomers:    {kefu.RoleAdmin, kefu.RoleSupervisor, kefu.RoleAgent},
	WriteCustomers:   {kefu.RoleAdmin, kefu.RoleSupervisor, kefu.RoleAgent},
	FeedOrders:       {kefu.RoleAdmin, kefu.RoleSupervisor},
	CreateTickets:    {kefu.RoleAdmin, kefu.RoleSupervisor, kefu.RoleAgent},
	ReplyToCustomer:  {kefu.RoleAdmin, kefu.RoleSupervisor, kefu.RoleAgent},
	EditTickets:      {kefu.RoleAdmin, kefu.RoleSupervisor, kefu.RoleAgent},
	MergeTickets:     {kefu.RoleAdmin, kefu.RoleSupervisor, kefu.RoleAgent},
	AddNotes:         {kefu.RoleAdmin, kefu.RoleSupervisor, kefu.RoleAgent, kefu.RoleCollaborator},
	WorkCases:        {kefu.RoleAdmin, kefu.RoleSupervisor, kefu.RoleAgent},
	ApproveOverLimit: {kefu.RoleAdmin, kefu.RoleSupervisor},
	ConfirmExecution: {kefu.RoleAdmin, kefu.RoleSupervisor},
	ManagePolicy:     {kefu.RoleAdmin},
	ManagePlaybooks:  {kefu.RoleAdmin, kefu.RoleSupervisor},
	ReadReports:      {kefu.RoleAdmin, kefu.RoleSupervisor},
	ManageSLA:        {kefu.RoleAdmin},
	ManageChannels:   {kefu.RoleAdmin},
}

// Can returns nil if u may take action a, or an error that unwraps to
// kefu.ErrForbidden.
func Can(u *kefu.User, a Action) error {
	if u == nil || u.Status != kefu.UserActive {
		return kefu.ErrUnauthorized
	}
	for _, r := range allowed[a] {
		if r == u.Role {
			return nil
		}
	}
	return &ForbiddenError{Role: u.Role, Action: a}
}

// ForbiddenError says which action a role may not take; it unwraps to
// kefu.ErrForbidden, and Roles tells a user who could.
type ForbiddenError struct {
	Role   kefu.Role
	Action Action
}

func (e *ForbiddenError) Error() string {
	return fmt.Sprintf("a %s may not %s: %v", e.Role, e.Action, kefu.ErrForbidden)
}

// Unwrap makes errors.Is(err, kefu.ErrForbidden) hold.
func (e *ForbiddenError) Unwrap() error { return kefu.ErrForbidden }

// Roles returns the roles that may take action a.
func Roles(a Action) []kefu.Role { return append([]kefu.Role(nil), allowed[a]...) }

// Scope returns the tickets u may see: admins and supervisors all of them;
// agents their teams' tickets and those assigned or handed to them;
// collaborators only tickets handed to their team or to them.
func Scope(u *kefu.User) *store.Scope {
	switch u.Role {
	case kefu.RoleAdmin, kefu.RoleSupervisor:
		return &store.Scope{All: true}
	case kefu.RoleAgent:
		return &store.Scope{UserID: u.ID, TeamIDs: u.TeamIDs, OwnTeams: true}
	default:
		return &store.Scope{UserID: u.ID, TeamIDs: u.TeamIDs}
	}
}
