package lambdaevent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"shopmail/internal/cart"
	"shopmail/internal/deliverability"
	"shopmail/internal/dynamo"
	"shopmail/internal/email"
	"shopmail/internal/eventbridge/eventbridgetest"
	"shopmail/internal/fault"
	"shopmail/internal/lambdaevent"
	"shopmail/internal/links"
	"shopmail/internal/loyalty"
	"shopmail/internal/money"
	"shopmail/internal/order"
	"shopmail/internal/render"
	"shopmail/internal/send"
	"shopmail/internal/send/outbox"
	"shopmail/internal/survey"
	"shopmail/internal/thankyou"
	"shopmail/internal/token"
)

// noSchedules is a Scheduler that must not be called for a foreign payload.
type noSchedules struct{ calls int }

func (s *noSchedules) At(context.Context, string, time.Time, []byte) error { s.calls++; return nil }
func (s *noSchedules) Delete(context.Context, string) error                { s.calls++; return nil }

// eventFunction is one event function as its wiring builds it, with stand-ins for the AWS
// services: a table nobody answers at (a foreign payload must be refused before the store is
// asked; asking it fails the case with an error that is not ErrInvalid), an outbox for SES.
type eventFunction struct {
	h      *lambdaevent.Handler
	dead   *deadLetters
	log    *bytes.Buffer
	mailer *outbox.Outbox
	sched  *noSchedules
	// takes reports whether a sample is one the function is meant to handle (the same order
	// events go to thankyou and surveys).
	takes func(dir string, env sample) bool
}

type sample struct {
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
}

func build(t *testing.T, name string) *eventFunction {
	t.Helper()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")}
	now := func() time.Time { return time.Date(2026, 11, 22, 10, 16, 0, 0, time.UTC) }
	store := dynamo.New(dynamo.NewClient(cfg), "t", now)
	f := &eventFunction{dead: &deadLetters{}, log: &bytes.Buffer{}, mailer: &outbox.Outbox{}, sched: &noSchedules{}}
	log := slog.New(slog.NewJSONHandler(f.log, nil))
	keys, _ := token.ParseKeys(`{"current":"k1","k1":"0123456789abcdef0123456789abcdef"}`)
	brand := render.Brand{ShopName: "Tea House", ShopURL: "https://shop.example", SenderName: "Tea House", PostalAddress: "1 Leaf Street"}
	from := email.Address{Name: "Tea House", Email: "hello@shop.example"}
	ls := links.Config{BaseURL: "https://go.shop.example", Keys: keys, Tracking: time.Hour, Unsubscribe: time.Hour}
	scfg := survey.Config{Questions: []survey.Question{survey.CSAT}, AfterDelivery: time.Hour, AfterPlaced: time.Hour, Brand: brand, From: from, Links: ls}
	gate := &deliverability.Gate{Suppressions: store, States: store, Sender: from.Email, Now: now}
	own := func(fn string) func(string, sample) bool { return func(dir string, _ sample) bool { return dir == fn } }
	switch name {
	case "thankyou":
		svc, err := thankyou.New(thankyou.Settings{Config: thankyou.Config{Brand: brand, From: from, Links: ls}},
			thankyou.Deps{Store: store, Mailer: f.mailer, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		f.h = lambdaevent.ThankYou(svc, &send.Sweeper{Ledger: store, Mailer: f.mailer, Now: now}, f.dead, log)
		f.takes = func(dir string, s sample) bool { return dir == "thankyou" || s.DetailType == order.Placed }
	case "surveys":
		f.h = lambdaevent.Surveys(&survey.Planner{Config: scfg, Store: store, Scheduler: f.sched, Now: now}, f.dead, log)
		f.takes = func(dir string, s sample) bool {
			return dir == "surveys" || s.DetailType == order.Placed && (dir == "thankyou" || dir == "carts") ||
				dir == "loyalty" && (s.DetailType == order.Cancelled || s.DetailType == order.Refunded)
		}
	case "surveysend":
		f.h = lambdaevent.SurveySend(&survey.Sending{Config: scfg, Store: store, Gate: gate, Now: now,
			Sender: &send.Sender{Ledger: store, Mailer: f.mailer, Now: now}}, f.dead, log)
		f.takes = own("surveysend")
	case "loyalty":
		f.h = lambdaevent.Loyalty(&loyalty.Service{Config: loyalty.Config{Rates: map[string]money.Decimal{"USD": money.NewFromInt(1)}},
			Store: store, Contacts: store, Now: now}, nil, nil, f.dead, log)
		f.takes = func(dir string, s sample) bool {
			return dir == "loyalty" || dir == "surveys" && (s.DetailType == order.Cancelled || s.DetailType == order.Refunded)
		}
	case "carts":
		f.h = lambdaevent.Carts(&cart.Planner{Config: cart.Config{After: time.Hour}, Store: store, Scheduler: f.sched, Now: now}, f.dead, log)
		f.takes = func(dir string, s sample) bool { return dir == "carts" || s.DetailType == order.Placed }
	case "cartsend":
		f.h = lambdaevent.CartSend(&cart.Sending{Config: cart.Config{Brand: brand, From: from, Links: ls}, Store: store, Gate: gate, Now: now,
			Sender: &send.Sender{Ledger: store, Mailer: f.mailer, Now: now}}, f.dead, log)
		f.takes = own("cartsend")
	case "sesevents":
		f.h = lambdaevent.SESEvents(&deliverability.Ingest{Store: store, Publisher: &eventbridgetest.Bus{}, Policy: deliverability.DefaultPolicy, Now: now}, f.dead, log)
		f.takes = func(dir string, s sample) bool { return dir == "sesevents" || s.Source == "aws.ses" }
	}
	return f
}

// Every event function refuses every other function's sample payload (events/<fn>/*.json,
// HTTP ones included) with an error of kind ErrInvalid: dead-lettered, one log line, nothing
// sent or scheduled, never a panic.
func TestEveryFunctionRefusesOthersPayloads(t *testing.T) {
	samples, err := filepath.Glob(filepath.Join("..", "..", "events", "*", "*.json"))
	if err != nil || len(samples) < 20 {
		t.Fatalf("samples: %v %v", samples, err)
	}
	for _, fn := range []string{"thankyou", "surveys", "surveysend", "sesevents", "loyalty", "carts", "cartsend"} {
		for _, path := range samples {
			dir := filepath.Base(filepath.Dir(path))
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var s sample
			json.Unmarshal(raw, &s)
			f := build(t, fn)
			if f.takes(dir, s) {
				continue
			}
			t.Run(fn+"/"+dir+"/"+filepath.Base(path), func(t *testing.T) {
				err := handle(f.h, raw)
				if err != nil {
					t.Fatalf("Handle = %v, want the payload dead-lettered", err)
				}
				if len(f.dead.reasons) != 1 || !errors.Is(f.dead.reasons[0], fault.ErrInvalid) || f.dead.source[0] != fn {
					t.Fatalf("dead letters %v from %v, want one of kind invalid from %s", f.dead.reasons, f.dead.source, fn)
				}
				if lines := strings.Count(f.log.String(), "\n"); lines != 1 || !strings.Contains(f.log.String(), "dead-letter queue") {
					t.Errorf("%d log lines:\n%s", lines, f.log)
				}
				if f.mailer.Calls() != 0 || f.sched.calls != 0 {
					t.Errorf("%d emails, %d schedule calls", f.mailer.Calls(), f.sched.calls)
				}
			})
		}
	}
}

// handle runs Handle, turning a panic into an error, so that one crash names its case.
func handle(h *lambdaevent.Handler, raw []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return h.Handle(context.Background(), raw)
}
