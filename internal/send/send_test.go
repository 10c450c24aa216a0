package send_test

import (
	"regexp"
	"testing"

	"shopmail/internal/send"
)

var sesTag = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func TestEncodeKeyIsTagSafeAndReversible(t *testing.T) {
	for _, key := range []string{"thankyou#o-1001", "thankyou#سفارش/۱۲ ?&=", "x"} {
		tag := send.EncodeKey(key)
		if !sesTag.MatchString(tag) {
			t.Errorf("EncodeKey(%q) = %q: not a valid SES tag value", key, tag)
		}
		if back, err := send.DecodeKey(tag); err != nil || back != key {
			t.Errorf("DecodeKey(EncodeKey(%q)) = %q, %v", key, back, err)
		}
	}
}

func TestTagValue(t *testing.T) {
	if got := send.TagValue("c-42_x"); got != "c-42_x" {
		t.Errorf("safe value changed: %q", got)
	}
	a, b := send.TagValue("c#1"), send.TagValue("c#2")
	if !sesTag.MatchString(a) || a == b || a != send.TagValue("c#1") {
		t.Errorf("unsafe values: %q %q (must be valid, distinct and stable)", a, b)
	}
}
