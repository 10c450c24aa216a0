package calendar

import "time"

// QuietHours are the hours of the night when marketing waits: from Start (inclusive) to End
// (exclusive), local hours 0-23, across midnight when Start > End; none when they are equal.
type QuietHours struct{ Start, End int }

// Wait is how long a send at t in loc must wait for the end of the quiet hours (0 outside
// them).
func (q QuietHours) Wait(t time.Time, loc *time.Location) time.Duration {
	if q.Start == q.End {
		return 0
	}
	local := t.In(loc)
	h := local.Hour()
	inQuiet := h >= q.Start || h < q.End
	if q.Start < q.End {
		inQuiet = h >= q.Start && h < q.End
	}
	if !inQuiet {
		return 0
	}
	end := time.Date(local.Year(), local.Month(), local.Day(), q.End, 0, 0, 0, local.Location())
	if !end.After(local) {
		end = end.AddDate(0, 0, 1)
	}
	return end.Sub(local)
}
