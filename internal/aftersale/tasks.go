package aftersale

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// TaskInput opens a department task on a case by hand.
type TaskInput struct {
	TeamID     int64  `json:"team_id,omitempty"`
	Department string `json:"department,omitempty"` // or a department key of the policy
	Kind       string `json:"kind,omitempty"`       // inspect, trace, claim, intercept, diagnose, other
	Title      string `json:"title"`
	DueHours   int    `json:"due_hours,omitempty"` // default 24
}

// TaskAnswer is a department's answer to a task.
type TaskAnswer struct {
	Result kefu.TaskResult `json:"result"` // pass, fail or done
	Answer string          `json:"answer,omitempty"`
}

// taskKinds are the kinds of department work.
var taskKinds = []string{"inspect", "trace", "claim", "intercept", "diagnose", "other"}

// openStepTasks opens the tasks the case's playbook attaches to a step.
// A department the shop does not have is skipped and logged, not an error:
// the case must still move.
func (s *Service) openStepTasks(ctx context.Context, c *kefu.Case, step string, w who) error {
	pb, err := s.Playbook(ctx, c.Reason)
	if err != nil {
		return err
	}
	pol, err := s.Policy(ctx)
	if err != nil {
		return err
	}
	for _, tt := range pb.Tasks {
		if tt.When != step || !appliesTo(tt, c) {
			continue
		}
		team, err := s.st.TeamByName(ctx, pol.Departments[tt.Department])
		if errors.Is(err, kefu.ErrNotFound) {
			s.log.WarnContext(ctx, "playbook task skipped: no such team", "case_id", c.ID, "department", tt.Department, "team", pol.Departments[tt.Department])
			continue
		}
		if err != nil {
			return err
		}
		if open, err := s.hasOpenTask(ctx, c.ID, team.ID, tt.Kind); err != nil || open {
			if err != nil {
				return err
			}
			continue // someone already opened this work by hand
		}
		title := tt.TitleZH
		switch {
		case title == "":
			title = tt.TitleEN
		case tt.TitleEN != "":
			title += " / " + tt.TitleEN
		}
		t := &kefu.CaseTask{CaseID: c.ID, TicketID: c.TicketID, TeamID: team.ID, Kind: tt.Kind, Title: title,
			DueAt: s.now().Add(time.Duration(tt.DueHours) * time.Hour), Status: kefu.TaskOpen, CreatedBy: w.userID()}
		if err := s.createTask(ctx, c, t, w); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) hasOpenTask(ctx context.Context, caseID, teamID int64, kind string) (bool, error) {
	ts, err := s.st.CaseTasks(ctx, store.CaseTaskFilter{CaseID: caseID, TeamIDs: []int64{teamID}, Status: kefu.TaskOpen}, s.now())
	if err != nil {
		return false, err
	}
	for _, t := range ts {
		if t.Kind == kind {
			return true, nil
		}
	}
	return false, nil
}

// settleInspections closes other open inspections of a case that task
// done has answered (one the received step opened after a manual task).
func (s *Service) settleInspections(ctx context.Context, c *kefu.Case, done *kefu.CaseTask) error {
	ts, err := s.st.CaseTasks(ctx, store.CaseTaskFilter{CaseID: c.ID, Status: kefu.TaskOpen}, s.now())
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.Kind != "inspect" {
			continue
		}
		t.Status, t.Result, t.Answer, t.DoneBy, t.DoneAt = kefu.TaskDone, kefu.TaskNote, fmt.Sprintf("inspected in task %d", done.ID), done.DoneBy, done.DoneAt
		if err := s.st.UpdateCaseTask(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

func appliesTo(tt TaskTemplate, c *kefu.Case) bool {
	if len(tt.Categories) == 0 {
		return true
	}
	for _, it := range c.Items {
		if inList(it.ProductCategory, tt.Categories) {
			return true
		}
	}
	return false
}

func (s *Service) createTask(ctx context.Context, c *kefu.Case, t *kefu.CaseTask, w who) error {
	t.CreatedAt = s.now()
	if err := s.st.CreateCaseTask(ctx, t); err != nil {
		return err
	}
	return s.event(ctx, kefu.EventCaseTaskOpened, c, w, map[string]any{"task_id": t.ID, "team_id": t.TeamID, "kind": t.Kind, "due_at": t.DueAt})
}

// closeOpenWork cancels a case's open tasks and any instruction not yet
// sent to the shop, when the case is rejected or cancelled.
func (s *Service) closeOpenWork(ctx context.Context, c *kefu.Case, w who) error {
	ts, err := s.st.CaseTasks(ctx, store.CaseTaskFilter{CaseID: c.ID, Status: kefu.TaskOpen}, s.now())
	if err != nil {
		return err
	}
	for _, t := range ts {
		t.Status = kefu.TaskCancelled
		if err := s.st.UpdateCaseTask(ctx, t); err != nil {
			return err
		}
	}
	ds, err := s.st.CaseDeliveries(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Status == deliveryPending {
			d.Status, d.NextAttemptAt, d.LastError = deliveryCancelled, nil, "case "+string(c.Status)
			if err := s.st.UpdateDelivery(ctx, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// OpenTask hands work on a case to a department.
func (s *Service) OpenTask(ctx context.Context, actor *kefu.User, caseID int64, in TaskInput) (*kefu.CaseTask, error) {
	if err := auth.Can(actor, auth.WorkCases); err != nil {
		return nil, err
	}
	title, err := kefu.CleanText("title", in.Title, 1, 300)
	if err != nil {
		return nil, err
	}
	if in.Kind == "" {
		in.Kind = "other"
	}
	if !inList(in.Kind, taskKinds) {
		return nil, kefu.Invalid("kind", "must be one of inspect, trace, claim, intercept, diagnose, other")
	}
	if in.DueHours == 0 {
		in.DueHours = 24
	}
	if in.DueHours < 1 || in.DueHours > 24*60 {
		return nil, kefu.Invalid("due_hours", "must be from 1 to 1440")
	}
	teamID := in.TeamID
	if teamID == 0 {
		if in.Department == "" {
			return nil, kefu.Invalid("team_id", "is required (or department)")
		}
		pol, err := s.Policy(ctx)
		if err != nil {
			return nil, err
		}
		name, ok := pol.Departments[in.Department]
		if !ok {
			return nil, kefu.Invalid("department", "%q is not a department of the policy", in.Department)
		}
		team, err := s.st.TeamByName(ctx, name)
		if err != nil {
			return nil, asRef(err, "team", "department")
		}
		teamID = team.ID
	}
	var t *kefu.CaseTask
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.visible(ctx, actor, caseID, true)
		if err != nil {
			return err
		}
		if c.Status.Final() {
			return &kefu.ConflictError{Field: "case", Message: fmt.Sprintf("the case is %s", c.Status)}
		}
		t = &kefu.CaseTask{CaseID: c.ID, TicketID: c.TicketID, TeamID: teamID, Kind: in.Kind, Title: title,
			DueAt: s.now().Add(time.Duration(in.DueHours) * time.Hour), Status: kefu.TaskOpen, CreatedBy: &actor.ID}
		return s.createTask(ctx, c, t, byUser(actor))
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Tasks lists department tasks: a department member sees their teams'
// tasks; agents and supervisors see every task f selects.
func (s *Service) Tasks(ctx context.Context, actor *kefu.User, f store.CaseTaskFilter) ([]*kefu.CaseTask, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	if actor.Role == kefu.RoleCollaborator {
		if len(f.TeamIDs) == 0 {
			f.TeamIDs = actor.TeamIDs
		}
		for _, id := range f.TeamIDs {
			if !actor.InTeam(id) {
				return nil, fmt.Errorf("a collaborator sees only their teams' tasks: %w", kefu.ErrForbidden)
			}
		}
		if len(f.TeamIDs) == 0 {
			return []*kefu.CaseTask{}, nil
		}
	}
	return s.st.CaseTasks(ctx, f, s.now())
}

// CompleteTask records a department's answer. An inspection that passes
// moves its case to inspected (through received if the parcel was never
// marked received) and sends the case to the shop for execution.
func (s *Service) CompleteTask(ctx context.Context, actor *kefu.User, taskID int64, in TaskAnswer) (*kefu.CaseTask, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	if in.Result == "" {
		in.Result = kefu.TaskNote
	}
	if in.Result != kefu.TaskPass && in.Result != kefu.TaskFail && in.Result != kefu.TaskNote {
		return nil, kefu.Invalid("result", "must be pass, fail or done")
	}
	answer, err := kefu.CleanText("answer", in.Answer, 0, MaxNote)
	if err != nil {
		return nil, err
	}
	if in.Result == kefu.TaskFail && answer == "" {
		return nil, kefu.Invalid("answer", "is required when the result is fail: say what is wrong")
	}
	var t *kefu.CaseTask
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		t, err = s.st.CaseTask(ctx, taskID)
		if err != nil {
			return err
		}
		if !actor.InTeam(t.TeamID) && auth.Can(actor, auth.WorkCases) != nil {
			return kefu.NotFound("task")
		}
		c, err := s.st.LockCase(ctx, t.CaseID)
		if err != nil {
			return err
		}
		if t.Status != kefu.TaskOpen {
			return &kefu.ConflictError{Field: "task", Message: fmt.Sprintf("the task is already %s", t.Status)}
		}
		now := s.now()
		t.Status, t.Result, t.Answer, t.DoneBy, t.DoneAt = kefu.TaskDone, in.Result, answer, &actor.ID, &now
		if err := s.st.UpdateCaseTask(ctx, t); err != nil {
			return err
		}
		w := byUser(actor)
		if err := s.event(ctx, kefu.EventCaseTaskDone, c, w, map[string]any{"task_id": t.ID, "result": t.Result, "answer": answer}); err != nil {
			return err
		}
		if t.Kind != "inspect" || in.Result != kefu.TaskPass || !c.Kind.NeedsReturn() {
			return nil
		}
		if c.Status == kefu.CaseApproved || c.Status == kefu.CaseAwaitingReturn {
			if err := s.move(ctx, c, kefu.CaseReceived, w, answer, map[string]any{"task_id": t.ID}); err != nil {
				return err
			}
		}
		if c.Status != kefu.CaseReceived {
			return nil
		}
		if err := s.move(ctx, c, kefu.CaseInspected, w, answer, map[string]any{"task_id": t.ID}); err != nil {
			return err
		}
		if err := s.settleInspections(ctx, c, t); err != nil {
			return err
		}
		return s.queueExecution(ctx, c, w)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}
