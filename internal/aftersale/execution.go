package aftersale

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
)

// Delivery statuses.
const (
	deliveryPending   = "pending"   // to be sent, or retried
	deliveryDelivered = "delivered" // the shop answered 2xx; its confirmation is awaited
	deliveryConfirmed = "confirmed"
	deliveryFailed    = "failed"
	deliveryCancelled = "cancelled"
)

// Webhook headers. The signature is HMAC-SHA256 over "timestamp.body"
// with the shared secret, as "t=<unix seconds>,v1=<hex>"; the shop must
// check it and the timestamp, and de-duplicate on the event id.
const (
	HeaderSignature = "X-Kefu-Signature"
	HeaderEventID   = "X-Kefu-Event-Id"
	HeaderEvent     = "X-Kefu-Event"
)

// SignatureTolerance is how old a signed request may be.
const SignatureTolerance = 5 * time.Minute

// Sign returns the signature header value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks a signature header made by Sign, and that it is
// no older than SignatureTolerance at now.
func VerifySignature(secret, header string, body []byte, now time.Time) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return fmt.Errorf("signature header must be t=<unix seconds>,v1=<hex>: %w", kefu.ErrUnauthorized)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > SignatureTolerance || d < -SignatureTolerance {
		return fmt.Errorf("signature timestamp is %s away from now: %w", d.Round(time.Second), kefu.ErrUnauthorized)
	}
	if !hmac.Equal([]byte(sig), []byte(mac(secret, ts, body))) {
		return fmt.Errorf("signature does not match: %w", kefu.ErrUnauthorized)
	}
	return nil
}

// ExecutionRequest is the body of the webhook that asks the shop to carry
// out a case.
type ExecutionRequest struct {
	EventID  string          `json:"event_id"`
	Type     string          `json:"type"`   // "case.execute"
	Action   string          `json:"action"` // refund, exchange, resend, repair, compensation
	SentAt   time.Time       `json:"created_at"`
	Case     ExecutionCase   `json:"case"`
	Order    ExecutionOrder  `json:"order"`
	Items    []kefu.CaseItem `json:"items"`
	Callback string          `json:"callback"` // where to confirm: POST with the same signature scheme
}

// ExecutionCase is the case as the shop needs it.
type ExecutionCase struct {
	ID             int64               `json:"id"`
	TicketID       int64               `json:"ticket_id"`
	Kind           kefu.CaseKind       `json:"kind"`
	Reason         string              `json:"reason"`
	Responsibility kefu.Responsibility `json:"responsibility"`
	Amount         int64               `json:"amount"` // to pay back, minor units
	Currency       string              `json:"currency"`
	ReturnCarrier  string              `json:"return_carrier,omitempty"`
	ReturnTracking string              `json:"return_tracking,omitempty"`
}

// ExecutionOrder names the order in the shop's terms.
type ExecutionOrder struct {
	ID         int64  `json:"id"`
	ExternalID string `json:"external_id"`
	Number     string `json:"number"`
}

// CallbackPath is where a shop confirms with a signed request.
const CallbackPath = "/api/v1/cases/confirmations"

var actions = map[kefu.CaseKind]string{
	kefu.CaseRefundOnly: "refund", kefu.CaseReturnRefund: "refund", kefu.CaseCompensation: "compensation",
	kefu.CaseExchange: "exchange", kefu.CaseResend: "resend", kefu.CaseRepair: "repair",
}

// queueExecution asks the shop to carry the case out: a delivery row in the
// same transaction, sent by DeliverDue. Without a webhook the case is
// carried out by hand (an agent marks it executed).
func (s *Service) queueExecution(ctx context.Context, c *kefu.Case, w who) error {
	wh, err := s.webhook(ctx)
	if err != nil {
		return err
	}
	if wh.URL == "" {
		return s.event(ctx, kefu.EventCaseExecutionQueued, c, w, map[string]any{"manual": true})
	}
	o, err := s.st.Order(ctx, c.OrderID)
	if err != nil {
		return err
	}
	now := s.now()
	req := ExecutionRequest{EventID: fmt.Sprintf("kefu_case_%d_%s", c.ID, randomToken(6)), Type: "case.execute", Action: actions[c.Kind],
		SentAt: now, Items: c.Items, Callback: CallbackPath,
		Case: ExecutionCase{ID: c.ID, TicketID: c.TicketID, Kind: c.Kind, Reason: c.Reason, Responsibility: c.Responsibility,
			Amount: c.Amount, Currency: c.Currency, ReturnCarrier: c.ReturnCarrier, ReturnTracking: c.ReturnTracking},
		Order: ExecutionOrder{ID: o.ID, ExternalID: o.ExternalID, Number: o.Number}}
	d := &kefu.Delivery{CaseID: c.ID, EventID: req.EventID, Action: req.Action, Payload: mustJSON(req), Status: deliveryPending,
		NextAttemptAt: &now, CreatedAt: now}
	if err := s.st.CreateDelivery(ctx, d); err != nil {
		return err
	}
	c.Execution, c.UpdatedAt = kefu.ExecutionPending, now
	if err := s.st.UpdateCase(ctx, c); err != nil {
		return err
	}
	return s.event(ctx, kefu.EventCaseExecutionQueued, c, w, map[string]any{"event_id": d.EventID, "action": d.Action})
}

// RetryExecution queues a new instruction for a case whose last one failed.
func (s *Service) RetryExecution(ctx context.Context, actor *kefu.User, caseID int64) (*kefu.Case, error) {
	if err := auth.Can(actor, auth.WorkCases); err != nil {
		return nil, err
	}
	var c *kefu.Case
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.visible(ctx, actor, caseID, true); err != nil {
			return err
		}
		ready := (c.Status == kefu.CaseApproved && !c.Kind.NeedsReturn()) || c.Status == kefu.CaseInspected
		if !ready || c.Execution != kefu.ExecutionFailed {
			return &kefu.ConflictError{Field: "case", Message: "only a case whose instruction to the shop failed can be sent again"}
		}
		return s.queueExecution(ctx, c, byUser(actor))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// backoff is the wait before attempt n+1 after n failures: 30 s, 1, 2, 5,
// 10 and 30 minutes, then 1, 2 and 4 hours and 8 hours from then on.
func backoff(n int) time.Duration {
	steps := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute,
		30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour}
	if n < 1 {
		n = 1
	}
	if n > len(steps) {
		n = len(steps)
	}
	return steps[n-1]
}

// deliveryLease is how long a claimed delivery is held by its sender.
const deliveryLease = 2 * time.Minute

// DeliverDue sends every instruction due now and records each attempt. It
// returns how many it tried. Several nodes may run it at once: each
// delivery is claimed by one.
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	wh, err := s.webhook(ctx)
	if err != nil || wh.URL == "" {
		return 0, err
	}
	ds, err := s.st.ClaimDueDeliveries(ctx, s.now(), deliveryLease, 20)
	if err != nil {
		return 0, err
	}
	for _, d := range ds {
		if err := s.send(ctx, wh, d); err != nil {
			return 0, err
		}
	}
	return len(ds), nil
}

// Run delivers due instructions every interval and opens lost-parcel cases
// every hour, until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var lastSweep time.Time
	for {
		if _, err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("after-sales webhook delivery failed; will retry", "err", err)
		}
		if time.Since(lastSweep) > time.Hour {
			lastSweep = time.Now()
			if n, err := s.OpenLostParcelCases(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("lost-parcel rule failed", "err", err)
			} else if n > 0 {
				s.log.Info("opened cases for parcels without movement", "cases", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// send makes one attempt at a delivery.
func (s *Service) send(ctx context.Context, wh Webhook, d *kefu.Delivery) error {
	start := s.now()
	a := kefu.DeliveryAttempt{At: start}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, wh.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "kefu-webhook/1")
	req.Header.Set(HeaderEvent, "case.execute")
	req.Header.Set(HeaderEventID, d.EventID)
	req.Header.Set("Idempotency-Key", d.EventID)
	req.Header.Set(HeaderSignature, Sign(wh.Secret, time.Now(), d.Payload))
	t0 := time.Now()
	res, err := s.client.Do(req)
	a.DurationMS = time.Since(t0).Milliseconds()
	if err != nil {
		a.Error = err.Error()
	} else {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		a.StatusCode = res.StatusCode
		if res.StatusCode < 200 || res.StatusCode > 299 {
			a.Error = "HTTP " + res.Status
		}
	}
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.st.LockDeliveryByEventID(ctx, d.EventID)
		if err != nil {
			return err
		}
		c, err := s.st.LockCase(ctx, cur.CaseID)
		if err != nil {
			return err
		}
		now := s.now()
		cur.Attempts++
		// The shop may have confirmed while answering this very request.
		if cur.Status != deliveryPending {
			return s.st.RecordDeliveryAttempt(ctx, cur, a)
		}
		execution := c.Execution
		if a.Error == "" {
			cur.Status, cur.DeliveredAt, cur.NextAttemptAt, cur.LastError = deliveryDelivered, &now, nil, ""
			execution = kefu.ExecutionDelivered
		} else {
			cur.LastError = a.Error
			if cur.Attempts >= wh.MaxAttempts {
				cur.Status, cur.NextAttemptAt = deliveryFailed, nil
				execution = kefu.ExecutionFailed
			} else {
				next := now.Add(backoff(cur.Attempts))
				cur.NextAttemptAt = &next
			}
		}
		if err := s.st.RecordDeliveryAttempt(ctx, cur, a); err != nil {
			return err
		}
		if execution == c.Execution {
			return nil
		}
		c.Execution, c.UpdatedAt = execution, now
		if err := s.st.UpdateCase(ctx, c); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventCaseUpdated, c, bySystem(), map[string]any{"execution_status": execution, "event_id": cur.EventID,
			"attempts": cur.Attempts, "error": a.Error})
	})
}

// Confirmation is the shop's word that it carried a case out (or could not).
type Confirmation struct {
	EventID   string `json:"event_id"`
	Status    string `json:"status,omitempty"`    // done (default) or failed
	Reference string `json:"reference,omitempty"` // the shop's refund or shipment reference
	Message   string `json:"message,omitempty"`
}

// ConfirmResult says what a confirmation did.
type ConfirmResult struct {
	Duplicate bool       `json:"duplicate"` // it was confirmed before: nothing changed
	Case      *kefu.Case `json:"case"`
}

// Confirm records the shop's confirmation of an instruction: the case
// becomes executed. The same confirmation twice changes nothing. A nil actor
// is the shop calling the signed callback; caseID 0 accepts any case.
func (s *Service) Confirm(ctx context.Context, actor *kefu.User, caseID int64, in Confirmation) (*ConfirmResult, error) {
	if actor != nil {
		if err := auth.Can(actor, auth.ConfirmExecution); err != nil {
			return nil, err
		}
	}
	in.EventID = strings.TrimSpace(in.EventID)
	if in.EventID == "" {
		return nil, kefu.Invalid("event_id", "is required: the event id of the instruction being confirmed")
	}
	if in.Status == "" {
		in.Status = "done"
	}
	if in.Status != "done" && in.Status != "failed" {
		return nil, kefu.Invalid("status", "must be done or failed")
	}
	ref, err := kefu.CleanText("reference", in.Reference, 0, 200)
	if err != nil {
		return nil, err
	}
	msg, err := kefu.CleanText("message", in.Message, 0, MaxNote)
	if err != nil {
		return nil, err
	}
	out := &ConfirmResult{}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		d, err := s.st.LockDeliveryByEventID(ctx, in.EventID)
		if err != nil || (caseID > 0 && d.CaseID != caseID) {
			return &kefu.NotFoundError{What: "instruction", Field: "event_id"}
		}
		c, err := s.st.LockCase(ctx, d.CaseID)
		if err != nil {
			return err
		}
		out.Case = c
		if d.Status == deliveryConfirmed || d.Status == deliveryCancelled || (d.Status == deliveryFailed && d.ConfirmedAt != nil) {
			out.Duplicate = true
			return nil
		}
		now := s.now()
		w := byShop(actor)
		if err := s.st.SaveDeliveryConfirmation(ctx, d.ID, mustJSON(in)); err != nil {
			return err
		}
		if in.Status == "failed" {
			d.Status, d.NextAttemptAt, d.ConfirmedAt, d.LastError = deliveryFailed, nil, &now, "the shop reported: "+msg
			c.Execution, c.UpdatedAt = kefu.ExecutionFailed, now
			if err := s.st.UpdateDelivery(ctx, d); err != nil {
				return err
			}
			if err := s.st.UpdateCase(ctx, c); err != nil {
				return err
			}
			return s.event(ctx, kefu.EventCaseUpdated, c, w, map[string]any{"execution_status": c.Execution, "event_id": d.EventID, "message": msg})
		}
		d.Status, d.NextAttemptAt, d.ConfirmedAt = deliveryConfirmed, nil, &now
		if d.DeliveredAt == nil {
			d.DeliveredAt = &now
		}
		if err := s.st.UpdateDelivery(ctx, d); err != nil {
			return err
		}
		c.Execution, c.ShopReference = kefu.ExecutionConfirmed, ref
		if err := s.event(ctx, kefu.EventCaseExecutionDone, c, w, map[string]any{"event_id": d.EventID, "reference": ref}); err != nil {
			return err
		}
		if kefu.CanMoveCase(c.Kind, c.Status, kefu.CaseExecuted) {
			return s.move(ctx, c, kefu.CaseExecuted, w, msg, map[string]any{"event_id": d.EventID, "reference": ref})
		}
		c.UpdatedAt = now
		return s.st.UpdateCase(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ConfirmSigned is the shop's callback: the body is a Confirmation signed
// like the webhooks kefu sends.
func (s *Service) ConfirmSigned(ctx context.Context, signature string, body []byte) (*ConfirmResult, error) {
	wh, err := s.webhook(ctx)
	if err != nil {
		return nil, err
	}
	if wh.Secret == "" {
		return nil, fmt.Errorf("no webhook secret is set: %w", kefu.ErrUnauthorized)
	}
	if err := VerifySignature(wh.Secret, signature, body, time.Now()); err != nil {
		return nil, err
	}
	var in Confirmation
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, kefu.Invalid("body", "must be a JSON confirmation: %v", err)
	}
	return s.Confirm(ctx, nil, 0, in)
}
