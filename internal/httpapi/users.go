package httpapi

import (
	"errors"
	"net/http"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

func isNotFound(err error) bool { return errors.Is(err, kefu.ErrNotFound) }

func (a *API) me(r *http.Request, actor *kefu.User) (int, any, error) {
	return http.StatusOK, actor, nil
}

func (a *API) listUsers(r *http.Request, actor *kefu.User) (int, any, error) {
	us, err := a.users.List(r.Context(), actor)
	if us == nil {
		us = []*kefu.User{}
	}
	return http.StatusOK, page[*kefu.User]{Items: us}, err
}

// userCreated is the answer to creating a user: the user, and the generated
// password when none was given (shown this once).
type userCreated struct {
	*kefu.User
	Password string `json:"password,omitempty"`
}

func (a *API) createUser(r *http.Request, actor *kefu.User) (int, any, error) {
	var in user.Input
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	u, pw, err := a.users.Create(r.Context(), actor, in)
	return http.StatusCreated, userCreated{u, pw}, err
}

func (a *API) getUser(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	u, err := a.users.Get(r.Context(), actor, id)
	return http.StatusOK, u, err
}

func (a *API) updateUser(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in user.Input
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	u, err := a.users.Update(r.Context(), actor, id, in)
	return http.StatusOK, u, err
}

func (a *API) listTeams(r *http.Request, actor *kefu.User) (int, any, error) {
	ts, err := a.users.Teams(r.Context(), actor)
	if ts == nil {
		ts = []*kefu.Team{}
	}
	return http.StatusOK, page[*kefu.Team]{Items: ts}, err
}

func (a *API) createTeam(r *http.Request, actor *kefu.User) (int, any, error) {
	var in user.TeamInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	t, err := a.users.CreateTeam(r.Context(), actor, in)
	return http.StatusCreated, t, err
}

// teamWithMembers is a team and the ids of its members.
type teamWithMembers struct {
	*kefu.Team
	MemberIDs []int64 `json:"member_ids"`
}

func (a *API) getTeam(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	t, m, err := a.users.Team(r.Context(), actor, id)
	return http.StatusOK, teamWithMembers{t, m}, err
}

func (a *API) updateTeam(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in user.TeamInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	t, err := a.users.UpdateTeam(r.Context(), actor, id, in)
	return http.StatusOK, t, err
}

func (a *API) listCategories(r *http.Request, actor *kefu.User) (int, any, error) {
	cs, err := a.tickets.Categories(r.Context(), actor)
	if cs == nil {
		cs = []*kefu.Category{}
	}
	return http.StatusOK, page[*kefu.Category]{Items: cs}, err
}

func (a *API) createCategory(r *http.Request, actor *kefu.User) (int, any, error) {
	var in ticket.CategoryInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	c, err := a.tickets.CreateCategory(r.Context(), actor, in)
	return http.StatusCreated, c, err
}

func (a *API) updateCategory(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in ticket.CategoryInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	c, err := a.tickets.UpdateCategory(r.Context(), actor, id, in)
	return http.StatusOK, c, err
}
