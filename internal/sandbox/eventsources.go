package sandbox

// Lambda event sources: each function's Events in the template become EventBridge rules
// (eventbridge.go), HTTP API routes (apigateway.go), schedules (scheduler.go) or SQS event
// source mappings (sqs_events.go).

import (
	"fmt"
	"sort"

	"shopmail/internal/samtemplate"
	"shopmail/internal/sandbox/pattern"
)

// loadEvents reads every function's event sources from the template: EventBridge rules,
// HTTP API routes, schedules and SQS queues. A source type the sandbox does not run is an error, so that
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
	case "SQS":
		return s.loadSQSSource(fn, name, p)
	default:
		return fmt.Errorf("event type %s is not run by the sandbox", typ)
	}
	return nil
}
