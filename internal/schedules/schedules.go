// Package schedules creates and deletes one-time EventBridge Scheduler schedules that invoke a
// function with an input (the survey N days after delivery).
package schedules

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
)

// Scheduler creates schedules in one group, targeting one function with one role.
type Scheduler struct {
	client           *scheduler.Client
	group, target    string
	role, deadLetter string
}

// New returns a scheduler. deadLetter is the ARN of the queue for invocations that failed.
func New(cfg aws.Config, group, targetArn, roleArn, deadLetter string) *Scheduler {
	return &Scheduler{client: scheduler.NewFromConfig(cfg), group: group, target: targetArn, role: roleArn, deadLetter: deadLetter}
}

// At creates a one-time schedule that invokes the target with input at the time (to the
// second, in UTC), and deletes itself after. Creating a schedule that exists is no error: the
// name (and the client token) make it idempotent.
func (s *Scheduler) At(ctx context.Context, name string, at time.Time, input []byte) error {
	in := &scheduler.CreateScheduleInput{
		Name: &name, GroupName: &s.group, ClientToken: &name,
		ScheduleExpression:         aws.String("at(" + at.UTC().Format("2006-01-02T15:04:05") + ")"),
		ScheduleExpressionTimezone: aws.String("UTC"),
		FlexibleTimeWindow:         &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		ActionAfterCompletion:      types.ActionAfterCompletionDelete,
		Target: &types.Target{
			Arn: &s.target, RoleArn: &s.role, Input: aws.String(string(input)),
			RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(5), MaximumEventAgeInSeconds: aws.Int32(86400)},
		},
	}
	if s.deadLetter != "" {
		in.Target.DeadLetterConfig = &types.DeadLetterConfig{Arn: &s.deadLetter}
	}
	_, err := s.client.CreateSchedule(ctx, in)
	var conflict *types.ConflictException
	if err != nil && !errors.As(err, &conflict) {
		return fmt.Errorf("create schedule %s: %w", name, err)
	}
	return nil
}

// Delete deletes a schedule; one that does not exist (fired, or never created) is no error.
func (s *Scheduler) Delete(ctx context.Context, name string) error {
	_, err := s.client.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: &name, GroupName: &s.group, ClientToken: aws.String("delete-" + name)})
	var nf *types.ResourceNotFoundException
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("delete schedule %s: %w", name, err)
	}
	return nil
}
