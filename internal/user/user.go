// Package user holds the use cases for the people who work in kefu: users,
// their teams and their API tokens. A nil actor is the operator at the
// command line, who may do everything.
package user

import (
	"context"
	"errors"
	"strings"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Service runs user and team use cases against a store.
type Service struct{ st *store.Store }

// New returns a Service on st.
func New(st *store.Store) *Service { return &Service{st: st} }

func can(actor *kefu.User, a auth.Action) error {
	if actor == nil {
		return nil
	}
	return auth.Can(actor, a)
}

func (s *Service) event(ctx context.Context, typ string, actor *kefu.User, data map[string]any) error {
	e := &kefu.Event{Type: typ}
	if actor != nil {
		e.ActorUserID = &actor.ID
	}
	return s.st.AddEvent(ctx, e, data)
}

// Input is the writable part of a user.
type Input struct {
	Email    string          `json:"email"`
	Name     string          `json:"name"`
	Role     kefu.Role       `json:"role"`
	Language string          `json:"language"`
	Status   kefu.UserStatus `json:"status"`
	TeamIDs  []int64         `json:"team_ids"`
	Password string          `json:"password,omitempty"`
}

func (in Input) apply(u *kefu.User) error {
	var err error
	if u.Name, err = kefu.CleanText("name", in.Name, 1, 200); err != nil {
		return err
	}
	if !in.Role.Valid() {
		return kefu.Invalid("role", "must be admin, supervisor, agent or collaborator; got %q", in.Role)
	}
	u.Role = in.Role
	u.Language = in.Language
	if u.Language == "" {
		u.Language = "zh-CN"
	}
	if u.Language != "zh-CN" && u.Language != "en" {
		return kefu.Invalid("language", "must be zh-CN or en; got %q", in.Language)
	}
	u.Status = in.Status
	if u.Status == "" {
		u.Status = kefu.UserActive
	}
	if u.Status != kefu.UserActive && u.Status != kefu.UserDisabled {
		return kefu.Invalid("status", "must be active or disabled; got %q", in.Status)
	}
	// Absent team_ids (nil) keep the memberships; [] removes them all.
	if in.TeamIDs != nil {
		u.TeamIDs = in.TeamIDs
	}
	if u.TeamIDs == nil {
		u.TeamIDs = []int64{}
	}
	return nil
}

// Create adds a user. Without a password in the input one is generated and
// returned, to be given to the user once.
func (s *Service) Create(ctx context.Context, actor *kefu.User, in Input) (*kefu.User, string, error) {
	if err := can(actor, auth.ManageUsers); err != nil {
		return nil, "", err
	}
	email, err := kefu.NormalizeIdentity(kefu.IdentityEmail, in.Email)
	if err != nil {
		return nil, "", err
	}
	u := &kefu.User{Email: email}
	if err := in.apply(u); err != nil {
		return nil, "", err
	}
	password, generated := in.Password, ""
	if password == "" {
		password = auth.RandomPassword()
		generated = password
	} else if len([]rune(password)) < 4 {
		return nil, "", kefu.Invalid("password", "must be at least 4 characters")
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, "", err
	}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.CreateUser(ctx, u, hash); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventUserCreated, actor, map[string]any{"user_id": u.ID, "role": u.Role})
	})
	if err != nil {
		return nil, "", err
	}
	return u, generated, nil
}

// Update changes a user's name, role, language, status, teams and,
// when given, password.
func (s *Service) Update(ctx context.Context, actor *kefu.User, id int64, in Input) (*kefu.User, error) {
	if err := can(actor, auth.ManageUsers); err != nil {
		return nil, err
	}
	var u *kefu.User
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.st.User(ctx, id); err != nil {
			return err
		}
		if in.Email != "" && !strings.EqualFold(strings.TrimSpace(in.Email), u.Email) {
			return kefu.Invalid("email", "cannot be changed; create a new user instead")
		}
		if err := in.apply(u); err != nil {
			return err
		}
		if actor != nil && actor.ID == u.ID && (u.Role != kefu.RoleAdmin || u.Status != kefu.UserActive) {
			return kefu.Invalid("role", "you cannot remove your own admin rights or disable yourself")
		}
		if err := s.st.UpdateUser(ctx, u); err != nil {
			return err
		}
		if in.Password != "" {
			hash, err := auth.HashPassword(in.Password)
			if err != nil {
				return err
			}
			if err := s.st.SetPassword(ctx, u.ID, hash); err != nil {
				return err
			}
		}
		return s.event(ctx, kefu.EventUserUpdated, actor, map[string]any{"user_id": u.ID})
	})
	return u, err
}

// Get returns a user; every signed-in user may look colleagues up.
func (s *Service) Get(ctx context.Context, actor *kefu.User, id int64) (*kefu.User, error) {
	if err := can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	return s.st.User(ctx, id)
}

// List returns every user.
func (s *Service) List(ctx context.Context, actor *kefu.User) ([]*kefu.User, error) {
	if err := can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	return s.st.Users(ctx)
}

// AddToken creates an API token for the user with email and returns it; it
// is shown once and only its hash is kept.
func (s *Service) AddToken(ctx context.Context, actor *kefu.User, email, name string) (string, error) {
	if err := can(actor, auth.ManageUsers); err != nil {
		return "", err
	}
	u, _, err := s.st.UserByEmail(ctx, email)
	if errors.Is(err, kefu.ErrNotFound) {
		return "", &kefu.NotFoundError{What: "user", Field: "email"}
	}
	if err != nil {
		return "", err
	}
	token, hash := auth.NewToken()
	if err := s.st.CreateToken(ctx, u.ID, name, hash); err != nil {
		return "", err
	}
	return token, nil
}

// Authenticate returns the active user a bearer token belongs to.
func (s *Service) Authenticate(ctx context.Context, token string) (*kefu.User, error) {
	u, err := s.st.UserByTokenHash(ctx, auth.HashToken(token))
	if err != nil {
		return nil, err
	}
	if u.Status != kefu.UserActive {
		return nil, kefu.ErrUnauthorized
	}
	return u, nil
}

// TeamInput is the writable part of a team.
type TeamInput struct {
	Name        string        `json:"name"`
	Kind        kefu.TeamKind `json:"kind"`
	Description string        `json:"description"`
}

func (in TeamInput) apply(t *kefu.Team) error {
	var err error
	if t.Name, err = kefu.CleanText("name", in.Name, 1, 100); err != nil {
		return err
	}
	t.Kind = in.Kind
	if t.Kind == "" {
		t.Kind = kefu.TeamSupport
	}
	if t.Kind != kefu.TeamSupport && t.Kind != kefu.TeamDepartment {
		return kefu.Invalid("kind", "must be support or department; got %q", in.Kind)
	}
	t.Description, err = kefu.CleanText("description", in.Description, 0, 1000)
	return err
}

// CreateTeam adds a team.
func (s *Service) CreateTeam(ctx context.Context, actor *kefu.User, in TeamInput) (*kefu.Team, error) {
	if err := can(actor, auth.ManageUsers); err != nil {
		return nil, err
	}
	t := &kefu.Team{}
	if err := in.apply(t); err != nil {
		return nil, err
	}
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.CreateTeam(ctx, t); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventTeamCreated, actor, map[string]any{"team_id": t.ID})
	})
	return t, err
}

// UpdateTeam changes a team.
func (s *Service) UpdateTeam(ctx context.Context, actor *kefu.User, id int64, in TeamInput) (*kefu.Team, error) {
	if err := can(actor, auth.ManageUsers); err != nil {
		return nil, err
	}
	t := &kefu.Team{ID: id}
	if err := in.apply(t); err != nil {
		return nil, err
	}
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.UpdateTeam(ctx, t); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventTeamUpdated, actor, map[string]any{"team_id": t.ID})
	})
	if err != nil {
		return nil, err
	}
	return s.st.Team(ctx, id)
}

// Teams lists every team.
func (s *Service) Teams(ctx context.Context, actor *kefu.User) ([]*kefu.Team, error) {
	if err := can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	return s.st.Teams(ctx)
}

// Team returns a team with its member ids.
func (s *Service) Team(ctx context.Context, actor *kefu.User, id int64) (*kefu.Team, []int64, error) {
	if err := can(actor, auth.AddNotes); err != nil {
		return nil, nil, err
	}
	t, err := s.st.Team(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.st.TeamMembers(ctx, id)
	return t, m, err
}
