package lambdaevent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"shopmail/internal/fault"
	"shopmail/internal/lambdaevent"
	"shopmail/internal/logs"
)

// deadLetters is a hand-written stand-in for the dead-letter queue.
type deadLetters struct {
	source  []string
	reasons []error
	events  [][]byte
	fail    error
}

func (d *deadLetters) Put(_ context.Context, source string, reason error, event []byte) error {
	if d.fail != nil {
		return d.fail
	}
	d.source, d.reasons, d.events = append(d.source, source), append(d.reasons, reason), append(d.events, event)
	return nil
}

// orders is a stand-in domain: it takes the decoded detail and says what it did.
type orders struct {
	got []string
	err error // what the "store" returns
}

func (o *orders) placed(_ context.Context, ev lambdaevent.Event) (lambdaevent.Result, error) {
	var d struct {
		OrderID string `json:"orderId"`
	}
	if err := json.Unmarshal(ev.Detail, &d); err != nil || d.OrderID == "" {
		return lambdaevent.Result{}, fmt.Errorf("%w order event: orderId is required", fault.ErrInvalid)
	}
	res := lambdaevent.Result{Message: "order handled", Attrs: []slog.Attr{slog.String("order_id", d.OrderID)}}
	if o.err != nil {
		return res, fmt.Errorf("record order %s: %w", d.OrderID, o.err)
	}
	o.got = append(o.got, d.OrderID)
	res.Attrs = append(res.Attrs, slog.Bool("duplicate", false))
	return res, nil
}

func (o *orders) due(_ context.Context, payload []byte) (lambdaevent.Result, error) {
	var d struct {
		OrderID string `json:"orderId"`
	}
	if err := json.Unmarshal(payload, &d); err != nil || d.OrderID == "" {
		return lambdaevent.Result{}, fmt.Errorf("%w due survey: orderId is required", fault.ErrInvalid)
	}
	o.got = append(o.got, "due "+d.OrderID)
	return lambdaevent.Result{Message: "survey due", Level: slog.LevelWarn, Attrs: []slog.Attr{slog.String("order_id", d.OrderID)}}, nil
}

func (o *orders) other(_ context.Context, ev lambdaevent.Event) (lambdaevent.Result, error) {
	o.got = append(o.got, "other "+ev.DetailType)
	return lambdaevent.Result{}, nil
}

var errStore = errors.New("ProvisionedThroughputExceededException")

func event(detailType, detail string) string {
	return `{"version":"0","id":"ev-1","detail-type":"` + detailType + `","source":"shop.orders","time":"2026-11-22T10:15:00Z","unknown":[1,2],"detail":` + detail + `}`
}

func TestHandle(t *testing.T) {
	placed := event("Order Placed", `{"orderId":"o-1","extra":true}`)
	tests := []struct {
		name    string
		payload string
		raw     bool  // a Raw route is registered
		other   bool  // an Other route is registered
		store   error // the domain's store fails
		dlq     error // the dead-letter queue fails
		// what should happen
		wantErr    error  // returned, so that Lambda retries (nil: none)
		wantDead   string // the dead letter's reason contains it ("": no dead letter)
		wantGot    string // what the domain was given
		wantLevel  string
		wantMsg    string
		wantFields map[string]any
	}{
		{name: "handled", payload: placed, wantGot: "o-1", wantLevel: "INFO", wantMsg: "order handled",
			wantFields: map[string]any{"event_id": "ev-1", "detail_type": "Order Placed", "order_id": "o-1", "duplicate": false}},
		{name: "malformed JSON", payload: `{"id":"ev-1","detail-type":"Order Placed","detail":{"orderId":`, wantDead: "invalid event: not an EventBridge event: unexpected end of JSON input",
			wantLevel: "ERROR", wantMsg: "event rejected; sent to the dead-letter queue"},
		{name: "not a JSON object", payload: `[1]`, wantDead: "not an EventBridge event: json: cannot unmarshal array",
			wantLevel: "ERROR", wantMsg: "event rejected; sent to the dead-letter queue"},
		{name: "a field of the wrong type", payload: `{"id":7,"detail-type":"Order Placed"}`, wantDead: "not an EventBridge event",
			wantLevel: "ERROR", wantMsg: "event rejected; sent to the dead-letter queue"},
		{name: "malformed JSON with a raw route", payload: `{"orderId"`, raw: true, wantDead: "not an EventBridge event nor a schedule's input",
			wantLevel: "ERROR", wantMsg: "event rejected; sent to the dead-letter queue"},
		{name: "unknown detail-type", payload: event("Order Shipped", `{"orderId":"o-1"}`), wantDead: `invalid event: detail-type "Order Shipped" is not "Order Placed"`,
			wantLevel: "ERROR", wantMsg: "event rejected; sent to the dead-letter queue",
			wantFields: map[string]any{"event_id": "ev-1", "detail_type": "Order Shipped"}},
		{name: "no detail-type and no raw route", payload: `{"orderId":"o-1"}`, wantDead: `detail-type "" is not "Order Placed"`,
			wantLevel: "ERROR", wantMsg: "event rejected; sent to the dead-letter queue"},
		{name: "a detail-type cut in the reason", payload: event(strings.Repeat("x", 300), `{}`), wantDead: `detail-type "` + strings.Repeat("x", 64) + `"... is not`,
			wantLevel: "ERROR", wantMsg: "event rejected; sent to the dead-letter queue"},
		{name: "invalid detail", payload: event("Order Placed", `{"orderId":""}`), wantDead: "invalid order event: orderId is required",
			wantLevel: "ERROR", wantMsg: "event rejected; sent to the dead-letter queue",
			wantFields: map[string]any{"event_id": "ev-1", "error": "invalid order event: orderId is required"}},
		{name: "store error is retried", payload: placed, store: errStore, wantErr: errStore,
			wantLevel: "ERROR", wantMsg: "event failed; it will be retried",
			wantFields: map[string]any{"order_id": "o-1", "error": "record order o-1: ProvisionedThroughputExceededException"}},
		{name: "dead-letter queue down is retried", payload: event("Order Placed", `{}`), dlq: errDLQ, wantErr: errDLQ,
			wantLevel: "ERROR", wantMsg: "event rejected, but the dead-letter queue is unavailable; the event will be retried",
			wantFields: map[string]any{"error": "invalid order event: orderId is required", "dead_letter_error": "queue unavailable"}},
		{name: "raw payload", payload: `{"orderId":"o-2","after":"delivery"}`, raw: true, wantGot: "due o-2", wantLevel: "WARN", wantMsg: "survey due",
			wantFields: map[string]any{"order_id": "o-2"}},
		{name: "invalid raw payload", payload: `{"after":"delivery"}`, raw: true, wantDead: "invalid due survey: orderId is required",
			wantLevel: "ERROR", wantMsg: "event rejected; sent to the dead-letter queue"},
		{name: "an event still goes to its route with a raw route", payload: placed, raw: true, wantGot: "o-1", wantLevel: "INFO", wantMsg: "order handled"},
		{name: "no detail-type goes to the other route", payload: `{"source":"aws.ses"}`, other: true, wantGot: "other ", wantLevel: "INFO", wantMsg: "event handled"},
		{name: "no detail-type goes to the raw route first", payload: `{"orderId":"o-3"}`, raw: true, other: true, wantGot: "due o-3", wantLevel: "WARN", wantMsg: "survey due"},
		{name: "other detail-types", payload: event("Email Sent", `{}`), other: true, wantGot: "other Email Sent", wantLevel: "INFO", wantMsg: "event handled",
			wantFields: map[string]any{"detail_type": "Email Sent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			dom := &orders{err: tt.store}
			dead := &deadLetters{fail: tt.dlq}
			h := &lambdaevent.Handler{Name: "thankyou", Routes: map[string]lambdaevent.Route{"Order Placed": dom.placed},
				DeadLetters: dead, Log: logs.New(&buf, "info", "TestFunction")}
			if tt.raw {
				h.Raw = dom.due
			}
			if tt.other {
				h.Other = dom.other
			}
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-7"})
			// Through Lambda's own handler machinery, as the runtime calls it.
			_, err := lambda.NewHandler(h).Invoke(ctx, []byte(tt.payload))

			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("returned %v: Lambda would retry it", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("returned %v, want %v so that Lambda retries", err, tt.wantErr)
			case err != nil && errors.Is(err, fault.ErrInvalid):
				t.Errorf("returned %v, which says invalid: nothing may take it for a refusal", err)
			}
			if got := strings.Join(dom.got, ","); got != tt.wantGot {
				t.Errorf("domain got %q, want %q", got, tt.wantGot)
			}
			switch {
			case tt.wantDead == "" && len(dead.reasons) != 0:
				t.Errorf("dead-lettered: %v", dead.reasons)
			case tt.wantDead != "" && tt.dlq == nil:
				if len(dead.reasons) != 1 || !strings.Contains(dead.reasons[0].Error(), tt.wantDead) {
					t.Fatalf("dead letters %v, want one saying %q", dead.reasons, tt.wantDead)
				}
				if !errors.Is(dead.reasons[0], fault.ErrInvalid) || dead.source[0] != "thankyou" || string(dead.events[0]) != tt.payload {
					t.Errorf("dead letter from %q of %q: %v", dead.source[0], dead.events[0], dead.reasons[0])
				}
			}

			lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want one per event:\n%s", len(lines), buf.String())
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
				t.Fatalf("log line is not JSON: %s", lines[0])
			}
			if rec["level"] != tt.wantLevel || rec["msg"] != tt.wantMsg || rec["request_id"] != "req-7" || rec["function"] != "TestFunction" {
				t.Errorf("log line = %s", lines[0])
			}
			for k, v := range tt.wantFields {
				if rec[k] != v {
					t.Errorf("log %s = %v, want %v (%s)", k, rec[k], v, lines[0])
				}
			}
			if tt.wantDead != "" && !strings.Contains(fmt.Sprint(rec["error"]), tt.wantDead) {
				t.Errorf("log line does not say why: %s", lines[0])
			}
		})
	}
}

var errDLQ = errors.New("queue unavailable")

// Without a logger the handler logs to slog's default and still decides.
func TestNoLogger(t *testing.T) {
	dead := &deadLetters{}
	h := &lambdaevent.Handler{Name: "f", DeadLetters: dead}
	if err := h.Handle(context.Background(), []byte(`{"detail-type":"x"}`)); err != nil || len(dead.reasons) != 1 ||
		!strings.Contains(dead.reasons[0].Error(), `detail-type "x" is not one this function handles`) {
		t.Errorf("err = %v, dead letters %v", err, dead.reasons)
	}
}

func TestUnknownDetailTypeNamesTheRoutes(t *testing.T) {
	dead := &deadLetters{}
	noop := func(context.Context, lambdaevent.Event) (lambdaevent.Result, error) { return lambdaevent.Result{}, nil }
	h := &lambdaevent.Handler{Name: "surveys", DeadLetters: dead, Log: slog.New(slog.DiscardHandler),
		Routes: map[string]lambdaevent.Route{"Order Placed": noop, "Order Delivered": noop}}
	if err := h.Handle(context.Background(), []byte(`{"detail-type":"Order Shipped"}`)); err != nil || len(dead.reasons) != 1 ||
		dead.reasons[0].Error() != `invalid event: detail-type "Order Shipped" is not one of "Order Delivered", "Order Placed"` {
		t.Errorf("err = %v, dead letters %v", err, dead.reasons)
	}
}

// The event's time is read only when a route asks for it: a route that does not use it is
// not refused an event for it.
func TestTime(t *testing.T) {
	tests := []struct {
		time    string // the JSON value; "" for none
		want    time.Time
		invalid bool
	}{
		{time: `"2026-11-22T10:15:00Z"`, want: time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC)},
		{time: `"2026-11-22T10:15:00.5+03:30"`, want: time.Date(2026, 11, 22, 6, 45, 0, 5e8, time.UTC)},
		{time: ""},
		{time: `null`},
		{time: `"yesterday"`, invalid: true},
		{time: `1764000000`, invalid: true},
	}
	for _, tt := range tests {
		t.Run(tt.time, func(t *testing.T) {
			var got time.Time
			var terr error
			called := false
			h := &lambdaevent.Handler{Name: "f", DeadLetters: &deadLetters{}, Log: slog.New(slog.DiscardHandler),
				Routes: map[string]lambdaevent.Route{"Order Delivered": func(_ context.Context, ev lambdaevent.Event) (lambdaevent.Result, error) {
					called = true
					got, terr = ev.Time()
					return lambdaevent.Result{}, nil
				}}}
			payload := `{"detail-type":"Order Delivered","detail":{}`
			if tt.time != "" {
				payload += `,"time":` + tt.time
			}
			if err := h.Handle(context.Background(), []byte(payload+"}")); err != nil || !called {
				t.Fatalf("Handle = %v, route called: %v", err, called)
			}
			if tt.invalid != errors.Is(terr, fault.ErrInvalid) || !got.Equal(tt.want) {
				t.Errorf("Time() = %v, %v", got, terr)
			}
		})
	}
}

// The route gets the envelope's fields and the payload as it came.
func TestEventFields(t *testing.T) {
	var got lambdaevent.Event
	h := &lambdaevent.Handler{Name: "f", DeadLetters: &deadLetters{}, Log: slog.New(slog.DiscardHandler),
		Routes: map[string]lambdaevent.Route{"Order Placed": func(_ context.Context, ev lambdaevent.Event) (lambdaevent.Result, error) {
			got = ev
			return lambdaevent.Result{}, nil
		}}}
	payload := event("Order Placed", `{"orderId":"o-1"}`)
	if err := h.Handle(context.Background(), []byte(payload)); err != nil {
		t.Fatal(err)
	}
	if got.ID != "ev-1" || got.Source != "shop.orders" || got.DetailType != "Order Placed" || string(got.Detail) != `{"orderId":"o-1"}` || string(got.Payload) != payload {
		t.Errorf("event = %+v", got)
	}
}
