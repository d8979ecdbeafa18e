// Package customer holds the use cases for the shop's side of kefu's data:
// customers with their identities, and the orders a shop's system feeds in.
package customer

import (
	"context"
	"errors"
	"strings"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Service runs customer and order use cases against a store.
type Service struct {
	st *store.Store
}

// New returns a Service on st.
func New(st *store.Store) *Service { return &Service{st: st} }

// Ref names a customer: an existing id, or identities to find them by (a
// new customer is created when none matches).
type Ref struct {
	ID         int64  `json:"id,omitempty"`
	Name       string `json:"name,omitempty"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
	VisitorID  string `json:"visitor_id,omitempty"`
	Language   string `json:"language,omitempty"`
}

func (ref Ref) identities() ([]kefu.Identity, error) {
	var ids []kefu.Identity
	for _, p := range []struct {
		kind  kefu.IdentityKind
		value string
	}{{kefu.IdentityEmail, ref.Email}, {kefu.IdentityPhone, ref.Phone}, {kefu.IdentityExternal, ref.ExternalID}, {kefu.IdentityVisitor, ref.VisitorID}} {
		if strings.TrimSpace(p.value) == "" {
			continue
		}
		v, err := kefu.NormalizeIdentity(p.kind, p.value)
		if err != nil {
			return nil, err
		}
		ids = append(ids, kefu.Identity{Kind: p.kind, Value: v})
	}
	return ids, nil
}

// Resolve finds the customer ref names, or creates them. A customer found
// by a single identity comes back with only its id and that identity (the
// hot path of every incoming message); load the rest with Get. Identities a known
// customer uses for the first time are added to them. A nil actor is a
// channel. Errors name fields relative to the ref ("email", "id").
func (s *Service) Resolve(ctx context.Context, actor *kefu.User, ref Ref) (*kefu.Customer, error) {
	if ref.ID > 0 {
		c, err := s.st.Customer(ctx, ref.ID)
		if errors.Is(err, kefu.ErrNotFound) {
			return nil, &kefu.NotFoundError{What: "customer", Field: "customer.id"}
		}
		return c, err
	}
	ids, err := ref.identities()
	if err != nil {
		return nil, kefu.PrefixField("customer.", err)
	}
	if len(ids) == 0 {
		return nil, kefu.Invalid("customer", "needs an id, email, phone, external_id or visitor_id")
	}
	for _, id := range ids {
		if len(ids) == 1 {
			// The common case (one address or phone): one indexed lookup.
			cid, err := s.st.CustomerIDByIdentity(ctx, id.Kind, id.Value)
			if errors.Is(err, kefu.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			return &kefu.Customer{ID: cid, Identities: ids}, nil
		}
		c, err := s.st.CustomerByIdentity(ctx, id.Kind, id.Value)
		if errors.Is(err, kefu.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return c, s.addMissingIdentities(ctx, c, ids)
	}
	name, err := kefu.CleanText("customer.name", ref.Name, 0, 200)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = ids[0].Value
		if ids[0].Kind == kefu.IdentityEmail {
			name = name[:strings.IndexByte(name, '@')]
		}
	}
	lang := ref.Language
	if lang == "" {
		lang = "zh-CN"
	}
	c := &kefu.Customer{Name: name, Language: lang, Identities: ids, Tags: []string{}}
	if err := s.st.CreateCustomer(ctx, c); err != nil {
		var ce *kefu.ConflictError
		if !errors.As(err, &ce) || ce.Field != "identities" || c.ID == 0 {
			return nil, err
		}
		// A concurrent request created this customer a moment ago (PostgreSQL
		// made us wait for its commit): drop ours and use theirs.
		if err := s.st.DeleteCustomer(ctx, c.ID); err != nil && !errors.Is(err, kefu.ErrNotFound) {
			return nil, err
		}
		for _, id := range ids {
			if other, err := s.st.CustomerByIdentity(ctx, id.Kind, id.Value); err == nil {
				return other, s.addMissingIdentities(ctx, other, ids)
			}
		}
		return nil, err
	}
	return c, s.event(ctx, kefu.EventCustomerCreated, actor, c.ID)
}

func (s *Service) event(ctx context.Context, typ string, actor *kefu.User, customerID int64) error {
	e := &kefu.Event{Type: typ}
	if actor != nil {
		e.ActorUserID = &actor.ID
	}
	return s.st.AddEvent(ctx, e, map[string]any{"customer_id": customerID})
}

// addMissingIdentities records identities a known customer wrote with for the
// first time, unless they belong to someone else.
func (s *Service) addMissingIdentities(ctx context.Context, c *kefu.Customer, ids []kefu.Identity) error {
	for _, id := range ids {
		has := false
		for _, old := range c.Identities {
			has = has || old == id
		}
		if has {
			continue
		}
		if _, err := s.st.CustomerByIdentity(ctx, id.Kind, id.Value); err == nil {
			continue // another customer's: leave both alone, an agent can merge them
		}
		if err := s.st.AddIdentity(ctx, c.ID, id); err != nil {
			return err
		}
		c.Identities = append(c.Identities, id)
	}
	return nil
}

// Input is the writable part of a customer.
type Input struct {
	Name           string          `json:"name"`
	Language       string          `json:"language"`
	Identities     []kefu.Identity `json:"identities"`
	Tags           []string        `json:"tags"`
	Notes          string          `json:"notes"`
	Birthday       string          `json:"birthday"`
	GreetingsOptIn bool            `json:"greetings_opt_in"`
	VIPTier        int             `json:"vip_tier"`
}

func (in Input) apply(c *kefu.Customer) error {
	var err error
	if c.Name, err = kefu.CleanText("name", in.Name, 1, 200); err != nil {
		return err
	}
	c.Language = in.Language
	if c.Language == "" {
		c.Language = "zh-CN"
	}
	if c.Language != "zh-CN" && c.Language != "en" {
		return kefu.Invalid("language", "must be zh-CN or en; got %q", in.Language)
	}
	c.Identities = []kefu.Identity{}
	for i, id := range in.Identities {
		v, err := kefu.NormalizeIdentity(id.Kind, id.Value)
		if err != nil {
			return kefu.Invalid("identities", "entry %d: %v", i, err)
		}
		c.Identities = append(c.Identities, kefu.Identity{Kind: id.Kind, Value: v})
	}
	if c.Tags, err = CleanTags(in.Tags); err != nil {
		return err
	}
	if c.Notes, err = kefu.CleanText("notes", in.Notes, 0, 10000); err != nil {
		return err
	}
	if in.Birthday != "" && !validDate(in.Birthday) {
		return kefu.Invalid("birthday", "must be a date YYYY-MM-DD; got %q", in.Birthday)
	}
	c.Birthday, c.GreetingsOptIn = in.Birthday, in.GreetingsOptIn
	if in.VIPTier < 0 || in.VIPTier > 9 {
		return kefu.Invalid("vip_tier", "must be 0 to 9; got %d", in.VIPTier)
	}
	c.VIPTier = kefu.VIPTier(in.VIPTier)
	return nil
}

// Create adds a customer.
func (s *Service) Create(ctx context.Context, actor *kefu.User, in Input) (*kefu.Customer, error) {
	if err := auth.Can(actor, auth.WriteCustomers); err != nil {
		return nil, err
	}
	c := &kefu.Customer{}
	if err := in.apply(c); err != nil {
		return nil, err
	}
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.CreateCustomer(ctx, c); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventCustomerCreated, actor, c.ID)
	})
	return c, err
}

// Update replaces a customer's writable fields.
func (s *Service) Update(ctx context.Context, actor *kefu.User, id int64, in Input) (*kefu.Customer, error) {
	if err := auth.Can(actor, auth.WriteCustomers); err != nil {
		return nil, err
	}
	var c *kefu.Customer
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.st.Customer(ctx, id); err != nil {
			return err
		}
		if err := in.apply(c); err != nil {
			return err
		}
		if err := s.st.UpdateCustomer(ctx, c); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventCustomerUpdated, actor, c.ID)
	})
	return c, err
}

// Delete removes a customer who has no tickets or orders.
func (s *Service) Delete(ctx context.Context, actor *kefu.User, id int64) error {
	if err := auth.Can(actor, auth.WriteCustomers); err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.DeleteCustomer(ctx, id); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventCustomerUpdated, actor, id)
	})
}

// Get returns a customer. Collaborators see a customer only through a
// ticket handed to them.
func (s *Service) Get(ctx context.Context, actor *kefu.User, id int64) (*kefu.Customer, error) {
	if err := s.canRead(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.st.Customer(ctx, id)
}

func (s *Service) canRead(ctx context.Context, actor *kefu.User, customerID int64) error {
	err := auth.Can(actor, auth.ReadCustomers)
	if !errors.Is(err, kefu.ErrForbidden) {
		return err
	}
	ts, _, lerr := s.st.Tickets(ctx, store.TicketFilter{Scope: auth.Scope(actor), CustomerID: customerID, Limit: 1})
	if lerr != nil {
		return lerr
	}
	if len(ts) == 0 {
		return kefu.NotFound("customer")
	}
	return nil
}

// List returns customers matching f.
func (s *Service) List(ctx context.Context, actor *kefu.User, f store.CustomerFilter) ([]*kefu.Customer, error) {
	if err := auth.Can(actor, auth.ReadCustomers); err != nil {
		return nil, err
	}
	return s.st.Customers(ctx, f)
}

// ByIdentity returns the customer with an identity.
func (s *Service) ByIdentity(ctx context.Context, actor *kefu.User, kind kefu.IdentityKind, value string) (*kefu.Customer, error) {
	if err := auth.Can(actor, auth.ReadCustomers); err != nil {
		return nil, err
	}
	v, err := kefu.NormalizeIdentity(kind, value)
	if err != nil {
		return nil, err
	}
	return s.st.CustomerByIdentity(ctx, kind, v)
}

// CleanTags trims, de-duplicates and checks a list of tags.
func CleanTags(tags []string) ([]string, error) {
	const maxTags, maxTag = 50, 64
	if len(tags) > maxTags {
		return nil, kefu.Invalid("tags", "at most %d tags, got %d", maxTags, len(tags))
	}
	out := []string{}
	seen := map[string]bool{}
	for _, t := range tags {
		t, err := kefu.CleanText("tags", t, 1, maxTag)
		if err != nil {
			return nil, err
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out, nil
}

func validDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i, c := range s {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
