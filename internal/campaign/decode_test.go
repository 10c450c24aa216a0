//lint:file-ignore ST1018 Persian writes the zero-width non-joiner (half-space) inside words; escaping it would make the text unreadable.

package campaign_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"shopmail/internal/campaign"
	"shopmail/internal/fault"
	"shopmail/internal/money"
)

// sample is a campaign as a marketer writes it, with every field.
const sample = `{
  "name": "Yalda sale",
  "topic": "sales",
  "segment": {"rule": {"all": [{"consent": "sales"}]}},
  "content": {
    "en": {"subject": "Yalda: 30% off tea", "preheader": "Three days only", "headline": "The longest night, the warmest tea", "body": "Brew it **strong**. [Our guide](https://shop.example/guide)"},
    "fa": {"subject": "یلدا: ۳۰٪ تخفیف چای", "headline": "بلندترین شب، گرم‌ترین چای", "body": "[راهنما](https://shop.example/fa/guide)"}
  },
  "sale": {
    "reason": {"en": "Yalda night", "fa": "شب یلدا"},
    "startsAt": "2026-12-19T00:00:00+03:30",
    "endsAt": "2026-12-22T00:00:00+03:30",
    "products": [
      {"sku": "TEA-01", "name": {"en": "Green tea", "fa": "چای سبز"}, "url": "https://shop.example/p/tea", "imageUrl": "https://shop.example/i/tea.jpg",
       "currency": "USD", "regularPrice": "30.00", "salePrice": "20.99", "freeGift": {"name": {"en": "Tea strainer", "fa": "صافی چای"}, "value": "4.50"}},
      {"name": {"en": "Teapot"}, "currency": "USD", "regularPrice": "80", "salePrice": "60"}
    ],
    "coupon": {"code": "YALDA30"}
  },
  "cta": {"label": {"en": "Shop the sale", "fa": "خرید از حراج"}, "url": "https://shop.example/sale"}
}`

func decodeSample(t *testing.T) campaign.Campaign {
	t.Helper()
	c, err := campaign.Decode([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDecode(t *testing.T) {
	c := decodeSample(t)
	tehran := time.FixedZone("", 3*3600+1800)
	want := campaign.Campaign{
		Name:    "Yalda sale",
		Topic:   "sales",
		Segment: campaign.SegmentRef{Rule: json.RawMessage(`{"all": [{"consent": "sales"}]}`)},
		Content: map[string]campaign.Content{
			"en": {Subject: "Yalda: 30% off tea", Preheader: "Three days only", Headline: "The longest night, the warmest tea", Body: "Brew it **strong**. [Our guide](https://shop.example/guide)"},
			"fa": {Subject: "یلدا: ۳۰٪ تخفیف چای", Headline: "بلندترین شب، گرم‌ترین چای", Body: "[راهنما](https://shop.example/fa/guide)"},
		},
		Sale: &campaign.Sale{
			Reason:   map[string]string{"en": "Yalda night", "fa": "شب یلدا"},
			StartsAt: time.Date(2026, 12, 19, 0, 0, 0, 0, tehran),
			EndsAt:   time.Date(2026, 12, 22, 0, 0, 0, 0, tehran),
			Products: []campaign.Product{
				{SKU: "TEA-01", Name: map[string]string{"en": "Green tea", "fa": "چای سبز"}, URL: "https://shop.example/p/tea", ImageURL: "https://shop.example/i/tea.jpg",
					Currency: "USD", RegularPrice: money.MustParse("30.00"), SalePrice: money.MustParse("20.99"),
					FreeGift: &campaign.FreeGift{Name: map[string]string{"en": "Tea strainer", "fa": "صافی چای"}, Value: money.MustParse("4.50")}},
				{Name: map[string]string{"en": "Teapot"}, Currency: "USD", RegularPrice: money.MustParse("80"), SalePrice: money.MustParse("60")},
			},
			Coupon: &campaign.Coupon{Code: "YALDA30"},
		},
		CTA: &campaign.CTA{Label: map[string]string{"en": "Shop the sale", "fa": "خرید از حراج"}, URL: "https://shop.example/sale"},
	}
	if !c.Sale.StartsAt.Equal(want.Sale.StartsAt) || !c.Sale.EndsAt.Equal(want.Sale.EndsAt) {
		t.Errorf("sale window %v – %v, want %v – %v", c.Sale.StartsAt, c.Sale.EndsAt, want.Sale.StartsAt, want.Sale.EndsAt)
	}
	c.Sale.StartsAt, c.Sale.EndsAt = want.Sale.StartsAt, want.Sale.EndsAt // zones compare by pointer
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Decode:\n got %+v\nwant %+v", c, want)
	}
}

// TestJSONRoundTrip: what the API writes back (prices as decimal strings, scale kept) decodes
// to the same campaign, once the server's fields are left out.
func TestJSONRoundTrip(t *testing.T) {
	c := decodeSample(t)
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"regularPrice":"30.00"`, `"salePrice":"20.99"`, `"value":"4.50"`, `"imageUrl":"https://shop.example/i/tea.jpg"`, `"rule":{"all"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("JSON lacks %s:\n%s", want, out)
		}
	}
	back, err := campaign.Decode(out)
	if err != nil {
		t.Fatalf("Decode(Marshal(c)): %v\n%s", err, out)
	}
	if !reflect.DeepEqual(mustJSON(t, back), mustJSON(t, c)) {
		t.Errorf("round trip changed the campaign:\n got %s\nwant %s", mustJSON(t, back), mustJSON(t, c))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDecodeTopicDefault(t *testing.T) {
	c, err := campaign.Decode([]byte(`{"name": "x"}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Topic != "sales" {
		t.Errorf("topic %q, want sales", c.Topic)
	}
}

func TestDecodeErrors(t *testing.T) {
	for name, tt := range map[string]struct {
		in   string
		want map[string]string
	}{
		"not JSON":      {`{"name": `, map[string]string{"": "not JSON"}},
		"trailing data": {`{"name": "x"} {}`, map[string]string{"": "one JSON object expected, then nothing"}},
		"trailing junk": {`{"name": "x"}x`, map[string]string{"": "one JSON object expected, then nothing"}},
		"not an object": {`[1]`, map[string]string{"": "must be an object"}},
		"null":          {`null`, map[string]string{"": "must be an object"}},
		"unknown fields, nested, all at once": {
			`{"nme": "x", "content": {"en": {"subjct": "s"}}, "sale": {"products": [{}, {"prize": "1"}], "coupon": {"codes": "A"}}, "cta": {"href": "h"}, "segment": {"ids": "s"}}`,
			map[string]string{"nme": "unknown field", "content.en.subjct": "unknown field", "sale.products[1].prize": "unknown field",
				"sale.coupon.codes": "unknown field", "cta.href": "unknown field", "segment.ids": "unknown field"}},
		"wrong types": {
			`{"name": 1, "topic": true, "content": [], "sale": {"startsAt": "tomorrow", "endsAt": 5, "reason": {"en": 3}, "products": {}}, "cta": "go"}`,
			map[string]string{"name": "must be a string", "topic": "must be a string", "content": "must be an object by language",
				"sale.startsAt": "must be an RFC 3339 time", "sale.endsAt": "must be an RFC 3339 time", "sale.reason.en": "must be a string",
				"sale.products": "must be an array of products", "cta": "must be an object"}},
		"prices are decimal strings": {
			`{"sale": {"products": [{"regularPrice": 30, "salePrice": "2O", "freeGift": {"value": "1,5"}}]}}`,
			map[string]string{"sale.products[0].regularPrice": "must be a decimal string", "sale.products[0].salePrice": "must be a decimal string",
				"sale.products[0].freeGift.value": "must be a decimal string"}},
		"server fields": {
			`{"id": "c1", "status": "completed", "blockedReason": "", "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "x"}`,
			map[string]string{"id": "is set by the server", "status": "is set by the server", "blockedReason": "is set by the server",
				"createdAt": "is set by the server", "updatedAt": "is set by the server"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := campaign.Decode([]byte(tt.in))
			checkFields(t, err, tt.want)
		})
	}
}

// checkFields fails unless err is a *FieldError of kind invalid with exactly the fields of
// want, each problem starting with want's text.
func checkFields(t *testing.T, err error, want map[string]string) {
	t.Helper()
	var fe *campaign.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v, want a *FieldError", err)
	}
	if !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("%v is not fault.ErrInvalid", err)
	}
	var web interface{ FieldProblems() map[string]string } = fe
	got := web.FieldProblems()
	for f, p := range want {
		if !strings.HasPrefix(got[f], p) {
			t.Errorf("field %q: %q, want %q…", f, got[f], p)
		}
	}
	for f, p := range got {
		if _, ok := want[f]; !ok {
			t.Errorf("unexpected problem %q: %q", f, p)
		}
	}
}

func TestContentFor(t *testing.T) {
	c := decodeSample(t)
	for _, tt := range []struct{ tag, lang string }{
		{"fa-IR", "fa"}, {"fa", "fa"}, {"FA_ir", "fa"}, {"en-US", "en"}, {"de-DE", "en"}, {"", "en"}, {"-", "en"},
	} {
		got, lang := c.ContentFor(tt.tag)
		if lang != tt.lang || got != c.Content[tt.lang] {
			t.Errorf("ContentFor(%q) = %q, %q; want the %q content", tt.tag, got.Subject, lang, tt.lang)
		}
	}
}
