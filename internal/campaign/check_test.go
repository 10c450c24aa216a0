package campaign_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"shopmail/internal/campaign"
	"shopmail/internal/money"
)

// before is a time the sample's sale is not over at.
var before = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func TestCheckAcceptsTheSample(t *testing.T) {
	c := decodeSample(t)
	if err := c.Check(before); err != nil {
		t.Fatal(err)
	}
	// Without the optional parts: no sale, no button, no preheader, a segment by id.
	c.Sale, c.CTA, c.Segment = nil, nil, campaign.SegmentRef{ID: "seg-1"}
	c.Content = map[string]campaign.Content{"en": {Subject: "News", Headline: "Hello"}}
	if err := c.Check(before); err != nil {
		t.Fatal(err)
	}
	// A zero-decimal currency with a whole amount, a three-decimal one with three.
	c = decodeSample(t)
	c.Sale.Products[1].Currency, c.Sale.Products[1].RegularPrice, c.Sale.Products[1].SalePrice = "IRT", money.MustParse("1500000"), money.MustParse("990000")
	c.Sale.Products[0].Currency, c.Sale.Products[0].FreeGift.Value = "KWD", money.MustParse("1.250")
	if err := c.Check(before); err != nil {
		t.Fatal(err)
	}
}

func TestCheck(t *testing.T) {
	long := strings.Repeat("a", 201)
	for name, tt := range map[string]struct {
		change func(c *campaign.Campaign)
		want   map[string]string
	}{
		"sale price equals the regular one": {func(c *campaign.Campaign) { c.Sale.Products[0].SalePrice = money.MustParse("30") },
			map[string]string{"sale.products[0].salePrice": "must be below regularPrice"}},
		"sale price above the regular one": {func(c *campaign.Campaign) { c.Sale.Products[1].SalePrice = money.MustParse("80.01") },
			map[string]string{"sale.products[1].salePrice": "must be below regularPrice"}},
		"negative sale price": {func(c *campaign.Campaign) { c.Sale.Products[0].SalePrice = money.MustParse("-1") },
			map[string]string{"sale.products[0].salePrice": "must not be negative"}},
		"more decimals than the currency": {func(c *campaign.Campaign) {
			c.Sale.Products[0].SalePrice = money.MustParse("20.999")
			c.Sale.Products[1].Currency, c.Sale.Products[1].RegularPrice, c.Sale.Products[1].SalePrice = "IRT", money.MustParse("80.0"), money.MustParse("60.5")
		}, map[string]string{"sale.products[0].salePrice": "must have at most 2 decimals", "sale.products[1].regularPrice": "must have at most 0 decimals",
			"sale.products[1].salePrice": "must have at most 0 decimals"}},
		"no currency": {func(c *campaign.Campaign) { c.Sale.Products[0].Currency = "usd" },
			map[string]string{"sale.products[0].currency": "must be an ISO 4217 code"}},
		"sale over": {func(c *campaign.Campaign) { c.Sale.StartsAt, c.Sale.EndsAt = before.Add(-time.Hour), before },
			map[string]string{"sale.endsAt": "is past"}},
		"ends before it starts": {func(c *campaign.Campaign) { c.Sale.EndsAt = c.Sale.StartsAt },
			map[string]string{"sale.endsAt": "must be after startsAt"}},
		"no window": {func(c *campaign.Campaign) { c.Sale.StartsAt = time.Time{} },
			map[string]string{"sale.startsAt": "is required"}},
		"urls": {func(c *campaign.Campaign) {
			c.Sale.Products[0].URL = "http://shop.example/p/tea"
			c.Sale.Products[0].ImageURL = "/i/tea.jpg"
			c.CTA.URL = "https://shop.example@evil.example/"
		}, map[string]string{"sale.products[0].url": "must be an absolute https URL", "sale.products[0].imageUrl": "must be an absolute https URL",
			"cta.url": "must be an absolute https URL"}},
		"no cta url": {func(c *campaign.Campaign) { c.CTA.URL = "" }, map[string]string{"cta.url": "is required"}},
		"mailto only in the body": {func(c *campaign.Campaign) { c.CTA.URL = "mailto:hi@shop.example" },
			map[string]string{"cta.url": "must be an absolute https URL"}},
		"body links": {func(c *campaign.Campaign) {
			en := c.Content["en"]
			en.Body = "[ok](https://a.example) [mail](mailto:hi@shop.example) <hi@shop.example> [bad](javascript:alert(1))"
			c.Content["en"] = en
			fa := c.Content["fa"]
			fa.Body = "![x](http://shop.example/i.png)"
			c.Content["fa"] = fa
		}, map[string]string{"content.en.body": `link "javascript:alert(1)"`, "content.fa.body": `link "http://shop.example/i.png"`}},
		"no English": {func(c *campaign.Campaign) { delete(c.Content, "en") },
			map[string]string{"content.en": "is required"}},
		"no subject or headline": {func(c *campaign.Campaign) { c.Content["fa"] = campaign.Content{Subject: " "} },
			map[string]string{"content.fa.subject": "is required", "content.fa.headline": "is required"}},
		"language key": {func(c *campaign.Campaign) { c.Content["fa-IR"] = c.Content["fa"] },
			map[string]string{"content.fa-IR": "must be a language subtag"}},
		"subject and preheader control characters": {func(c *campaign.Campaign) {
			c.Content["en"] = campaign.Content{Subject: "Sale\r\nBcc: x@evil.example", Preheader: "a\tb", Headline: "h"}
			c.Content["fa"] = campaign.Content{Subject: "\u202eexe.png", Preheader: "x\u0085", Headline: "h"}
		}, map[string]string{"content.en.subject": "contains a line break", "content.en.preheader": "contains the control character U+0009",
			"content.fa.subject": "contains the bidirectional control character U+202E", "content.fa.preheader": "contains the control character U+0085"}},
		"encoded word in the subject": {func(c *campaign.Campaign) {
			c.Content["en"] = campaign.Content{Subject: "=?utf-8?b?x?=", Headline: "h"}
		},
			map[string]string{"content.en.subject": `contains "=?"`}},
		"too long": {func(c *campaign.Campaign) {
			c.Content["en"] = campaign.Content{Subject: long, Preheader: strings.Repeat("ی", 251), Headline: "h"}
		}, map[string]string{"content.en.subject": "must be at most 200 characters, not 201", "content.en.preheader": "must be at most 250 characters, not 251"}},
		"at the limits": {func(c *campaign.Campaign) {
			c.Content["en"] = campaign.Content{Subject: strings.Repeat("ی", 200), Preheader: strings.Repeat("a", 250), Headline: "h"}
		}, nil},
		"gift without value": {func(c *campaign.Campaign) { c.Sale.Products[0].FreeGift.Value = money.MustParse("0") },
			map[string]string{"sale.products[0].freeGift.value": "must be above zero"}},
		"too many products": {func(c *campaign.Campaign) {
			for len(c.Sale.Products) <= campaign.MaxProducts {
				c.Sale.Products = append(c.Sale.Products, c.Sale.Products[1])
			}
		}, map[string]string{"sale.products": "must be at most 20 products, not 21"}},
		"twenty products": {func(c *campaign.Campaign) {
			for len(c.Sale.Products) < campaign.MaxProducts {
				c.Sale.Products = append(c.Sale.Products, c.Sale.Products[1])
			}
		}, nil},
		"coupon codes": {func(c *campaign.Campaign) { c.Sale.Coupon.Code = "YALDA 30" },
			map[string]string{"sale.coupon.code": "must be 1 to 64 printable ASCII"}},
		"empty coupon code": {func(c *campaign.Campaign) { c.Sale.Coupon.Code = "" },
			map[string]string{"sale.coupon.code": "must be 1 to 64"}},
		"non-ASCII coupon code": {func(c *campaign.Campaign) { c.Sale.Coupon.Code = "یلدا" },
			map[string]string{"sale.coupon.code": "must be 1 to 64"}},
		"long coupon code": {func(c *campaign.Campaign) { c.Sale.Coupon.Code = strings.Repeat("A", 65) },
			map[string]string{"sale.coupon.code": "must be 1 to 64"}},
		"topic": {func(c *campaign.Campaign) { c.Topic = "all" },
			map[string]string{"topic": "must be one of sales, greetings, news, surveys"}},
		"names need English": {func(c *campaign.Campaign) {
			c.Sale.Products[0].Name = map[string]string{"fa": "چای"}
			c.Sale.Products[1].Name = nil
			c.Sale.Products[0].FreeGift.Name = map[string]string{"en": ""}
			c.Sale.Reason = map[string]string{"fa": "یلدا"}
			c.CTA.Label = map[string]string{"fa": "خرید", "EN": "Buy"}
		}, map[string]string{"sale.products[0].name.en": "is required", "sale.products[1].name.en": "is required",
			"sale.products[0].freeGift.name.en": "is required", "sale.reason.en": "is required", "cta.label.en": "is required",
			"cta.label.EN": "must be a language subtag"}},
		"no reason is fine": {func(c *campaign.Campaign) { c.Sale.Reason = nil }, nil},
		"segment": {func(c *campaign.Campaign) { c.Segment = campaign.SegmentRef{} },
			map[string]string{"segment": "is required"}},
		"segment twice": {func(c *campaign.Campaign) { c.Segment.ID = "seg-1" },
			map[string]string{"segment": "give a segment id or a rule, not both"}},
		"name": {func(c *campaign.Campaign) { c.Name = "" }, map[string]string{"name": "is required"}},
	} {
		t.Run(name, func(t *testing.T) {
			c := decodeSample(t)
			tt.change(&c)
			err := c.Check(before)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			checkFields(t, err, tt.want)
		})
	}
}

// TestCheckListsEverything: one answer names every problem, so the marketer fixes them in one go.
func TestCheckListsEverything(t *testing.T) {
	var c campaign.Campaign
	if err := json.Unmarshal([]byte(`{"content": {"fa": {"subject": "x"}}}`), &c); err != nil {
		t.Fatal(err)
	}
	c.Sale = &campaign.Sale{Products: []campaign.Product{{Currency: "USD"}}, Coupon: &campaign.Coupon{}}
	err := c.Check(before)
	checkFields(t, err, map[string]string{
		"name": "is required", "segment": "is required", "content.en": "is required", "content.fa.headline": "is required",
		"sale.startsAt": "is required", "sale.products[0].name.en": "is required", "sale.products[0].salePrice": "must be below",
		"sale.coupon.code": "must be 1 to 64",
	})
	if got := fmt.Sprint(err); !strings.HasPrefix(got, "invalid campaign: content.en: is required") {
		t.Errorf("error text %q", got)
	}
}
