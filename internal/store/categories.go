package store

import (
	"context"
	"fmt"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const categoryCols = `id, parent_id, key, name_zh, name_en, position, archived`

func scanCategory(sc interface{ Scan(...any) error }, c *kefu.Category) error {
	return sc.Scan(&c.ID, nullInt{&c.ParentID}, &c.Key, &c.NameZH, &c.NameEN, &c.Position, &c.Archived)
}

// Categories lists the whole taxonomy, groups before their problems.
func (s *Store) Categories(ctx context.Context) ([]*kefu.Category, error) {
	rows, err := s.query(ctx, `SELECT `+categoryCols+` FROM categories ORDER BY COALESCE(parent_id, 0), position, id`)
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	defer rows.Close()
	var cs []*kefu.Category
	for rows.Next() {
		c := &kefu.Category{}
		if err := scanCategory(rows, c); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// Category returns the category with id.
func (s *Store) Category(ctx context.Context, id int64) (*kefu.Category, error) {
	var c kefu.Category
	if err := scanCategory(s.queryRow(ctx, `SELECT `+categoryCols+` FROM categories WHERE id = ?`, id), &c); err != nil {
		return nil, notFound(err, "category")
	}
	return &c, nil
}

// CategoryByKey returns the category with a stable key such as "product.flaw".
func (s *Store) CategoryByKey(ctx context.Context, key string) (*kefu.Category, error) {
	var c kefu.Category
	if err := scanCategory(s.queryRow(ctx, `SELECT `+categoryCols+` FROM categories WHERE key = ?`, key), &c); err != nil {
		return nil, notFound(err, "category")
	}
	return &c, nil
}

// CreateCategory inserts c and sets c.ID.
func (s *Store) CreateCategory(ctx context.Context, c *kefu.Category) error {
	err := s.writeRow(ctx, `INSERT INTO categories (parent_id, key, name_zh, name_en, position, archived) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		c.ParentID, c.Key, c.NameZH, c.NameEN, c.Position, c.Archived).Scan(&c.ID)
	if isUniqueViolation(err) {
		return &kefu.ConflictError{Field: "key", Message: fmt.Sprintf("a category with key %s already exists", c.Key)}
	}
	if isForeignKeyViolation(err) {
		return &kefu.NotFoundError{What: "parent category", Field: "parent_id"}
	}
	if err != nil {
		return fmt.Errorf("insert category: %w", err)
	}
	return nil
}

// UpdateCategory writes c's names, position and archived flag.
func (s *Store) UpdateCategory(ctx context.Context, c *kefu.Category) error {
	res, err := s.exec(ctx, `UPDATE categories SET name_zh = ?, name_en = ?, position = ?, archived = ? WHERE id = ?`,
		c.NameZH, c.NameEN, c.Position, c.Archived, c.ID)
	if err != nil {
		return fmt.Errorf("update category %d: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.NotFound("category")
	}
	return nil
}
