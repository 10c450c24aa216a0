package scheduler

import (
	"encoding/json"
	"math"
	"time"
)

// The wire shapes of the REST-JSON protocol, member for member as the SDK's serializers write
// and its deserializers read them (service/scheduler/serializers.go and deserializers.go).
// Timestamps are seconds since the Unix epoch, with a fraction. Pointers tell a missing member
// from an empty one, as the service does.

// scheduleInput is the body of CreateSchedule and UpdateSchedule; normalized, it is also the
// definition that GetSchedule returns.
type scheduleInput struct {
	ActionAfterCompletion      *string     `json:",omitempty"`
	ClientToken                *string     `json:",omitempty"`
	Description                *string     `json:",omitempty"`
	EndDate                    *float64    `json:",omitempty"`
	FlexibleTimeWindow         *timeWindow `json:",omitempty"`
	GroupName                  *string     `json:",omitempty"`
	KmsKeyArn                  *string     `json:",omitempty"`
	ScheduleExpression         *string     `json:",omitempty"`
	ScheduleExpressionTimezone *string     `json:",omitempty"`
	StartDate                  *float64    `json:",omitempty"`
	State                      *string     `json:",omitempty"`
	Target                     *target     `json:",omitempty"`
}

// timeWindow is FlexibleTimeWindow.
type timeWindow struct {
	MaximumWindowInMinutes *int64  `json:",omitempty"`
	Mode                   *string `json:",omitempty"`
}

// target is Target, without the templated target parameters (ECS, SQS, Kinesis...), which
// the sandbox neither keeps nor uses.
type target struct {
	Arn              *string           `json:",omitempty"`
	DeadLetterConfig *deadLetterConfig `json:",omitempty"`
	Input            *string           `json:",omitempty"`
	RetryPolicy      *retryPolicy      `json:",omitempty"`
	RoleArn          *string           `json:",omitempty"`
}

// retryPolicy is Target.RetryPolicy.
type retryPolicy struct {
	MaximumEventAgeInSeconds *int64 `json:",omitempty"`
	MaximumRetryAttempts     *int64 `json:",omitempty"`
}

// deadLetterConfig is Target.DeadLetterConfig.
type deadLetterConfig struct {
	Arn *string `json:",omitempty"`
}

// scheduleOutput is the answer to GetSchedule.
type scheduleOutput struct {
	*scheduleInput
	Arn                  string
	Name                 string
	CreationDate         float64
	LastModificationDate float64
}

// arnOutput is the answer to CreateSchedule and UpdateSchedule.
type arnOutput struct {
	ScheduleArn string
}

// listOutput is the answer to ListSchedules.
type listOutput struct {
	NextToken *string `json:",omitempty"`
	Schedules []scheduleSummary
}

// scheduleSummary is one schedule in a ListSchedules answer.
type scheduleSummary struct {
	Arn                  string
	CreationDate         float64
	GroupName            string
	LastModificationDate float64
	Name                 string
	State                string
	Target               struct{ Arn string }
}

// errorOutput is the body of an error answer; its code is in the X-Amzn-ErrorType header.
type errorOutput struct {
	Message string
}

// Defaults of a Target's RetryPolicy: retry for up to 24 hours, up to 185 times.
const (
	defaultEventAge      = 86400
	defaultRetryAttempts = 185
)

// normalize fills in the defaults that the service reports for members left out.
func normalize(in *scheduleInput) {
	orDefault(&in.GroupName, defaultGroup)
	orDefault(&in.State, StateEnabled)
	orDefault(&in.ActionAfterCompletion, ActionNone)
	orDefault(&in.ScheduleExpressionTimezone, "UTC")
	orDefault(&in.Target.RetryPolicy, retryPolicy{})
	orDefault(&in.Target.RetryPolicy.MaximumEventAgeInSeconds, defaultEventAge)
	orDefault(&in.Target.RetryPolicy.MaximumRetryAttempts, defaultRetryAttempts)
}

// takeToken removes the ClientToken, which belongs to the request, not to the schedule, and
// returns it.
func (in *scheduleInput) takeToken() string {
	token := deref(in.ClientToken)
	in.ClientToken = nil
	return token
}

// orDefault points *p at v when it is nil.
func orDefault[T any](p **T, v T) {
	if *p == nil {
		*p = &v
	}
}

// inputFrom returns the definition of sc as a CreateSchedule body: empty strings and zero
// times are missing members, and the flexible time window is OFF.
func inputFrom(sc Schedule) *scheduleInput {
	off := "OFF"
	return &scheduleInput{
		ActionAfterCompletion:      optional(sc.ActionAfterCompletion),
		Description:                optional(sc.Description),
		EndDate:                    toEpoch(sc.EndDate),
		FlexibleTimeWindow:         &timeWindow{Mode: &off},
		GroupName:                  optional(sc.Group),
		ScheduleExpression:         optional(sc.Expression),
		ScheduleExpressionTimezone: optional(sc.Timezone),
		StartDate:                  toEpoch(sc.StartDate),
		State:                      optional(sc.State),
		Target: &target{
			Arn:     optional(sc.Target.Arn),
			Input:   optional(sc.Target.Input),
			RoleArn: optional(sc.Target.RoleArn),
		},
	}
}

// canonical returns the request that creates the schedule name from in, as a string that is
// equal for equal requests.
func canonical(name string, in *scheduleInput) string {
	b, _ := json.Marshal(struct { // cannot fail: strings, numbers and pointers to them
		Name string
		*scheduleInput
	}{name, in})
	return string(b)
}

// optional returns nil for "", and a pointer to s otherwise.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// epoch returns t in seconds since the Unix epoch, to the millisecond.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// toEpoch returns t as epoch seconds, or nil for the zero Time.
func toEpoch(t time.Time) *float64 {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

// fromEpoch returns the time of epoch seconds, to the millisecond, or the zero Time for nil.
func fromEpoch(e *float64) time.Time {
	if e == nil {
		return time.Time{}
	}
	return time.UnixMilli(int64(math.Round(*e * 1000))).UTC()
}
