package httpapi

import (
	"net/http"

	"github.com/kefu-dev/kefu/internal/automation"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/routing"
	"github.com/kefu-dev/kefu/internal/schedule"
	"github.com/kefu-dev/kefu/internal/store"
)

func (a *API) listScheduled(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	ms, err := a.later.List(r.Context(), actor, id)
	return http.StatusOK, page[*store.ScheduledMessage]{Items: ms}, err
}

func (a *API) createScheduled(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in schedule.Input
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	m, err := a.later.Schedule(r.Context(), actor, id, in)
	return http.StatusCreated, m, err
}

func (a *API) cancelScheduled(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	m, err := a.later.Cancel(r.Context(), actor, id)
	return http.StatusOK, m, err
}

func (a *API) getAgentRouting(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	st, err := a.routing.Agent(r.Context(), actor, id)
	return http.StatusOK, st, err
}

func (a *API) patchAgentRouting(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in routing.AgentInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	st, err := a.routing.UpdateAgent(r.Context(), actor, id, in)
	return http.StatusOK, st, err
}

func (a *API) listRules(r *http.Request, actor *kefu.User) (int, any, error) {
	rs, err := a.rules.Rules(r.Context(), actor)
	return http.StatusOK, page[*automation.Rule]{Items: rs}, err
}

func (a *API) getRule(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	rs, err := a.rules.Rules(r.Context(), actor)
	if err != nil {
		return 0, nil, err
	}
	for _, x := range rs {
		if x.ID == id {
			return http.StatusOK, x, nil
		}
	}
	return 0, nil, kefu.NotFound("automation rule")
}

func (a *API) createRule(r *http.Request, actor *kefu.User) (int, any, error) {
	in := automation.Rule{Enabled: true} // absent means enabled
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	in.ID = 0
	err := a.rules.Save(r.Context(), actor, &in)
	return http.StatusCreated, &in, err
}

func (a *API) updateRule(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in automation.Rule
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	in.ID = id
	err = a.rules.Save(r.Context(), actor, &in)
	return http.StatusOK, &in, err
}

func (a *API) deleteRule(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, a.rules.Delete(r.Context(), actor, id)
}

// dryRunInput is a rule to try (saved or not) and the sample ticket.
type dryRunInput struct {
	Rule     automation.Rule `json:"rule"`
	TicketID int64           `json:"ticket_id"`
}

func (a *API) dryRunRule(r *http.Request, actor *kefu.User) (int, any, error) {
	var in dryRunInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.TicketID <= 0 {
		return 0, nil, kefu.Invalid("ticket_id", "is required: the sample ticket")
	}
	res, err := a.rules.DryRun(r.Context(), actor, &in.Rule, in.TicketID)
	return http.StatusOK, res, err
}
