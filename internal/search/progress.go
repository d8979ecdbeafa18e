package search

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/store"
)

// ProgressBar returns a Progress that draws one bar per kind on w:
//
//	tickets    [##########----------]  50%  100000/200000  4210/s
//
// On a terminal the bar is redrawn in place a few times a second; elsewhere
// (a log file, a pipe) a line is written at every tenth and at the end.
func ProgressBar(w io.Writer, terminal bool) Progress {
	var (
		kind    store.SearchKind
		started time.Time
		drawn   time.Time
		decile  int
	)
	return func(k store.SearchKind, done, total int) {
		now := time.Now()
		if k != kind {
			kind, started, drawn, decile = k, now, time.Time{}, -1
		}
		pct := 100
		if total > 0 {
			pct = done * 100 / total
		}
		finished := done >= total
		if terminal {
			if !finished && now.Sub(drawn) < 200*time.Millisecond {
				return
			}
		} else if pct/10 == decile && !finished {
			return
		}
		drawn, decile = now, pct/10
		rate := ""
		if secs := now.Sub(started).Seconds(); secs > 0.2 && done > 0 {
			rate = fmt.Sprintf("  %.0f/s", float64(done)/secs)
		}
		const width = 20
		fill := pct * width / 100
		line := fmt.Sprintf("%-10s [%s%s] %3d%%  %d/%d%s", string(k)+"s", strings.Repeat("#", fill), strings.Repeat("-", width-fill), pct, done, total, rate)
		if terminal {
			end := ""
			if finished {
				end = "\n"
			}
			fmt.Fprintf(w, "\r%-70s%s", line, end)
			return
		}
		fmt.Fprintln(w, line)
	}
}
