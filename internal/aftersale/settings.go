package aftersale

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
)

// Keys of aftersale_settings.
const (
	settingPolicy       = "policy"
	settingWebhook      = "shop_webhook"
	settingPortalSecret = "portal_secret"
)

// Policy returns the shop's policy: the stored one, completed with the
// defaults for settings added since it was saved, or the defaults.
func (s *Service) Policy(ctx context.Context) (Policy, error) {
	raw, err := s.st.AftersaleSetting(ctx, settingPolicy)
	if errors.Is(err, kefu.ErrNotFound) {
		return DefaultPolicy(), nil
	}
	if err != nil {
		return Policy{}, err
	}
	p := DefaultPolicy()
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return Policy{}, fmt.Errorf("decode stored policy: %w", err)
	}
	if err := p.Validate(); err != nil {
		return Policy{}, fmt.Errorf("stored policy: %w", err)
	}
	return p, nil
}

// SetPolicy replaces the shop's policy (admins).
func (s *Service) SetPolicy(ctx context.Context, actor *kefu.User, p Policy) (Policy, error) {
	if err := auth.Can(actor, auth.ManagePolicy); err != nil {
		return Policy{}, err
	}
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.PutAftersaleSetting(ctx, settingPolicy, string(mustJSON(p)), idOf(actor)); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventPolicyChanged, nil, byUser(actor), nil)
	})
	return p, err
}

// Playbook returns the shop's playbook for a reason: its edit or the default.
func (s *Service) Playbook(ctx context.Context, reason string) (Playbook, error) {
	raw, err := s.st.Playbook(ctx, reason)
	if errors.Is(err, kefu.ErrNotFound) {
		return DefaultPlaybook(reason), nil
	}
	if err != nil {
		return Playbook{}, err
	}
	var pb Playbook
	if err := json.Unmarshal([]byte(raw), &pb); err != nil {
		return Playbook{}, fmt.Errorf("decode playbook %s: %w", reason, err)
	}
	pb.Reason, pb.Custom = reason, true
	return pb, nil
}

// Playbooks lists a playbook for every problem of the shop's taxonomy, in
// its order, plus edits for problems no longer in it.
func (s *Service) Playbooks(ctx context.Context, actor *kefu.User) ([]Playbook, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	cats, err := s.st.Categories(ctx)
	if err != nil {
		return nil, err
	}
	edited, err := s.st.Playbooks(ctx)
	if err != nil {
		return nil, err
	}
	var out []Playbook
	seen := map[string]bool{}
	for _, c := range cats {
		if c.ParentID == nil || c.Archived {
			continue
		}
		pb, err := s.Playbook(ctx, c.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, pb)
		seen[c.Key] = true
	}
	var rest []string
	for k := range edited {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		pb, err := s.Playbook(ctx, k)
		if err != nil {
			return nil, err
		}
		out = append(out, pb)
	}
	return out, nil
}

// SetPlaybook stores the shop's playbook for a problem of the taxonomy.
func (s *Service) SetPlaybook(ctx context.Context, actor *kefu.User, reason string, pb Playbook) (Playbook, error) {
	if err := auth.Can(actor, auth.ManagePlaybooks); err != nil {
		return Playbook{}, err
	}
	if _, err := s.st.CategoryByKey(ctx, reason); err != nil {
		return Playbook{}, err
	}
	pb.Reason, pb.Custom = reason, true
	if err := pb.Validate(); err != nil {
		return Playbook{}, err
	}
	pol, err := s.Policy(ctx)
	if err != nil {
		return Playbook{}, err
	}
	for i, t := range pb.Tasks {
		if _, ok := pol.Departments[t.Department]; !ok {
			return Playbook{}, kefu.Invalid(fmt.Sprintf("tasks[%d].department", i), "%q is not a department of the policy (%s)", t.Department, strings.Join(keys(pol.Departments), ", "))
		}
	}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.PutPlaybook(ctx, reason, string(mustJSON(pb)), idOf(actor)); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventPlaybookChanged, nil, byUser(actor), map[string]any{"reason": reason})
	})
	return pb, err
}

// ResetPlaybook drops the shop's edit of a playbook and returns the default.
func (s *Service) ResetPlaybook(ctx context.Context, actor *kefu.User, reason string) (Playbook, error) {
	if err := auth.Can(actor, auth.ManagePlaybooks); err != nil {
		return Playbook{}, err
	}
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.DeletePlaybook(ctx, reason); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventPlaybookChanged, nil, byUser(actor), map[string]any{"reason": reason, "reset": true})
	})
	return DefaultPlaybook(reason), err
}

func keys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Webhook is where kefu sends approved cases in the shop's system.
type Webhook struct {
	URL    string `json:"url"`
	Secret string `json:"secret,omitempty"`
	// MaxAttempts is how many times a delivery is tried before the case
	// shows it failed (default 10, spread over about a day).
	MaxAttempts int `json:"max_attempts"`
}

// WebhookView is the webhook as shown: the secret is never shown again.
type WebhookView struct {
	URL         string `json:"url"`
	SecretSet   bool   `json:"secret_set"`
	MaxAttempts int    `json:"max_attempts"`
	// Secret is filled only in the answer to the change that generated it.
	Secret string `json:"secret,omitempty"`
}

// defaultMaxAttempts spreads retries over about 18 hours (see backoff).
const defaultMaxAttempts = 10

func (s *Service) webhook(ctx context.Context) (Webhook, error) {
	raw, err := s.st.AftersaleSetting(ctx, settingWebhook)
	if errors.Is(err, kefu.ErrNotFound) {
		return Webhook{MaxAttempts: defaultMaxAttempts}, nil
	}
	if err != nil {
		return Webhook{}, err
	}
	var w Webhook
	if err := json.Unmarshal([]byte(raw), &w); err != nil {
		return Webhook{}, fmt.Errorf("decode webhook settings: %w", err)
	}
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = defaultMaxAttempts
	}
	return w, nil
}

// WebhookSettings returns the shop webhook without its secret (admins).
func (s *Service) WebhookSettings(ctx context.Context, actor *kefu.User) (WebhookView, error) {
	if err := auth.Can(actor, auth.ManagePolicy); err != nil {
		return WebhookView{}, err
	}
	w, err := s.webhook(ctx)
	return WebhookView{URL: w.URL, SecretSet: w.Secret != "", MaxAttempts: w.MaxAttempts}, err
}

// SetWebhook sets where approved cases are sent. An empty secret keeps the
// current one, or generates one (shown once) when there is none.
func (s *Service) SetWebhook(ctx context.Context, actor *kefu.User, in Webhook) (WebhookView, error) {
	if err := auth.Can(actor, auth.ManagePolicy); err != nil {
		return WebhookView{}, err
	}
	in.URL = strings.TrimSpace(in.URL)
	if in.URL != "" {
		u, err := url.Parse(in.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return WebhookView{}, kefu.Invalid("url", "must be an http:// or https:// URL, or empty to turn webhooks off")
		}
	}
	if in.MaxAttempts < 0 || in.MaxAttempts > 50 {
		return WebhookView{}, kefu.Invalid("max_attempts", "must be from 1 to 50 (0 for the default)")
	}
	if in.MaxAttempts == 0 {
		in.MaxAttempts = defaultMaxAttempts
	}
	cur, err := s.webhook(ctx)
	if err != nil {
		return WebhookView{}, err
	}
	shown := ""
	switch {
	case in.Secret != "" && len(in.Secret) < 16:
		return WebhookView{}, kefu.Invalid("secret", "must be at least 16 characters")
	case in.Secret == "" && cur.Secret != "":
		in.Secret = cur.Secret
	case in.Secret == "":
		in.Secret = randomToken(24)
		shown = in.Secret
	}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.PutAftersaleSetting(ctx, settingWebhook, string(mustJSON(in)), idOf(actor)); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventPolicyChanged, nil, byUser(actor), map[string]any{"webhook_url": in.URL})
	})
	return WebhookView{URL: in.URL, SecretSet: true, MaxAttempts: in.MaxAttempts, Secret: shown}, err
}

// randomToken returns n random bytes as hex.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
