package sandbox

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"shopmail/internal/samtemplate"
	"shopmail/internal/sandbox/pattern"
	"shopmail/internal/sandbox/scheduler"
)

// loadEvents reads every function's event sources from the template: EventBridge rules,
// HTTP API routes and schedules. A source type the sandbox does not run is an error, so that
// nothing in the template is silently ignored.
func (s *Sandbox) loadEvents(fns []samtemplate.Function) error {
	s.buses = map[string]bool{"default": true}
	for _, fn := range fns {
		for _, ev := range fn.Events {
			props, err := s.tmpl.Resolve(ev.Properties, s.resolver())
			if err != nil {
				return fmt.Errorf("%s event %s: %w", fn.LogicalID, ev.Name, err)
			}
			p, _ := props.(map[string]any)
			if err := s.loadEvent(fn.LogicalID, ev.Name, ev.Type, p); err != nil {
				return fmt.Errorf("%s event %s: %w", fn.LogicalID, ev.Name, err)
			}
		}
	}
	sort.Slice(s.routes, func(i, j int) bool { return s.routes[i].specificity() > s.routes[j].specificity() })
	return nil
}

func (s *Sandbox) loadEvent(fn, name, typ string, p map[string]any) error {
	switch typ {
	case "EventBridgeRule", "CloudWatchEvent":
		pat, ok := p["Pattern"].(map[string]any)
		if !ok {
			return fmt.Errorf("no Pattern")
		}
		compiled, err := pattern.Compile(pat)
		if err != nil {
			return err
		}
		bus, _ := p["EventBusName"].(string)
		bus = or(bus, "default")
		s.buses[bus] = true
		s.rules = append(s.rules, rule{function: fn, name: name, bus: bus, pattern: compiled})
	case "HttpApi":
		r, err := newRoute(fn, p)
		if err != nil {
			return err
		}
		s.routes = append(s.routes, r)
	case "ScheduleV2", "Schedule":
		return s.loadSchedule(fn, name, p)
	default:
		return fmt.Errorf("event type %s is not run by the sandbox", typ)
	}
	return nil
}

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

// logLine is one line a function logged.
type logLine struct {
	Function string
	At       time.Time
	Text     string
}

// logBook keeps the functions' recent log lines for the UI.
type logBook struct {
	mu    sync.Mutex
	lines []logLine
	max   int
}

func (b *logBook) add(l logLine) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, l)
	if len(b.lines) > b.max {
		b.lines = b.lines[len(b.lines)-b.max:]
	}
}

// matching returns the lines containing s (a request id), oldest first.
func (b *logBook) matching(s string) []logLine {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []logLine
	for _, l := range b.lines {
		if strings.Contains(l.Text, s) {
			out = append(out, l)
		}
	}
	return out
}

// logWriter is where a function's logger writes: the sandbox's output, and the log book.
func (s *Sandbox) logWriter(fn string) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		for _, line := range bytes.Split(bytes.TrimRight(p, "\n"), []byte("\n")) {
			s.logs.add(logLine{Function: fn, At: time.Now(), Text: string(line)})
		}
		return s.logOut.Write(p)
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
