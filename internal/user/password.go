package user

import (
	"context"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
)

// MinPassword is the shortest password a user may choose for themselves.
const MinPassword = 8

// ChangePassword sets the actor's own password after checking the current
// one, so a session left open cannot be used to take the account over.
func (s *Service) ChangePassword(ctx context.Context, actor *kefu.User, current, next string) error {
	if actor == nil {
		return kefu.ErrForbidden
	}
	_, hash, err := s.st.UserByEmail(ctx, actor.Email)
	if err != nil {
		return err
	}
	if !auth.CheckPassword(hash, current) {
		return kefu.Invalid("current_password", "is not your current password")
	}
	if len([]rune(next)) < MinPassword {
		return kefu.Invalid("password", "must be at least %d characters", MinPassword)
	}
	if next == current {
		return kefu.Invalid("password", "must differ from the current one")
	}
	newHash, err := auth.HashPassword(next)
	if err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.SetPassword(ctx, actor.ID, newHash); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventUserUpdated, actor, map[string]any{"user_id": actor.ID, "password": "changed"})
	})
}
