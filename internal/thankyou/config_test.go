package thankyou_test

import (
	"strings"
	"testing"

	"shopmail/internal/env"
	"shopmail/internal/thankyou"
)

func TestLoadConfigNamesEveryProblem(t *testing.T) {
	_, err := thankyou.LoadConfig(env.Map(map[string]string{
		"SENDER_ADDRESS": "not an address", "SHOP_URL": "shop.example", "COUPON_PREFIX": "thanks!",
		"COUPON_VALID_DAYS": "0", "SENDER_NAME": "Shop =?utf-8?q?x?=", "SHOP_NAME": "Tea\u0085House",
		"PUBLIC_URL": "go.shop.example", "TRACKING_RETENTION_DAYS": "0", "UNSUBSCRIBE_MAILTO": "x\r\nBcc: y@z",
	}))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"TABLE_NAME", "SES_CONFIGURATION_SET", "DEAD_LETTER_QUEUE_URL", "POSTAL_ADDRESS",
		"SENDER_ADDRESS is not a valid", "SHOP_URL must be", "COUPON_PREFIX must be", "COUPON_OFFER is required", "COUPON_VALID_DAYS", `SENDER_NAME contains "=?"`, "SHOP_NAME contains the control character",
		"TOKEN_KEYS_SECRET", "PUBLIC_URL must be", "TRACKING_RETENTION_DAYS", "UNSUBSCRIBE_MAILTO is not a valid"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s:\n%v", want, err)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	s, err := thankyou.LoadConfig(env.Map(map[string]string{
		"TABLE_NAME": "t", "SES_CONFIGURATION_SET": "c", "DEAD_LETTER_QUEUE_URL": "q", "SHOP_NAME": "Tea House",
		"SHOP_URL": "https://shop.example", "SENDER_NAME": "Tea House", "SENDER_ADDRESS": "hello@Shop.Example",
		"POSTAL_ADDRESS": "1 Leaf St", "COUPON_PREFIX": "THANKS", "COUPON_OFFER": "10% off", "COUPON_OFFER_FA": "۱۰٪",
		"PUBLIC_URL": "https://go.shop.example/", "TOKEN_KEYS_SECRET": "arn:secret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if s.From.Email != "hello@shop.example" || s.CouponOffer["fa"] != "۱۰٪" || s.CouponValid.Hours() != 60*24 ||
		s.Links.BaseURL != "https://go.shop.example" || s.Links.Tracking.Hours() != 400*24 || s.KeysSecret != "arn:secret" {
		t.Errorf("settings = %+v", s)
	}
}
