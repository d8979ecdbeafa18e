package aftersale

import "time"

// dayNumber says on which day after delivery at falls, in the shop's time
// zone: 0 is the day the parcel was signed for, 1 the day after, and so on.
// Windows count whole calendar days, not 24-hour periods: a parcel signed
// for at 23:50 still has its day 1 start ten minutes later.
func dayNumber(delivered, at time.Time, loc *time.Location) int {
	y0, m0, d0 := delivered.In(loc).Date()
	y1, m1, d1 := at.In(loc).Date()
	a := time.Date(y0, m0, d0, 12, 0, 0, 0, time.UTC)
	b := time.Date(y1, m1, d1, 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// windowEnd is the first instant after a window of n days counted from the
// day after delivery: midnight at the start of day 签收+n+1 in loc. A request
// made before it is in time.
func windowEnd(delivered time.Time, n int, loc *time.Location) time.Time {
	y, m, d := delivered.In(loc).Date()
	return time.Date(y, m, d+n+1, 0, 0, 0, 0, loc)
}
