package campaigns_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"shopmail/internal/campaign"
	"shopmail/internal/campaign/stored"
	"shopmail/internal/campaigns"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/email"
	"shopmail/internal/fault"
	"shopmail/internal/render"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// yalda is a campaign as a marketer writes it.
const yalda = `{
  "name": "Yalda sale",
  "segment": {"rule": {"all": [{"consent": "sales"}]}},
  "content": {
    "en": {"subject": "Yalda: 30% off tea", "preheader": "Three days only", "headline": "The longest night, the warmest tea", "body": "Brew it **strong**."},
    "fa": {"subject": "یلدا: ۳۰٪ تخفیف چای", "headline": "بلندترین شب، گرم\u200cترین چای"}
  },
  "sale": {
    "reason": {"en": "Yalda night", "fa": "شب یلدا"},
    "startsAt": "2026-12-19T00:00:00+03:30", "endsAt": "2026-12-22T00:00:00+03:30",
    "products": [{"sku": "TEA-01", "name": {"en": "Green tea", "fa": "چای سبز"}, "url": "https://shop.example/p/tea",
      "currency": "USD", "regularPrice": "30.00", "salePrice": "20.99"}]
  },
  "cta": {"label": {"en": "Shop the sale"}, "url": "https://shop.example/sale"}
}`

type fixture struct {
	svc *campaigns.Service
	st  *dynamo.Marketing
	now *time.Time
}

func newFixture(t *testing.T) fixture {
	client, table := dynamotest.NewTable(t)
	now := t0
	st := &dynamo.Marketing{Store: dynamo.New(client, table, func() time.Time { return now })}
	return fixture{st: st, now: &now, svc: &campaigns.Service{Store: st, Now: func() time.Time { return now },
		Shop: render.Brand{ShopName: "Tea House", ShopURL: "https://shop.example", SenderName: "Tea House", PostalAddress: "1 Leaf Street"},
		From: email.Address{Name: "Tea House", Email: "hello@shop.example"}}}
}

func fields(err error) map[string]string {
	var fe interface{ FieldProblems() map[string]string }
	if errors.As(err, &fe) {
		return fe.FieldProblems()
	}
	return nil
}

func TestADraftIsCreatedChangedListedAndDeleted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, err := f.svc.Create(ctx, []byte(yalda))
	if err != nil || !strings.HasPrefix(c.ID, "cmp-") || c.Status != campaign.StatusDraft || !c.CreatedAt.Equal(t0) {
		t.Fatalf("create: %+v, %v", c, err)
	}
	got, err := f.svc.Get(ctx, c.ID)
	if err != nil || got.Name != "Yalda sale" || got.Sale.Products[0].SalePrice.String() != "20.99" || got.Content["fa"].Subject != "یلدا: ۳۰٪ تخفیف چای" {
		t.Fatalf("get: %+v, %v", got, err)
	}
	patched, err := f.svc.Patch(ctx, c.ID, []byte(`{"name": "Yalda", "content": {"fa": null}, "sale": {"coupon": {"code": "YALDA30"}}}`))
	if err != nil || patched.Name != "Yalda" || len(patched.Content) != 1 || patched.Sale.Coupon == nil || patched.Sale.Products[0].SKU != "TEA-01" {
		t.Fatalf("patch: %+v, %v; want the name changed, Persian removed, a coupon added and the products kept", patched, err)
	}
	if again, _ := f.svc.Get(ctx, c.ID); again.Name != "Yalda" || again.Status != campaign.StatusDraft {
		t.Errorf("after the patch: %+v", again)
	}
	list, next, err := f.svc.List(ctx, campaign.StatusDraft, "", 10)
	if err != nil || len(list) != 1 || next != "" {
		t.Errorf("list drafts: %d, %q, %v", len(list), next, err)
	}
	if list, _, _ := f.svc.List(ctx, campaign.StatusSending, "", 10); len(list) != 0 {
		t.Errorf("list sending: %d", len(list))
	}
	if _, _, err := f.svc.List(ctx, "finished", "", 10); fields(err)["status"] == "" {
		t.Errorf("an unknown status: %v", err)
	}
	if err := f.svc.Delete(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Get(ctx, c.ID); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if err := f.svc.Delete(ctx, c.ID); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

// A campaign that is sending (or done) cannot be changed or deleted.
func TestOnlyADraftOrScheduledCampaignChanges(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, err := f.svc.Create(ctx, []byte(yalda))
	if err != nil {
		t.Fatal(err)
	}
	rec, _, _ := f.st.Campaign(ctx, c.ID)
	if err := f.st.PutCampaign(ctx, stored.Campaign{ID: rec.ID, Status: campaign.StatusSending, Doc: rec.Doc, Version: rec.Version,
		CreatedAt: rec.CreatedAt, UpdatedAt: t0}, campaign.StatusDraft); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Patch(ctx, c.ID, []byte(`{"name": "x"}`)); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("patch while sending: %v, want a conflict", err)
	}
	if err := f.svc.Delete(ctx, c.ID); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("delete while sending: %v, want a conflict", err)
	}
	// A write from a stale read loses: the version moved on.
	if err := f.st.PutCampaign(ctx, stored.Campaign{ID: rec.ID, Status: campaign.StatusDraft, Doc: rec.Doc, Version: rec.Version}, campaign.StatusDraft, campaign.StatusSending); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("a stale write: %v, want a conflict", err)
	}
}

func TestBadCampaignsNameTheirFields(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for body, field := range map[string]string{
		strings.Replace(yalda, `"name": "Yalda sale",`, `"name": "Yalda sale", "status": "sending",`, 1): "status",
		strings.Replace(yalda, `{"rule": {"all": [{"consent": "sales"}]}}`, `{"id": "seg-nope"}`, 1):     "segment.id",
		strings.Replace(yalda, `{"consent": "sales"}`, `{"consent": "spam"}`, 1):                         "segment.rule.all[0].consent",
		strings.Replace(yalda, `"salePrice": "20.99"`, `"salePrice": 20.99`, 1):                          "sale.products[0].salePrice",
		strings.Replace(yalda, `"salePrice": "20.99"`, `"salePrice": "35.00"`, 1):                        "sale.products[0].salePrice",
	} {
		_, err := f.svc.Create(ctx, []byte(body))
		if !errors.Is(err, fault.ErrInvalid) || fields(err)[field] == "" {
			t.Errorf("want %s named: %v (fields %v)", field, err, fields(err))
		}
	}
	if list, _, _ := f.svc.List(ctx, "", "", 10); len(list) != 0 {
		t.Errorf("%d campaigns stored from bad input", len(list))
	}
}

// A preview renders the campaign in the language asked for and says what would block it now.
func TestAPreviewRendersAndSaysWhatWouldBlock(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, err := f.svc.Create(ctx, []byte(yalda))
	if err != nil {
		t.Fatal(err)
	}
	*f.now = time.Date(2026, 12, 23, 0, 0, 0, 0, time.UTC) // the sale has ended
	pv, err := f.svc.Preview(ctx, c.ID, "fa")
	if err != nil || pv.Locale != "fa" || pv.Subject != "یلدا: ۳۰٪ تخفیف چای" || !strings.Contains(pv.HTML, "چای سبز") || !strings.Contains(pv.Text, "Green tea") && !strings.Contains(pv.Text, "چای سبز") {
		t.Fatalf("preview fa: %+v, %v", pv.Subject, err)
	}
	if pv.Problems["sale.endsAt"] == "" {
		t.Errorf("problems = %v, want the ended sale named", pv.Problems)
	}
	en, err := f.svc.Preview(ctx, c.ID, "")
	if err != nil || en.Locale != "en" || en.Subject != "Yalda: 30% off tea" || !strings.Contains(en.HTML, "https://shop.example/sale") {
		t.Errorf("preview en: %q %q, %v", en.Locale, en.Subject, err)
	}
}
