package scheduler

import (
	"slices"
	"time"
)

// entry is a stored schedule: the sandbox's view of it, the definition as GetSchedule returns
// it, and its parsed expression.
type entry struct {
	Schedule
	input    *scheduleInput // normalized: the defaults filled in
	expr     expression
	anchor   time.Time // the first occurrence of a rate expression
	modified time.Time
	token    string // ClientToken of the CreateSchedule that made it
	request  string // that request in canonical form, without the token
}

// newEntry returns the schedule k defined by in, a normalized input whose expression is expr,
// created at created. Its Next is not planned yet.
func newEntry(k key, in *scheduleInput, expr expression, created time.Time) *entry {
	e := &entry{Schedule: Schedule{Name: k.name, Group: k.group, CreatedAt: created}}
	e.define(in, expr, created)
	return e
}

// define sets the schedule's definition to in, a normalized input whose expression is expr,
// as changed at t.
func (e *entry) define(in *scheduleInput, expr expression, t time.Time) {
	e.input, e.expr, e.modified = in, expr, t
	e.Expression = *in.ScheduleExpression
	e.Timezone = *in.ScheduleExpressionTimezone
	e.State = *in.State
	e.Description = deref(in.Description)
	e.Target = Target{Arn: deref(in.Target.Arn), RoleArn: deref(in.Target.RoleArn), Input: deref(in.Target.Input)}
	e.StartDate = fromEpoch(in.StartDate)
	e.EndDate = fromEpoch(in.EndDate)
	e.ActionAfterCompletion = *in.ActionAfterCompletion
	e.Recurring = expr.recurring()
}

// key returns the schedule's group and name.
func (e *entry) key() key { return key{e.Group, e.Name} }

// plan sets Next from the definition, as of now: a disabled schedule has none; a one-time
// schedule fires at its time unless it already fired then; a recurring one fires at its
// first occurrence at or after now and StartDate.
func (e *entry) plan(now time.Time) {
	e.Next = time.Time{}
	switch {
	case e.State == StateDisabled:
	case !e.Recurring:
		if !slices.ContainsFunc(e.Fired, e.expr.at.Equal) {
			e.Next = e.expr.at
		}
	default:
		from := now
		if e.StartDate.After(from) {
			from = e.StartDate
		}
		e.anchor = from
		if !e.StartDate.IsZero() {
			e.anchor = e.StartDate
		}
		e.Next = e.beforeEnd(e.expr.next(from.Add(-time.Nanosecond), e.anchor))
	}
}

// advance records a firing at at and moves Next to the following occurrence, if any.
func (e *entry) advance(at time.Time) {
	e.Fired = append(e.Fired, at)
	e.Next = time.Time{}
	if e.Recurring {
		e.Next = e.beforeEnd(e.expr.next(at, e.anchor))
	}
}

// skipMissed moves Next of a recurring schedule to its latest occurrence due at now, skipping
// the earlier ones without firing them.
func (e *entry) skipMissed(now time.Time) {
	if !e.Recurring || e.Next.IsZero() || e.Next.After(now) {
		return
	}
	for {
		t := e.beforeEnd(e.expr.next(e.Next, e.anchor))
		if t.IsZero() || t.After(now) {
			return
		}
		e.Next = t
	}
}

// beforeEnd returns t when the schedule may fire then, and the zero Time when t is at or
// after EndDate.
func (e *entry) beforeEnd(t time.Time) time.Time {
	if !e.EndDate.IsZero() && !t.Before(e.EndDate) {
		return time.Time{}
	}
	return t
}

// snapshot returns a copy of the schedule that shares nothing with e.
func (e *entry) snapshot() Schedule {
	sc := e.Schedule
	sc.Fired = slices.Clone(e.Fired)
	return sc
}

// deref returns *p, or "" when p is nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
