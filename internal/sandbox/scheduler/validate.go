package scheduler

import (
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Patterns of the Smithy model of EventBridge Scheduler (aws-models/scheduler.json in
// aws-sdk-go-v2's codegen).
var (
	namePattern       = regexp.MustCompile(`^[0-9a-zA-Z_.\-]+$`)        // Name, ScheduleGroupName
	namePrefixPattern = regexp.MustCompile(`^[a-zA-Z][0-9a-zA-Z_\-]*$`) // NamePrefix
	tokenPattern      = regexp.MustCompile(`^[a-zA-Z0-9_\-]+$`)         // ClientToken
	rolePattern       = regexp.MustCompile(`^arn:aws(-[a-z]+)?:iam::\d{12}:role\/(service-role\/){0,1}[a-zA-Z0-9\+=,\.@\-_]+$`)
	queuePattern      = regexp.MustCompile(`^arn:aws(-[a-z]+)?:sqs:[a-z0-9\-]+:\d{12}:[a-zA-Z0-9\-_]+$`)
	keyPattern        = regexp.MustCompile(`^arn:aws(-[a-z]+)?:kms:[a-z0-9\-]+:\d{12}:(key|alias)\/[0-9a-zA-Z\-_]*$`)
)

// apiError is an error answer of the service: its HTTP status, its code (the
// X-Amzn-ErrorType header, which the SDK maps to a typed error) and its message.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// invalid returns a ValidationException (HTTP 400).
func invalid(format string, a ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationException", fmt.Sprintf(format, a...)}
}

// notFound returns the ResourceNotFoundException (HTTP 404) for a schedule that does not exist.
func notFound(k key) *apiError {
	return &apiError{http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("Schedule %s does not exist.", k.name)}
}

// conflict returns the ConflictException (HTTP 409) for a name already taken in its group.
func conflict(k key) *apiError {
	return &apiError{http.StatusConflict, "ConflictException", fmt.Sprintf("Schedule %s already exists.", k.name)}
}

// violations collects the constraint failures of one request, worded as AWS words them:
// "Value 'x' at 'name' failed to satisfy constraint: Member must ...".
type violations []string

// add records that value (a string, or nil for a missing member) at path breaks a rule.
func (v *violations) add(value *string, path, rule string) {
	shown := "null"
	if value != nil {
		shown = "'" + *value + "'"
	}
	*v = append(*v, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: Member must %s", shown, path, rule))
}

// required records a missing required member.
func (v *violations) required(present bool, path string) {
	if !present {
		v.add(nil, path, "not be null")
	}
}

// text checks the length, in characters, and the pattern (when not nil) of an optional string.
func (v *violations) text(s *string, path string, min, max int, pattern *regexp.Regexp) {
	if s == nil {
		return
	}
	switch n := utf8.RuneCountInString(*s); {
	case n < min:
		v.add(s, path, fmt.Sprintf("have length greater than or equal to %d", min))
	case n > max:
		v.add(s, path, fmt.Sprintf("have length less than or equal to %d", max))
	case pattern != nil && !pattern.MatchString(*s):
		v.add(s, path, "satisfy regular expression pattern: "+pattern.String())
	}
}

// oneOf checks that an optional string is one of allowed.
func (v *violations) oneOf(s *string, path string, allowed ...string) {
	if s != nil && !slices.Contains(allowed, *s) {
		v.add(s, path, "satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
	}
}

// between checks the range of an optional number.
func (v *violations) between(n *int64, path string, min, max int64) {
	if n == nil || (*n >= min && *n <= max) {
		return
	}
	shown := fmt.Sprint(*n)
	rule := fmt.Sprintf("have value greater than or equal to %d", min)
	if *n > max {
		rule = fmt.Sprintf("have value less than or equal to %d", max)
	}
	v.add(&shown, path, rule)
}

// err returns the collected violations as one ValidationException, or nil.
func (v violations) err() error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return invalid("1 validation error detected: %s", v[0])
	}
	return invalid("%d validation errors detected: %s", len(v), strings.Join(v, "; "))
}

// requireMembers records the members that CreateSchedule and UpdateSchedule require.
func (v *violations) requireMembers(in *scheduleInput) {
	v.required(in.ScheduleExpression != nil, "scheduleExpression")
	v.required(in.FlexibleTimeWindow != nil, "flexibleTimeWindow")
	if in.FlexibleTimeWindow != nil {
		v.required(in.FlexibleTimeWindow.Mode != nil, "flexibleTimeWindow.mode")
	}
	v.required(in.Target != nil, "target")
	if in.Target != nil {
		v.required(in.Target.Arn != nil, "target.arn")
		v.required(in.Target.RoleArn != nil, "target.roleArn")
	}
}

// constraints records the members of in that break the model's length, pattern, enum and
// range constraints.
func (v *violations) constraints(in *scheduleInput) {
	v.text(in.GroupName, "groupName", 1, 64, namePattern)
	v.text(in.ClientToken, "clientToken", 1, 64, tokenPattern)
	v.text(in.Description, "description", 0, 512, nil)
	v.text(in.ScheduleExpression, "scheduleExpression", 1, 256, nil)
	v.text(in.ScheduleExpressionTimezone, "scheduleExpressionTimezone", 1, 50, nil)
	v.text(in.KmsKeyArn, "kmsKeyArn", 1, 2048, keyPattern)
	v.oneOf(in.State, "state", StateEnabled, StateDisabled)
	v.oneOf(in.ActionAfterCompletion, "actionAfterCompletion", ActionNone, ActionDelete)
	if w := in.FlexibleTimeWindow; w != nil {
		v.oneOf(w.Mode, "flexibleTimeWindow.mode", "OFF", "FLEXIBLE")
		v.between(w.MaximumWindowInMinutes, "flexibleTimeWindow.maximumWindowInMinutes", 1, 1440)
	}
	if t := in.Target; t != nil {
		v.text(t.Arn, "target.arn", 1, 1600, nil)
		v.text(t.RoleArn, "target.roleArn", 1, 1600, rolePattern)
		v.text(t.Input, "target.input", 1, math.MaxInt, nil)
		if p := t.RetryPolicy; p != nil {
			v.between(p.MaximumEventAgeInSeconds, "target.retryPolicy.maximumEventAgeInSeconds", 60, 86400)
			v.between(p.MaximumRetryAttempts, "target.retryPolicy.maximumRetryAttempts", 0, 185)
		}
		if d := t.DeadLetterConfig; d != nil {
			v.text(d.Arn, "target.deadLetterConfig.arn", 1, 1600, queuePattern)
		}
	}
}

// check returns the violations found so far and those of in's constraints as one error;
// failing none, it checks what needs more than a constraint: the time zone, the expression
// and the dates. It returns the parsed expression.
func check(in *scheduleInput, v violations) (expression, error) {
	v.constraints(in)
	if err := v.err(); err != nil {
		return expression{}, err
	}
	zone := "UTC"
	if in.ScheduleExpressionTimezone != nil {
		zone = *in.ScheduleExpressionTimezone
	}
	loc, err := loadZone(zone)
	if err != nil {
		return expression{}, invalid("Invalid ScheduleExpressionTimezone %s: %v.", zone, err)
	}
	expr, err := parseExpression(*in.ScheduleExpression, loc)
	if err != nil {
		return expression{}, invalid("Invalid Schedule Expression %s: %v.", *in.ScheduleExpression, err)
	}
	for _, d := range []struct {
		name  string
		epoch *float64
	}{{"StartDate", in.StartDate}, {"EndDate", in.EndDate}} {
		if d.epoch != nil && (*d.epoch < 0 || *d.epoch >= maxEpoch) {
			return expression{}, invalid("Invalid %s %v: it must fall in the years %d to %d.", d.name, *d.epoch, firstYear, lastYear)
		}
	}
	return expr, nil
}

// maxEpoch is the start of the year after lastYear, in seconds since the Unix epoch.
var maxEpoch = float64(time.Date(lastYear+1, time.January, 1, 0, 0, 0, 0, time.UTC).Unix())

// loadZone loads an IANA time zone by name; "Local", which time.LoadLocation takes for the
// machine's zone, is not one.
func loadZone(name string) (*time.Location, error) {
	if name == "Local" {
		return nil, fmt.Errorf("unknown time zone %s", name)
	}
	return time.LoadLocation(name)
}
