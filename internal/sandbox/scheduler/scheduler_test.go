package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/smithy-go"
)

const (
	region  = "eu-west-1"
	account = "123456789012"
	role    = "arn:aws:iam::123456789012:role/shopmail-scheduler"
	survey  = "arn:aws:lambda:eu-west-1:123456789012:function:shopmail-survey"
)

// fakeClock is the sandbox clock, moved by the test.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) advance(d time.Duration) { c.set(c.Now().Add(d)) }

// firing is one call of Fire.
type firing struct {
	name, input string
	at          time.Time
}

// sandbox is a Server behind an httptest server, the SDK client that talks to it, its clock
// and the firings it made.
type sandbox struct {
	server *Server
	client *sdk.Client
	clock  *fakeClock
	t      *testing.T

	mu     sync.Mutex
	firing []firing
}

// newSandbox starts a sandbox whose clock reads start.
func newSandbox(t *testing.T, start time.Time) *sandbox {
	t.Helper()
	sb := &sandbox{clock: &fakeClock{now: start}, t: t}
	sb.server = New(Options{Clock: sb.clock, Fire: sb.fire, Region: region, AccountID: account})
	hs := httptest.NewServer(sb.server)
	t.Cleanup(hs.Close)
	sb.client = sdk.New(sdk.Options{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSANDBOX", "sandbox-secret", ""),
		BaseEndpoint: aws.String(hs.URL),
		HTTPClient:   hs.Client(),
		Retryer:      aws.NopRetryer{},
	})
	return sb
}

func (sb *sandbox) fire(_ context.Context, s Schedule, at time.Time) error {
	if !s.Next.Equal(at) {
		sb.t.Errorf("Fire(%s, %s): the schedule's Next is %s", s.Name, at, s.Next)
	}
	sb.mu.Lock()
	defer sb.mu.Unlock()
	sb.firing = append(sb.firing, firing{s.Name, s.Target.Input, at})
	return nil
}

// fired returns the firings so far and forgets them.
func (sb *sandbox) fired() []firing {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	f := sb.firing
	sb.firing = nil
	return f
}

// tick runs Tick and checks how many schedules it fired.
func (sb *sandbox) tick(want int) []firing {
	sb.t.Helper()
	if got := sb.server.Tick(context.Background()); got != want {
		sb.t.Fatalf("Tick at %s fired %d, want %d", sb.clock.Now(), got, want)
	}
	return sb.fired()
}

// create calls CreateSchedule and fails the test on an error.
func (sb *sandbox) create(in *sdk.CreateScheduleInput) string {
	sb.t.Helper()
	out, err := sb.client.CreateSchedule(context.Background(), in)
	if err != nil {
		sb.t.Fatalf("CreateSchedule(%s): %v", aws.ToString(in.Name), err)
	}
	return aws.ToString(out.ScheduleArn)
}

// schedule returns a valid CreateSchedule input, with only the required members set.
func schedule(name, expr string) *sdk.CreateScheduleInput {
	return &sdk.CreateScheduleInput{
		Name:               aws.String(name),
		ScheduleExpression: aws.String(expr),
		FlexibleTimeWindow: &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		Target:             &types.Target{Arn: aws.String(survey), RoleArn: aws.String(role), Input: aws.String(`{"name":"` + name + `"}`)},
	}
}

// checkAPIError checks that err is the service error code with the HTTP status, whose
// message contains want.
func checkAPIError(t *testing.T, err error, code string, status int, want string) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if api.ErrorCode() != code || !strings.Contains(api.ErrorMessage(), want) {
		t.Errorf("error = %s: %q, want %s containing %q", api.ErrorCode(), api.ErrorMessage(), code, want)
	}
	var resp *awshttp.ResponseError
	if !errors.As(err, &resp) || resp.HTTPStatusCode() != status {
		t.Errorf("HTTP status of %v, want %d", err, status)
	}
}

// TestCreateGetDeleteRoundTrip sets every member the sandbox keeps and reads them back.
func TestCreateGetDeleteRoundTrip(t *testing.T) {
	now := utc("2026-05-01T06:00:00Z")
	sb := newSandbox(t, now)
	ctx := context.Background()
	start, end := utc("2026-05-04T00:00:00Z"), utc("2026-06-01T00:00:00.5Z")
	in := &sdk.CreateScheduleInput{
		Name:                       aws.String("survey-o-1001"),
		GroupName:                  aws.String("surveys"),
		Description:                aws.String("CSAT survey, 3 days after delivery"),
		ScheduleExpression:         aws.String("cron(0 9 ? * MON-FRI *)"),
		ScheduleExpressionTimezone: aws.String("Asia/Tehran"),
		StartDate:                  &start,
		EndDate:                    &end,
		State:                      types.ScheduleStateEnabled,
		ActionAfterCompletion:      types.ActionAfterCompletionDelete,
		ClientToken:                aws.String("delivery-o-1001"),
		KmsKeyArn:                  aws.String("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab"),
		FlexibleTimeWindow:         &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeFlexible, MaximumWindowInMinutes: aws.Int32(15)},
		Target: &types.Target{
			Arn:              aws.String(survey),
			RoleArn:          aws.String(role),
			Input:            aws.String(`{"orderId":"o-1001"}`),
			RetryPolicy:      &types.RetryPolicy{MaximumEventAgeInSeconds: aws.Int32(3600), MaximumRetryAttempts: aws.Int32(3)},
			DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:eu-west-1:123456789012:shopmail-dlq")},
		},
	}
	arn := sb.create(in)
	if want := "arn:aws:scheduler:eu-west-1:123456789012:schedule/surveys/survey-o-1001"; arn != want {
		t.Errorf("ScheduleArn = %s, want %s", arn, want)
	}

	got, err := sb.client.GetSchedule(ctx, &sdk.GetScheduleInput{Name: in.Name, GroupName: in.GroupName})
	if err != nil {
		t.Fatal(err)
	}
	check := func(member string, got, want any) {
		t.Helper()
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Errorf("%s = %s, want %s", member, g, w)
		}
	}
	check("Arn", got.Arn, arn)
	check("Name", got.Name, in.Name)
	check("GroupName", got.GroupName, in.GroupName)
	check("Description", got.Description, in.Description)
	check("ScheduleExpression", got.ScheduleExpression, in.ScheduleExpression)
	check("ScheduleExpressionTimezone", got.ScheduleExpressionTimezone, in.ScheduleExpressionTimezone)
	check("StartDate", got.StartDate, in.StartDate)
	check("EndDate", got.EndDate, in.EndDate)
	check("State", got.State, in.State)
	check("ActionAfterCompletion", got.ActionAfterCompletion, in.ActionAfterCompletion)
	check("KmsKeyArn", got.KmsKeyArn, in.KmsKeyArn)
	check("FlexibleTimeWindow", got.FlexibleTimeWindow, in.FlexibleTimeWindow)
	check("Target", got.Target, in.Target)
	check("CreationDate", got.CreationDate, now)
	check("LastModificationDate", got.LastModificationDate, now)

	// The first weekday at 09:00 in Tehran (UTC+3:30) on or after StartDate, a Monday.
	list := sb.server.List()
	if len(list) != 1 || !list[0].Next.Equal(utc("2026-05-04T05:30:00Z")) || !list[0].Recurring {
		t.Errorf("List() = %+v, want one recurring schedule next at 2026-05-04T05:30:00Z", list)
	}

	if _, err := sb.client.DeleteSchedule(ctx, &sdk.DeleteScheduleInput{Name: in.Name, GroupName: in.GroupName}); err != nil {
		t.Fatal(err)
	}
	_, err = sb.client.GetSchedule(ctx, &sdk.GetScheduleInput{Name: in.Name, GroupName: in.GroupName})
	checkAPIError(t, err, "ResourceNotFoundException", http.StatusNotFound, "survey-o-1001")
	if list := sb.server.List(); len(list) != 0 {
		t.Errorf("List() after delete = %+v", list)
	}
}

// TestGetReportsDefaults checks what GetSchedule says of the members a request left out.
func TestGetReportsDefaults(t *testing.T) {
	sb := newSandbox(t, utc("2026-05-01T06:00:00Z"))
	sb.create(schedule("sweep", "rate(1 day)"))
	got, err := sb.client.GetSchedule(context.Background(), &sdk.GetScheduleInput{Name: aws.String("sweep")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.GroupName) != "default" || got.State != types.ScheduleStateEnabled ||
		got.ActionAfterCompletion != types.ActionAfterCompletionNone || aws.ToString(got.ScheduleExpressionTimezone) != "UTC" ||
		aws.ToInt32(got.Target.RetryPolicy.MaximumEventAgeInSeconds) != 86400 || aws.ToInt32(got.Target.RetryPolicy.MaximumRetryAttempts) != 185 ||
		got.StartDate != nil || got.EndDate != nil || got.Description != nil {
		t.Errorf("GetSchedule = %s", mustJSON(t, got))
	}
}

// mustJSON returns v as JSON, to compare SDK values member by member.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCreateDuplicateNameIsConflict checks that a name is taken within its group: the SDK
// gives each call its own ClientToken, so the second call is a new request.
func TestCreateDuplicateNameIsConflict(t *testing.T) {
	sb := newSandbox(t, utc("2026-05-01T06:00:00Z"))
	sb.create(schedule("survey-o-1001", "at(2026-05-04T09:00:00)"))
	_, err := sb.client.CreateSchedule(context.Background(), schedule("survey-o-1001", "at(2026-05-04T09:00:00)"))
	checkAPIError(t, err, "ConflictException", http.StatusConflict, "survey-o-1001")
	var typed *types.ConflictException
	if !errors.As(err, &typed) {
		t.Errorf("error %T is not a *types.ConflictException", err)
	}

	other := schedule("survey-o-1001", "at(2026-05-04T09:00:00)")
	other.GroupName = aws.String("surveys")
	sb.create(other)
	if n := len(sb.server.List()); n != 2 {
		t.Errorf("%d schedules, want 2: one per group", n)
	}
}

// TestCreateRetriedWithSameClientToken checks that a CreateSchedule sent again with its
// ClientToken and the same input (as the SDK's retries do) succeeds without a second
// schedule, and that the token does not let a different request through.
func TestCreateRetriedWithSameClientToken(t *testing.T) {
	sb := newSandbox(t, utc("2026-05-01T06:00:00Z"))
	ctx := context.Background()
	in := schedule("survey-o-1001", "at(2026-05-04T09:00:00)")
	in.ClientToken = aws.String("delivered-o-1001")
	first := sb.create(in)
	if again := sb.create(in); again != first {
		t.Errorf("retry answered %s, want %s", again, first)
	}
	out, err := sb.client.ListSchedules(ctx, &sdk.ListSchedulesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Schedules) != 1 {
		t.Errorf("ListSchedules has %d schedules, want 1", len(out.Schedules))
	}

	changed := schedule("survey-o-1001", "at(2026-05-05T09:00:00)")
	changed.ClientToken = in.ClientToken
	_, err = sb.client.CreateSchedule(ctx, changed)
	checkAPIError(t, err, "ConflictException", http.StatusConflict, "already exists")
}

// TestNotFound checks the operations on a schedule that does not exist.
func TestNotFound(t *testing.T) {
	sb := newSandbox(t, utc("2026-05-01T06:00:00Z"))
	ctx := context.Background()
	sb.create(schedule("survey-o-1001", "at(2026-05-04T09:00:00)"))
	name := aws.String("survey-o-404")
	_, err := sb.client.GetSchedule(ctx, &sdk.GetScheduleInput{Name: name})
	checkAPIError(t, err, "ResourceNotFoundException", http.StatusNotFound, "survey-o-404")
	_, err = sb.client.DeleteSchedule(ctx, &sdk.DeleteScheduleInput{Name: name})
	checkAPIError(t, err, "ResourceNotFoundException", http.StatusNotFound, "survey-o-404")
	var typed *types.ResourceNotFoundException
	if !errors.As(err, &typed) {
		t.Errorf("error %T is not a *types.ResourceNotFoundException", err)
	}
	up := schedule("survey-o-404", "rate(1 day)")
	_, err = sb.client.UpdateSchedule(ctx, &sdk.UpdateScheduleInput{Name: up.Name, ScheduleExpression: up.ScheduleExpression,
		FlexibleTimeWindow: up.FlexibleTimeWindow, Target: up.Target})
	checkAPIError(t, err, "ResourceNotFoundException", http.StatusNotFound, "survey-o-404")
	// The name exists, but not in that group.
	_, err = sb.client.DeleteSchedule(ctx, &sdk.DeleteScheduleInput{Name: aws.String("survey-o-1001"), GroupName: aws.String("other")})
	checkAPIError(t, err, "ResourceNotFoundException", http.StatusNotFound, "survey-o-1001")
}

// TestValidationErrors checks that CreateSchedule rejects what AWS rejects, with a
// ValidationException that says what is wrong, and creates nothing.
func TestValidationErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(in *sdk.CreateScheduleInput)
		want   string
	}{
		{"cron with both day fields", func(in *sdk.CreateScheduleInput) { in.ScheduleExpression = aws.String("cron(0 10 * * * *)") },
			"Invalid Schedule Expression cron(0 10 * * * *): day-of-month and day-of-week cannot both be set"},
		{"cron hour out of range", func(in *sdk.CreateScheduleInput) { in.ScheduleExpression = aws.String("cron(0 24 * * ? *)") },
			`hours: "24" is not a value from 0 to 23`},
		{"rate plural for 1", func(in *sdk.CreateScheduleInput) { in.ScheduleExpression = aws.String("rate(1 hours)") },
			"singular for 1"},
		{"at without seconds", func(in *sdk.CreateScheduleInput) { in.ScheduleExpression = aws.String("at(2026-05-04T09:00)") },
			"yyyy-mm-ddThh:mm:ss"},
		{"not an expression", func(in *sdk.CreateScheduleInput) { in.ScheduleExpression = aws.String("every day") },
			"must be at("},
		{"expression too long", func(in *sdk.CreateScheduleInput) {
			in.ScheduleExpression = aws.String("cron(0 0 1,2,3,4,5,6,7,8,9" + strings.Repeat(",1", 120) + " * ? *)")
		}, "at 'scheduleExpression' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"unknown time zone", func(in *sdk.CreateScheduleInput) { in.ScheduleExpressionTimezone = aws.String("Mars/Olympus_Mons") },
			"Invalid ScheduleExpressionTimezone Mars/Olympus_Mons"},
		{"Local is no IANA zone", func(in *sdk.CreateScheduleInput) { in.ScheduleExpressionTimezone = aws.String("Local") },
			"Invalid ScheduleExpressionTimezone Local"},
		{"empty target ARN", func(in *sdk.CreateScheduleInput) { in.Target.Arn = aws.String("") },
			"Value '' at 'target.arn' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"empty role ARN", func(in *sdk.CreateScheduleInput) { in.Target.RoleArn = aws.String("") },
			"at 'target.roleArn' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"role ARN not of a role", func(in *sdk.CreateScheduleInput) {
			in.Target.RoleArn = aws.String("arn:aws:iam::123456789012:user/sara")
		},
			"Value 'arn:aws:iam::123456789012:user/sara' at 'target.roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"empty input", func(in *sdk.CreateScheduleInput) { in.Target.Input = aws.String("") }, "'target.input'"},
		{"name with a space", func(in *sdk.CreateScheduleInput) { in.Name = aws.String("survey o-1001") },
			"Value 'survey o-1001' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"name of 65 characters", func(in *sdk.CreateScheduleInput) { in.Name = aws.String(strings.Repeat("n", 65)) },
			"at 'name' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"group with a slash", func(in *sdk.CreateScheduleInput) { in.GroupName = aws.String("a/b") }, "at 'groupName'"},
		{"unknown state", func(in *sdk.CreateScheduleInput) { in.State = "PAUSED" },
			"Value 'PAUSED' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]"},
		{"unknown action", func(in *sdk.CreateScheduleInput) { in.ActionAfterCompletion = "ARCHIVE" }, "at 'actionAfterCompletion'"},
		{"unknown window mode", func(in *sdk.CreateScheduleInput) { in.FlexibleTimeWindow.Mode = "SOMETIMES" }, "at 'flexibleTimeWindow.mode'"},
		{"window of 0 minutes", func(in *sdk.CreateScheduleInput) {
			in.FlexibleTimeWindow = &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeFlexible, MaximumWindowInMinutes: aws.Int32(0)}
		}, "Value '0' at 'flexibleTimeWindow.maximumWindowInMinutes' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"too many retries", func(in *sdk.CreateScheduleInput) {
			in.Target.RetryPolicy = &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(186)}
		}, "Member must have value less than or equal to 185"},
		{"dead-letter queue that is no queue", func(in *sdk.CreateScheduleInput) {
			in.Target.DeadLetterConfig = &types.DeadLetterConfig{Arn: aws.String(survey)}
		}, "at 'target.deadLetterConfig.arn'"},
		{"bad client token", func(in *sdk.CreateScheduleInput) { in.ClientToken = aws.String("a b") }, "at 'clientToken'"},
		{"two violations at once", func(in *sdk.CreateScheduleInput) { in.Target.Arn, in.Target.RoleArn = aws.String(""), aws.String("") },
			"2 validation errors detected: "},
	}
	sb := newSandbox(t, utc("2026-05-01T06:00:00Z"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := schedule("survey-o-1001", "at(2026-05-04T09:00:00)")
			tt.change(in)
			_, err := sb.client.CreateSchedule(context.Background(), in)
			checkAPIError(t, err, "ValidationException", http.StatusBadRequest, tt.want)
			var typed *types.ValidationException
			if !errors.As(err, &typed) {
				t.Errorf("error %T is not a *types.ValidationException", err)
			}
		})
	}
	if list := sb.server.List(); len(list) != 0 {
		t.Errorf("invalid requests created %+v", list)
	}
}

// TestErrorWireShape checks an error answer byte for byte where the SDK reads it: the status,
// the X-Amzn-ErrorType header and the {"Message": ...} body; and that a request for an
// operation the sandbox does not serve gets an error of the same shape.
func TestErrorWireShape(t *testing.T) {
	sb := newSandbox(t, utc("2026-05-01T06:00:00Z"))
	for _, tt := range []struct {
		method, path string
		status       int
		code         string
	}{
		{http.MethodGet, "/schedules/missing?groupName=default", http.StatusNotFound, "ResourceNotFoundException"},
		{http.MethodPost, "/schedules/x", http.StatusBadRequest, "ValidationException"},
		{http.MethodGet, "/schedules?MaxResults=0", http.StatusBadRequest, "ValidationException"},
		{http.MethodGet, "/schedules?NextToken=%21%21", http.StatusBadRequest, "ValidationException"},
		{http.MethodGet, "/schedule-groups", http.StatusNotFound, "UnknownOperationException"},
	} {
		req := httptest.NewRequest(tt.method, tt.path, strings.NewReader("{"))
		rec := httptest.NewRecorder()
		sb.server.ServeHTTP(rec, req)
		var body map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Errorf("%s %s: body %q: %v", tt.method, tt.path, rec.Body, err)
		}
		if rec.Code != tt.status || rec.Header().Get("X-Amzn-ErrorType") != tt.code ||
			rec.Header().Get("Content-Type") != "application/json" || body["Message"] == "" || len(body) != 1 {
			t.Errorf("%s %s = %d %v %s, want %d with X-Amzn-ErrorType %s and a Message",
				tt.method, tt.path, rec.Code, rec.Header(), rec.Body, tt.status, tt.code)
		}
	}
}

// TestAtFiresOnceWhenClockPassesIt checks a one-time schedule in a time zone: not before its
// time, exactly once after it, and kept, completed, when ActionAfterCompletion is NONE.
func TestAtFiresOnceWhenClockPassesIt(t *testing.T) {
	sb := newSandbox(t, utc("2026-05-01T06:00:00Z"))
	in := schedule("survey-o-1001", "at(2026-05-01T10:00:00)")
	in.ScheduleExpressionTimezone = aws.String("Asia/Tehran") // UTC+3:30: 06:30Z
	in.Target.Input = aws.String(`{"orderId":"o-1001"}`)
	sb.create(in)

	sb.tick(0)
	sb.clock.set(utc("2026-05-01T06:29:59Z"))
	sb.tick(0)
	sb.clock.set(utc("2026-05-01T06:31:00Z"))
	got := sb.tick(1)
	if want := (firing{"survey-o-1001", `{"orderId":"o-1001"}`, utc("2026-05-01T06:30:00Z")}); got[0] != want {
		t.Errorf("fired %+v, want %+v", got[0], want)
	}
	sb.tick(0)
	sb.clock.advance(30 * 24 * time.Hour)
	sb.tick(0)

	list := sb.server.List()
	if len(list) != 1 || !list[0].Next.IsZero() || len(list[0].Fired) != 1 || list[0].Recurring {
		t.Errorf("List() = %+v, want the completed schedule with one firing", list)
	}
	if _, err := sb.client.GetSchedule(context.Background(), &sdk.GetScheduleInput{Name: in.Name}); err != nil {
		t.Errorf("GetSchedule after completion: %v", err)
	}
}

// TestAtInThePastFiresAtNextTick checks a one-time schedule created for a time already past.
func TestAtInThePastFiresAtNextTick(t *testing.T) {
	sb := newSandbox(t, utc("2026-05-01T06:00:00Z"))
	sb.create(schedule("late", "at(2026-04-30T00:00:00)"))
	if got := sb.tick(1); !got[0].at.Equal(utc("2026-04-30T00:00:00Z")) {
		t.Errorf("fired at %s", got[0].at)
	}
}

// TestRateFiresTheLatestMissedOccurrence checks that a jump of the clock fires a recurring
// schedule once, for its latest occurrence due, skipping the earlier ones, and that the firings
// of several schedules come in time order. A rate schedule without StartDate fires first when it
// is created (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#rate-based).
func TestRateFiresTheLatestMissedOccurrence(t *testing.T) {
	t0 := utc("2026-05-01T06:00:00Z")
	sb := newSandbox(t, t0)
	sb.create(schedule("a-hourly", "rate(1 hour)"))
	sb.create(schedule("b-every-100", "rate(100 minutes)"))
	got := sb.tick(2)
	if got[0].name != "a-hourly" || got[1].name != "b-every-100" || !got[0].at.Equal(t0) || !got[1].at.Equal(t0) {
		t.Errorf("first Tick fired %+v, want both at creation, in name order", got)
	}

	sb.clock.advance(3*time.Hour + 30*time.Minute)
	got = sb.tick(2)
	want := []firing{
		{"a-hourly", `{"name":"a-hourly"}`, t0.Add(3 * time.Hour)},
		{"b-every-100", `{"name":"b-every-100"}`, t0.Add(200 * time.Minute)},
	}
	if !slices.Equal(got, want) {
		t.Errorf("after a 3.5 hour jump fired\n%+v\nwant\n%+v", got, want)
	}
	sb.tick(0)
	list := sb.server.List()
	if len(list) != 2 || !list[0].Next.Equal(t0.Add(4*time.Hour)) || len(list[0].Fired) != 2 || list[0].Name != "a-hourly" {
		t.Errorf("List() = %+v, want a-hourly next at 4 hours, after 2 firings", list)
	}
}

// A clock moved a week ahead fires rate(1 minute) once, not 10,080 times, and the schedule goes
// on from there.
func TestCatchUpFiresOnce(t *testing.T) {
	t0 := utc("2026-05-01T06:00:00Z")
	sb := newSandbox(t, t0)
	sb.create(schedule("minutely", "rate(1 minute)"))
	sb.tick(1)
	sb.clock.advance(7 * 24 * time.Hour)
	end := t0.Add(7 * 24 * time.Hour)
	if got := sb.tick(1); !got[0].at.Equal(end) {
		t.Errorf("fired at %s, want %s", got[0].at, end)
	}
	if list := sb.server.List(); !list[0].Next.Equal(end.Add(time.Minute)) {
		t.Errorf("next = %s", list[0].Next)
	}
}

// TestRateStartDateAndEndDate checks that a recurring schedule fires from StartDate on, only
// before EndDate, and is deleted after its last firing when ActionAfterCompletion is DELETE.
func TestRateStartDateAndEndDate(t *testing.T) {
	t0 := utc("2026-05-01T06:00:00Z")
	sb := newSandbox(t, t0)
	in := schedule("reminders", "rate(1 day)")
	start, end := t0.Add(24*time.Hour), t0.Add(72*time.Hour)
	in.StartDate, in.EndDate, in.ActionAfterCompletion = &start, &end, types.ActionAfterCompletionDelete
	sb.create(in)
	sb.tick(0)
	sb.clock.advance(10 * 24 * time.Hour)
	got := sb.tick(1) // the latest due, a day after StartDate; the next is at EndDate, not before it
	if !got[0].at.Equal(start.Add(24 * time.Hour)) {
		t.Errorf("fired %+v", got)
	}
	if list := sb.server.List(); len(list) != 0 {
		t.Errorf("List() = %+v, want the completed schedule deleted", list)
	}
}

// TestCronAcrossDaylightSaving checks, end to end, a daily cron() in America/New_York over the
// start of daylight saving time on 8 March 2026, when 02:30 does not happen.
func TestCronAcrossDaylightSaving(t *testing.T) {
	sb := newSandbox(t, utc("2026-03-06T12:00:00Z"))
	in := schedule("nightly", "cron(30 2 * * ? *)")
	in.ScheduleExpressionTimezone = aws.String("America/New_York")
	sb.create(in)
	var at []time.Time
	for day, firings := range []int{1, 0, 1, 1} { // 7 to 10 March, at noon
		sb.clock.set(utc("2026-03-07T12:00:00Z").Add(time.Duration(day) * 24 * time.Hour))
		for _, f := range sb.tick(firings) {
			at = append(at, f.at)
		}
	}
	checkTimes(t, at, "2026-03-07T07:30:00Z", "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z")
}

// TestDisabledNeverFires checks that a DISABLED schedule does not fire, however far the clock
// moves, and fires once enabled again with UpdateSchedule.
func TestDisabledNeverFires(t *testing.T) {
	sb := newSandbox(t, utc("2026-05-01T06:00:00Z"))
	ctx := context.Background()
	once := schedule("paused-campaign", "at(2026-05-02T09:00:00)")
	once.State = types.ScheduleStateDisabled
	sb.create(once)
	daily := schedule("paused-sweep", "cron(0 6 * * ? *)")
	daily.State = types.ScheduleStateDisabled
	sb.create(daily)

	sb.clock.advance(60 * 24 * time.Hour)
	sb.tick(0)
	got, err := sb.client.GetSchedule(ctx, &sdk.GetScheduleInput{Name: once.Name})
	if err != nil || got.State != types.ScheduleStateDisabled {
		t.Fatalf("GetSchedule = %v, %v; want it DISABLED", got, err)
	}

	_, err = sb.client.UpdateSchedule(ctx, &sdk.UpdateScheduleInput{Name: once.Name, ScheduleExpression: once.ScheduleExpression,
		FlexibleTimeWindow: once.FlexibleTimeWindow, Target: once.Target, State: types.ScheduleStateEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if fired := sb.tick(1); fired[0].name != "paused-campaign" {
		t.Errorf("fired %+v", fired)
	}
}

// TestActionAfterCompletionDelete checks that a one-time schedule with ActionAfterCompletion
// DELETE fires once and is gone.
func TestActionAfterCompletionDelete(t *testing.T) {
	sb := newSandbox(t, utc("2026-05-01T06:00:00Z"))
	in := schedule("survey-o-1001", "at(2026-05-04T09:00:00)")
	in.ActionAfterCompletion = types.ActionAfterCompletionDelete
	sb.create(in)
	sb.clock.set(utc("2026-05-04T09:00:00Z"))
	sb.tick(1)
	_, err := sb.client.GetSchedule(context.Background(), &sdk.GetScheduleInput{Name: in.Name})
	checkAPIError(t, err, "ResourceNotFoundException", http.StatusNotFound, "survey-o-1001")
	if list := sb.server.List(); len(list) != 0 {
		t.Errorf("List() = %+v", list)
	}
	sb.create(in) // the name is free again
}

// TestUpdateReplacesDefinition checks that UpdateSchedule replaces the whole definition and
// keeps the creation date.
func TestUpdateReplacesDefinition(t *testing.T) {
	t0 := utc("2026-05-01T06:00:00Z")
	sb := newSandbox(t, t0)
	ctx := context.Background()
	in := schedule("campaign-spring", "at(2026-05-10T09:00:00)")
	in.Description = aws.String("spring sale")
	sb.create(in)
	sb.clock.advance(time.Hour)
	_, err := sb.client.UpdateSchedule(ctx, &sdk.UpdateScheduleInput{Name: in.Name, ScheduleExpression: aws.String("at(2026-05-03T09:00:00)"),
		FlexibleTimeWindow: in.FlexibleTimeWindow, Target: in.Target})
	if err != nil {
		t.Fatal(err)
	}
	got, err := sb.client.GetSchedule(ctx, &sdk.GetScheduleInput{Name: in.Name})
	if err != nil {
		t.Fatal(err)
	}
	if got.Description != nil || aws.ToString(got.ScheduleExpression) != "at(2026-05-03T09:00:00)" ||
		!got.CreationDate.Equal(t0) || !got.LastModificationDate.Equal(t0.Add(time.Hour)) {
		t.Errorf("GetSchedule after update = %s", mustJSON(t, got))
	}
	if list := sb.server.List(); !list[0].Next.Equal(utc("2026-05-03T09:00:00Z")) {
		t.Errorf("Next = %s, want the new time", list[0].Next)
	}
}

// TestListSchedules checks ListSchedules' filters and pages through the SDK's paginator.
func TestListSchedules(t *testing.T) {
	sb := newSandbox(t, utc("2026-05-01T06:00:00Z"))
	ctx := context.Background()
	for _, name := range []string{"survey-b", "survey-a", "sweep"} {
		sb.create(schedule(name, "rate(1 day)"))
	}
	off := schedule("survey-c", "rate(1 day)")
	off.State, off.GroupName = types.ScheduleStateDisabled, aws.String("campaigns")
	sb.create(off)

	var names []string
	pages := sdk.NewListSchedulesPaginator(sb.client, &sdk.ListSchedulesInput{MaxResults: aws.Int32(1)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Schedules {
			names = append(names, aws.ToString(s.GroupName)+"/"+aws.ToString(s.Name))
			if aws.ToString(s.Target.Arn) != survey || s.CreationDate == nil || !strings.HasSuffix(aws.ToString(s.Arn), aws.ToString(s.Name)) {
				t.Errorf("summary %s", mustJSON(t, s))
			}
		}
	}
	if want := []string{"campaigns/survey-c", "default/survey-a", "default/survey-b", "default/sweep"}; !slices.Equal(names, want) {
		t.Errorf("paged names = %v, want %v", names, want)
	}

	out, err := sb.client.ListSchedules(ctx, &sdk.ListSchedulesInput{NamePrefix: aws.String("survey"), State: types.ScheduleStateEnabled, GroupName: aws.String("default")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Schedules) != 2 || out.NextToken != nil {
		t.Errorf("filtered list = %s", mustJSON(t, out.Schedules))
	}
}

// TestPut checks the schedules that the sandbox declares from template.yaml: they are
// checked, listed, fired and readable through the API.
func TestPut(t *testing.T) {
	sb := newSandbox(t, utc("2026-05-01T06:00:00Z"))
	err := sb.server.Put(Schedule{Name: "daily-sweep", Expression: "cron(0 8 * * ? *)", Timezone: "Asia/Tehran",
		Target: Target{Arn: "arn:aws:lambda:eu-west-1:123456789012:function:shopmail-sweep"}})
	if err != nil {
		t.Fatal(err)
	}
	list := sb.server.List()
	if len(list) != 1 || list[0].Group != "default" || list[0].State != StateEnabled || !list[0].Recurring ||
		!list[0].Next.Equal(utc("2026-05-02T04:30:00Z")) || !list[0].CreatedAt.Equal(utc("2026-05-01T06:00:00Z")) {
		t.Errorf("List() = %+v", list)
	}
	if _, err := sb.client.GetSchedule(context.Background(), &sdk.GetScheduleInput{Name: aws.String("daily-sweep")}); err != nil {
		t.Errorf("GetSchedule: %v", err)
	}
	sb.clock.advance(48 * time.Hour)
	if got := sb.tick(1); !got[0].at.Equal(utc("2026-05-03T04:30:00Z")) { // the latest of two missed
		t.Errorf("fired %+v", got)
	}

	for _, bad := range []Schedule{
		{Name: "no-target", Expression: "rate(1 day)"},
		{Name: "bad-expression", Expression: "rate(1 days)", Target: Target{Arn: survey}},
		{Name: "bad zone", Expression: "rate(1 day)", Target: Target{Arn: survey}},
		{Name: "bad-zone", Expression: "rate(1 day)", Timezone: "Nowhere/Else", Target: Target{Arn: survey}},
	} {
		if err := sb.server.Put(bad); err == nil || !strings.Contains(err.Error(), "ValidationException") {
			t.Errorf("Put(%+v) = %v, want a ValidationException", bad, err)
		}
	}
}

// TestTickStopsWhenContextEnds checks that Tick fires nothing once its context is done.
func TestTickStopsWhenContextEnds(t *testing.T) {
	sb := newSandbox(t, utc("2026-05-01T06:00:00Z"))
	sb.create(schedule("a", "rate(1 minute)"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if n := sb.server.Tick(ctx); n != 0 {
		t.Errorf("Tick with a done context fired %d", n)
	}
}
