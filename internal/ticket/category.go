package ticket

import (
	"context"
	"regexp"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
)

// CategoryInput is the writable part of a taxonomy entry.
type CategoryInput struct {
	ParentID *int64 `json:"parent_id"`
	Key      string `json:"key"`
	NameZH   string `json:"name_zh"`
	NameEN   string `json:"name_en"`
	Position int    `json:"position"`
	Archived bool   `json:"archived"`
}

var categoryKey = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)?$`)

// Categories lists the problem taxonomy.
func (s *Service) Categories(ctx context.Context, actor *kefu.User) ([]*kefu.Category, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	return s.st.Categories(ctx)
}

// CreateCategory adds a group (no parent) or a problem within a group.
func (s *Service) CreateCategory(ctx context.Context, actor *kefu.User, in CategoryInput) (*kefu.Category, error) {
	if err := auth.Can(actor, auth.ManageCategories); err != nil {
		return nil, err
	}
	if !categoryKey.MatchString(in.Key) {
		return nil, kefu.Invalid("key", "must be lower-case letters, digits and _, as group or group.problem; got %q", in.Key)
	}
	c := &kefu.Category{ParentID: in.ParentID, Key: in.Key, Position: in.Position, Archived: in.Archived}
	if err := in.names(c); err != nil {
		return nil, err
	}
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		if in.ParentID != nil {
			p, err := s.st.Category(ctx, *in.ParentID)
			if err != nil {
				return &kefu.NotFoundError{What: "parent category", Field: "parent_id"}
			}
			if p.ParentID != nil {
				return kefu.Invalid("parent_id", "categories have two levels; %s is already a problem, not a group", p.Key)
			}
		}
		if err := s.st.CreateCategory(ctx, c); err != nil {
			return err
		}
		return s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventCategoryChanged, ActorUserID: &actor.ID}, map[string]any{"category_id": c.ID})
	})
	return c, err
}

// UpdateCategory renames, moves or archives an entry; its key never changes.
func (s *Service) UpdateCategory(ctx context.Context, actor *kefu.User, id int64, in CategoryInput) (*kefu.Category, error) {
	if err := auth.Can(actor, auth.ManageCategories); err != nil {
		return nil, err
	}
	var c *kefu.Category
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.st.Category(ctx, id); err != nil {
			return err
		}
		if in.Key != "" && in.Key != c.Key {
			return kefu.Invalid("key", "cannot change; it is how playbooks and reports refer to the category")
		}
		if err := in.names(c); err != nil {
			return err
		}
		c.Position, c.Archived = in.Position, in.Archived
		if err := s.st.UpdateCategory(ctx, c); err != nil {
			return err
		}
		return s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventCategoryChanged, ActorUserID: &actor.ID}, map[string]any{"category_id": c.ID})
	})
	return c, err
}

func (in CategoryInput) names(c *kefu.Category) error {
	var err error
	if c.NameZH, err = kefu.CleanText("name_zh", in.NameZH, 1, 100); err != nil {
		return err
	}
	c.NameEN, err = kefu.CleanText("name_en", in.NameEN, 1, 100)
	return err
}
