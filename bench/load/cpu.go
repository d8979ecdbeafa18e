package main

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc CPU times (100 on Linux).
const clockTicks = 100

// cpuSnap is a moment's CPU counters: the kefu server's, the benchmark's own
// and the whole machine's, to tell where the cores went during an operation.
type cpuSnap struct {
	at         time.Time
	server     time.Duration
	self       time.Duration
	pg         map[int]time.Duration // PostgreSQL backends serving the bench database
	busy, all  uint64                // /proc/stat jiffies
	haveServer bool
}

// takeCPU reads the counters; pgPids are the PostgreSQL backends to count
// (none for SQLite).
func takeCPU(pid int, pgPids []int) cpuSnap {
	s := cpuSnap{at: time.Now(), pg: map[int]time.Duration{}}
	s.server, s.haveServer = procCPU(pid)
	for _, p := range pgPids {
		if d, ok := procCPU(p); ok {
			s.pg[p] = d
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	s.busy, s.all = machineCPU()
	return s
}

// cpuUse is CPU use between two snapshots, in cores.
type cpuUse struct {
	server, bench, pg, machineBusy float64 // machineBusy: share of all cores, 0..1
	ok                             bool
	havePG                         bool
}

func cpuBetween(a, b cpuSnap) cpuUse {
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 {
		return cpuUse{}
	}
	u := cpuUse{
		server: (b.server - a.server).Seconds() / wall,
		bench:  (b.self - a.self).Seconds() / wall,
		ok:     a.haveServer && b.haveServer,
	}
	var pg time.Duration
	for p, d := range b.pg {
		pg += d - a.pg[p] // a backend that started during the operation counts whole
		u.havePG = true
	}
	u.pg = pg.Seconds() / wall
	if b.all > a.all {
		u.machineBusy = float64(b.busy-a.busy) / float64(b.all-a.all)
	}
	return u
}

// procCPU is a process's user+system time from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	// After the command: state(0) ppid(1) … utime(11) stime(12).
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * time.Second / clockTicks, true
}

// machineCPU returns busy and total jiffies from the first line of /proc/stat.
func machineCPU() (busy, all uint64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0
	}
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			continue
		}
		if i >= 8 { // guest time is already counted in user
			break
		}
		all += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, all
}

// other is the cores busy with neither kefu, the benchmark nor the
// PostgreSQL backends serving kefu: anything else running on the machine.
func (u cpuUse) other() float64 {
	return max(0, u.machineBusy*float64(runtime.NumCPU())-u.server-u.bench-u.pg)
}

func (u cpuUse) String() string {
	if !u.ok {
		return "cpu n/a"
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	pg := ""
	if u.havePG {
		pg = ", postgres " + f(u.pg)
	}
	return "cores: kefu " + f(u.server) + pg + ", bench " + f(u.bench) + ", other " + f(u.other()) + " of " + strconv.Itoa(runtime.NumCPU())
}

// machineBusyNow measures how busy the machine is over d, before the
// benchmark starts anything, as a share of all cores.
func machineBusyNow(d time.Duration) float64 {
	b0, a0 := machineCPU()
	time.Sleep(d)
	b1, a1 := machineCPU()
	if a1 <= a0 {
		return 0
	}
	return float64(b1-b0) / float64(a1-a0)
}
