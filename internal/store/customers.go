package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const customerCols = `id, name, language, notes, birthday, greetings_opt_in, vip_tier, created_at, updated_at`

func scanCustomer(sc interface{ Scan(...any) error }, c *kefu.Customer) error {
	return sc.Scan(&c.ID, &c.Name, &c.Language, &c.Notes, &c.Birthday, &c.GreetingsOptIn, &c.VIPTier,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
}

// CreateCustomer inserts c with its identities and tags and sets c.ID. An
// identity that already belongs to another customer is a conflict.
func (s *Store) CreateCustomer(ctx context.Context, c *kefu.Customer) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		t := now()
		c.CreatedAt, c.UpdatedAt = t, t
		err := s.writeRow(ctx, `INSERT INTO customers (name, language, notes, birthday, greetings_opt_in, vip_tier, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Name, c.Language, c.Notes, c.Birthday, c.GreetingsOptIn, c.VIPTier, t, t).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("insert customer: %w", err)
		}
		if err := s.setIdentities(ctx, c.ID, c.Identities); err != nil {
			return err
		}
		return s.addTags(ctx, "customer_tags", "customer_id", c.ID, c.Tags)
	})
}

// UpdateCustomer writes every field of c, replacing identities and tags.
func (s *Store) UpdateCustomer(ctx context.Context, c *kefu.Customer) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		c.UpdatedAt = now()
		res, err := s.exec(ctx, `UPDATE customers SET name = ?, language = ?, notes = ?, birthday = ?, greetings_opt_in = ?, vip_tier = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.Language, c.Notes, c.Birthday, c.GreetingsOptIn, c.VIPTier, c.UpdatedAt, c.ID)
		if err != nil {
			return fmt.Errorf("update customer %d: %w", c.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kefu.NotFound("customer")
		}
		if _, err := s.exec(ctx, `DELETE FROM customer_identities WHERE customer_id = ?`, c.ID); err != nil {
			return fmt.Errorf("clear identities of customer %d: %w", c.ID, err)
		}
		if err := s.setIdentities(ctx, c.ID, c.Identities); err != nil {
			return err
		}
		return s.setTags(ctx, "customer_tags", "customer_id", c.ID, c.Tags)
	})
}

// AddIdentity attaches one more identity to a customer (a chat visitor who
// turns out to be a known email, say). Adding one it already has is a no-op.
func (s *Store) AddIdentity(ctx context.Context, customerID int64, id kefu.Identity) error {
	return s.setIdentities(ctx, customerID, []kefu.Identity{id})
}

func (s *Store) setIdentities(ctx context.Context, customerID int64, ids []kefu.Identity) error {
	for _, id := range ids {
		var owner int64
		err := s.writeRow(ctx, `INSERT INTO customer_identities (customer_id, kind, value) VALUES (?, ?, ?)
			ON CONFLICT (kind, value) DO UPDATE SET kind = excluded.kind RETURNING customer_id`,
			customerID, id.Kind, id.Value).Scan(&owner)
		if err != nil {
			return fmt.Errorf("add identity %s:%s: %w", id.Kind, id.Value, err)
		}
		if owner != customerID {
			return &kefu.ConflictError{Field: "identities", Message: fmt.Sprintf("%s %s already belongs to customer %d", id.Kind, id.Value, owner)}
		}
	}
	return nil
}

// DeleteCustomer removes a customer who has no tickets and no orders.
func (s *Store) DeleteCustomer(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, `DELETE FROM customers WHERE id = ?`, id)
	if isForeignKeyViolation(err) {
		return &kefu.ConflictError{Message: "the customer has tickets or orders and cannot be deleted"}
	}
	if err != nil {
		return fmt.Errorf("delete customer %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.NotFound("customer")
	}
	return nil
}

// Customer returns the customer with id, with identities and tags.
func (s *Store) Customer(ctx context.Context, id int64) (*kefu.Customer, error) {
	var c kefu.Customer
	if err := scanCustomer(s.queryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE id = ?`, id), &c); err != nil {
		return nil, notFound(err, "customer")
	}
	return &c, s.loadCustomerDetails(ctx, []*kefu.Customer{&c})
}

// CustomerByIdentity returns the customer an identity (already normalised) belongs to.
func (s *Store) CustomerByIdentity(ctx context.Context, kind kefu.IdentityKind, value string) (*kefu.Customer, error) {
	var id int64
	if err := s.queryRow(ctx, `SELECT customer_id FROM customer_identities WHERE kind = ? AND value = ?`, kind, value).Scan(&id); err != nil {
		return nil, notFound(err, "customer")
	}
	return s.Customer(ctx, id)
}

// CustomerIDByIdentity returns the id of the customer an identity (already
// normalised) belongs to: one indexed lookup, for hot paths that need no more.
func (s *Store) CustomerIDByIdentity(ctx context.Context, kind kefu.IdentityKind, value string) (int64, error) {
	var id int64
	if err := s.queryRow(ctx, `SELECT customer_id FROM customer_identities WHERE kind = ? AND value = ?`, kind, value).Scan(&id); err != nil {
		return 0, notFound(err, "customer")
	}
	return id, nil
}

// CustomerFilter selects customers for a list.
type CustomerFilter struct {
	Query  string // prefix of the name, or of any identity value
	Tag    string
	Before int64 // cursor: customers with a smaller id
	Limit  int
}

// Customers lists customers, newest first.
func (s *Store) Customers(ctx context.Context, f CustomerFilter) ([]*kefu.Customer, error) {
	var where []string
	var args []any
	if f.Query != "" {
		p := escapeLike(strings.ToLower(f.Query)) + "%"
		where = append(where, `(LOWER(c.name) LIKE ? ESCAPE '\' OR c.id IN (SELECT customer_id FROM customer_identities WHERE value LIKE ? ESCAPE '\'))`)
		args = append(args, p, p)
	}
	if f.Tag != "" {
		where = append(where, `c.id IN (SELECT customer_id FROM customer_tags WHERE tag = ?)`)
		args = append(args, f.Tag)
	}
	if f.Before > 0 {
		where = append(where, `c.id < ?`)
		args = append(args, f.Before)
	}
	q := `SELECT ` + prefixCols("c", customerCols) + ` FROM customers c`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY c.id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	defer rows.Close()
	var cs []*kefu.Customer
	for rows.Next() {
		c := &kefu.Customer{}
		if err := scanCustomer(rows, c); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return cs, s.loadCustomerDetails(ctx, cs)
}

func (s *Store) loadCustomerDetails(ctx context.Context, cs []*kefu.Customer) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[int64]*kefu.Customer, len(cs))
	args := make([]any, len(cs))
	for i, c := range cs {
		byID[c.ID] = c
		c.Identities, c.Tags = []kefu.Identity{}, []string{}
		args[i] = c.ID
	}
	in := placeholders(len(args))
	rows, err := s.query(ctx, `SELECT customer_id, kind, value FROM customer_identities WHERE customer_id IN (`+in+`) ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("load identities: %w", err)
	}
	for rows.Next() {
		var cid int64
		var id kefu.Identity
		if err := rows.Scan(&cid, &id.Kind, &id.Value); err != nil {
			rows.Close()
			return err
		}
		byID[cid].Identities = append(byID[cid].Identities, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	tags, err := s.tagsOf(ctx, "customer_tags", "customer_id", args)
	if err != nil {
		return err
	}
	for id, t := range tags {
		byID[id].Tags = t
	}
	return nil
}

// setTags replaces the tags of one row in a tag table.
func (s *Store) setTags(ctx context.Context, table, col string, id int64, tags []string) error {
	if _, err := s.exec(ctx, `DELETE FROM `+table+` WHERE `+col+` = ?`, id); err != nil {
		return fmt.Errorf("clear %s: %w", table, err)
	}
	return s.addTags(ctx, table, col, id, tags)
}

// addTags adds tags to a row that has none yet (a new row).
func (s *Store) addTags(ctx context.Context, table, col string, id int64, tags []string) error {
	for _, t := range tags {
		if _, err := s.exec(ctx, `INSERT INTO `+table+` (`+col+`, tag) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, t); err != nil {
			return fmt.Errorf("add to %s: %w", table, err)
		}
	}
	return nil
}

// tagsOf loads the tags of several rows of a tag table, sorted.
func (s *Store) tagsOf(ctx context.Context, table, col string, ids []any) (map[int64][]string, error) {
	rows, err := s.query(ctx, `SELECT `+col+`, tag FROM `+table+` WHERE `+col+` IN (`+placeholders(len(ids))+`) ORDER BY tag`, ids...)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", table, err)
	}
	defer rows.Close()
	m := map[int64][]string{}
	for rows.Next() {
		var id int64
		var t string
		if err := rows.Scan(&id, &t); err != nil {
			return nil, err
		}
		m[id] = append(m[id], t)
	}
	return m, rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// prefixCols qualifies a column list with a table alias.
func prefixCols(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
