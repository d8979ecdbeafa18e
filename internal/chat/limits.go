package chat

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// limiter is a token bucket per key (a visitor), kept per node: a visitor
// spread over several nodes gets at most that many times the rate, which
// is enough to stop a flood.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter() *limiter { return &limiter{buckets: map[string]*bucket{}, sweep: time.Now()} }

// allow takes a token from key's bucket, which refills at perMinute per
// minute and holds a burst of a third of that (at least five).
func (l *limiter) allow(key string, perMinute int) bool {
	if perMinute <= 0 {
		return true
	}
	burst := max(5, float64(perMinute)/3)
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweep) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.at) > 5*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.sweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.at).Seconds()*float64(perMinute)/60)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// LimitError says which limit a visitor's upload broke, with the limit, so
// the widget can explain it in the visitor's language.
type LimitError struct {
	Code  string // "file_too_large", "file_type", "quota"
	Limit int64
}

func (e *LimitError) Error() string { return "upload refused: " + e.Code }

// Unwrap makes a LimitError invalid input.
func (e *LimitError) Unwrap() error { return kefu.ErrInvalid }

// checkUploads enforces the channel's size and type limits and the daily quota.
func (s *Service) checkUploads(ctx context.Context, ch *kefu.ChatChannel, convID int64, files []ticket.Upload) error {
	maxBytes := int64(ch.MaxUploadMB) << 20
	var total int64
	for _, f := range files {
		if int64(len(f.Data)) > maxBytes {
			return &LimitError{Code: "file_too_large", Limit: maxBytes}
		}
		ct := http.DetectContentType(f.Data)
		ct, _, _ = strings.Cut(ct, ";")
		if !slices.Contains(UploadTypes, ct) {
			return &LimitError{Code: "file_type"}
		}
		total += int64(len(f.Data))
	}
	n, bytes, err := s.st.ChatUploadUsage(ctx, convID, time.Now().Add(-24*time.Hour))
	if err != nil {
		return err
	}
	if n+len(files) > UploadFilesDaily {
		return &LimitError{Code: "quota", Limit: UploadFilesDaily}
	}
	if bytes+total > UploadBytesDaily {
		return &LimitError{Code: "quota", Limit: UploadBytesDaily}
	}
	return nil
}
