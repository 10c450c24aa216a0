// Package scheduler serves the part of Amazon EventBridge Scheduler that the local sandbox
// needs, offline: CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule and
// ListSchedules in the service's REST-JSON protocol (so the AWS SDK talks to it unchanged),
// and Tick, which fires the schedules that are due on a clock the developer moves forward.
//
// Schedules run as EventBridge Scheduler documents
// (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):
//
//   - at(yyyy-mm-ddThh:mm:ss) fires once, at that wall-clock time in the schedule's time zone
//     (UTC by default); StartDate and EndDate do not apply to it. A time already past fires
//     at the next Tick.
//   - rate(N minute|minutes|hour|hours|day|days) fires at StartDate, or when it is created,
//     and then every N units of elapsed time: a day is 24 hours, across daylight saving time
//     changes too.
//   - cron(Minutes Hours Day-of-month Month Day-of-week Year) fires at the wall-clock times
//     it matches in the schedule's time zone. A time that the clock skips when daylight
//     saving time starts is skipped; a time that happens twice when it ends fires once, the
//     first time.
//   - Recurring schedules fire from StartDate on and only before EndDate. When the clock jumps
//     past several occurrences, only the latest fires.
//   - A DISABLED schedule never fires. A schedule that has fired for the last time is
//     deleted when its ActionAfterCompletion is DELETE, and kept otherwise.
//
// The sandbox fires each schedule at the start of its flexible time window, and it does not
// retry: Fire is where a failure is handled.
package scheduler

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Values of Schedule.State and Schedule.ActionAfterCompletion.
const (
	StateEnabled  = "ENABLED"
	StateDisabled = "DISABLED"
	ActionNone    = "NONE"
	ActionDelete  = "DELETE"
)

// defaultGroup is the schedule group that a request without GroupName uses.
const defaultGroup = "default"

// Clock tells the sandbox's time, which the developer can move forward.
type Clock interface{ Now() time.Time }

// Schedule is one schedule as the sandbox keeps it.
type Schedule struct {
	Name, Group, Expression, Timezone, State, Description string
	Target                                                Target
	StartDate, EndDate                                    time.Time
	ActionAfterCompletion                                 string // NONE or DELETE
	CreatedAt                                             time.Time
	Next                                                  time.Time   // next firing time on the sandbox clock; zero when none
	Fired                                                 []time.Time // when it fired
	Recurring                                             bool
}

// Target is what a schedule invokes, and with what input.
type Target struct{ Arn, RoleArn, Input string }

// Options configure a Server.
type Options struct {
	Clock Clock // the sandbox clock; the system clock when nil
	// Fire invokes a schedule's target. It is called from Tick, one schedule at a time, in
	// time order. s is the schedule as it was when due (s.Next == at).
	Fire              func(ctx context.Context, s Schedule, at time.Time) error
	Region, AccountID string // for ARNs; us-east-1 and 000000000000 when empty
}

// Server is an in-memory EventBridge Scheduler. It is safe for concurrent use.
type Server struct {
	clock   Clock
	fire    func(ctx context.Context, s Schedule, at time.Time) error
	region  string
	account string
	mux     *http.ServeMux

	mu        sync.Mutex
	schedules map[key]*entry
}

// key names a schedule: names are unique within a group.
type key struct{ group, name string }

// New returns a Server with no schedules.
func New(o Options) *Server {
	s := &Server{
		clock:     o.Clock,
		fire:      o.Fire,
		region:    o.Region,
		account:   o.AccountID,
		schedules: make(map[key]*entry),
	}
	if s.clock == nil {
		s.clock = systemClock{}
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.account == "" {
		s.account = "000000000000"
	}
	s.mux = s.routes()
	return s
}

// systemClock is the real time.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Put adds sc, or replaces the schedule of the same group and name: the sandbox puts the
// schedules that template.yaml declares this way. sc is checked as CreateSchedule checks a
// request, except that Target.RoleArn may be empty; its flexible time window is OFF. Group
// defaults to "default", Timezone to UTC, State to ENABLED, ActionAfterCompletion to NONE and
// CreatedAt to the clock's time. Next is computed, not read; Fired is kept.
func (s *Server) Put(sc Schedule) error {
	in := inputFrom(sc)
	var v violations
	v.required(in.ScheduleExpression != nil, "scheduleExpression")
	v.required(in.Target.Arn != nil, "target.arn")
	v.text(&sc.Name, "name", 1, 64, namePattern)
	expr, err := check(in, v)
	if err != nil {
		return fmt.Errorf("put schedule %s: %w", sc.Name, err)
	}
	normalize(in)
	now := s.clock.Now()
	created := sc.CreatedAt
	if created.IsZero() {
		created = now
	}
	e := newEntry(key{*in.GroupName, sc.Name}, in, expr, created)
	e.Fired = slices.Clone(sc.Fired)
	e.plan(now)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.schedules[e.key()] = e
	return nil
}

// Tick fires every schedule due at the clock's time, in time order (then by name and group).
// A recurring schedule fires at most once per Tick, for its latest occurrence due: the ones
// missed before it (the clock moved a week ahead) are skipped, as EventBridge Scheduler does not
// back-fill occurrences missed beyond their flexible time window. Tick returns how many firings
// it made, failed ones included: an error from Fire does not bring the occurrence back, as it
// would not once Scheduler's retries are spent. A schedule that a Fire creates and that is
// already due fires in the same Tick. Tick stops early when ctx ends.
func (s *Server) Tick(ctx context.Context) int {
	now := s.clock.Now()
	s.mu.Lock()
	for _, e := range s.schedules {
		e.skipMissed(now)
	}
	s.mu.Unlock()
	fired := 0
	for ctx.Err() == nil {
		sc, at, ok := s.takeDue(now)
		if !ok {
			break
		}
		if s.fire != nil {
			_ = s.fire(ctx, sc, at) // failures are Fire's to report: see the doc comment
		}
		fired++
	}
	return fired
}

// takeDue finds the earliest occurrence due at now, marks it fired, and returns the schedule
// as it was before, with the time of that occurrence.
func (s *Server) takeDue(now time.Time) (Schedule, time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var due *entry
	for _, e := range s.schedules {
		if !e.Next.IsZero() && !e.Next.After(now) && (due == nil || firesBefore(&e.Schedule, &due.Schedule)) {
			due = e
		}
	}
	if due == nil {
		return Schedule{}, time.Time{}, false
	}
	sc, at := due.snapshot(), due.Next
	due.advance(at)
	if due.Next.IsZero() && due.ActionAfterCompletion == ActionDelete {
		delete(s.schedules, due.key())
	}
	return sc, at, true
}

// List returns every schedule, pending and completed: those with a next firing time first,
// soonest first, then those without one; ties in name, then group, order.
func (s *Server) List() []Schedule {
	s.mu.Lock()
	list := make([]Schedule, 0, len(s.schedules))
	for _, e := range s.schedules {
		list = append(list, e.snapshot())
	}
	s.mu.Unlock()
	slices.SortFunc(list, func(a, b Schedule) int {
		switch {
		case firesBefore(&a, &b):
			return -1
		case firesBefore(&b, &a):
			return 1
		}
		return 0
	})
	return list
}

// firesBefore orders schedules by next firing time, those without one last, then by name and
// group.
func firesBefore(a, b *Schedule) bool {
	if a.Next.IsZero() != b.Next.IsZero() {
		return b.Next.IsZero()
	}
	if !a.Next.Equal(b.Next) {
		return a.Next.Before(b.Next)
	}
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c < 0
	}
	return a.Group < b.Group
}

// arn returns the ARN of the schedule k.
func (s *Server) arn(k key) string {
	return fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule/%s/%s", s.region, s.account, k.group, k.name)
}
