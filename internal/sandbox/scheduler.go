package sandbox

// EventBridge Scheduler: the emulator is the scheduler package; here the template's schedules
// are loaded, the clock fires what is due, and a firing invokes its function (lambda.go).

import (
	"context"
	"fmt"
	"strings"
	"time"

	"shopmail/internal/sandbox/scheduler"
)

// loadSchedule puts a function's Schedule or ScheduleV2 event source as a recurring schedule.
func (s *Sandbox) loadSchedule(fn, name string, p map[string]any) error {
	expr, _ := p["ScheduleExpression"].(string)
	if expr == "" {
		expr, _ = p["Schedule"].(string)
	}
	input, _ := p["Input"].(string)
	tz, _ := p["ScheduleExpressionTimezone"].(string)
	return s.sched.Put(scheduler.Schedule{
		Name: fn + "-" + name, Group: "default", Expression: expr, Timezone: or(tz, "UTC"), State: "ENABLED",
		Target:    scheduler.Target{Arn: s.arn("lambda", "function:"+fn), RoleArn: s.roleARN("sandbox"), Input: or(input, "{}")},
		CreatedAt: s.clock.Now(), Recurring: true,
	})
}

// Advance moves the clock forward and runs what became due.
func (s *Sandbox) Advance(ctx context.Context, d time.Duration) int {
	s.clock.Advance(d)
	s.journal.add(Activity{Kind: "clock", Summary: fmt.Sprintf("clock moved forward %s (now %s ahead)", d, s.clock.Offset())})
	return s.tick(ctx)
}

// Run fires due schedules every second until ctx ends.
func (s *Sandbox) Run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.tick(ctx)
		}
	}
}

// tick fires the schedules that are due, one after another: each firing's invocation runs to
// its end (retries included) before the next one starts.
func (s *Sandbox) tick(ctx context.Context) int {
	s.ticking.Lock()
	defer s.ticking.Unlock()
	return s.sched.Tick(ctx)
}

// fire runs a schedule's target, a function of the template named by its ARN, as an
// asynchronous invocation that Tick waits for.
func (s *Sandbox) fire(ctx context.Context, sc scheduler.Schedule, at time.Time) error {
	name := sc.Target.Arn[strings.LastIndex(sc.Target.Arn, ":")+1:]
	if _, ok := s.functions[name]; !ok {
		err := fmt.Errorf("schedule %s: target %s is not a function of the template", sc.Name, sc.Target.Arn)
		s.journal.add(Activity{Kind: "schedule", Source: sc.Name, Summary: "schedule " + sc.Name + " fired", Error: err.Error()})
		return err
	}
	s.journal.add(Activity{Kind: "schedule", Source: sc.Name, Summary: fmt.Sprintf("schedule %s fired for %s (due %s)", sc.Name, name, at.Format(time.RFC3339))})
	s.inflight.add()
	defer s.inflight.done()
	s.meter.charge(subjectOf([]byte(sc.Target.Input)), "scheduler", "invocation", "invocations", 1, 1, Prices.SchedulerRun)
	s.runAsync(ctx, s.functions[name], []byte(sc.Target.Input), "schedule "+sc.Name)
	return nil
}
