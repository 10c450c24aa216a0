package send_test

import (
	"regexp"
	"strings"
	"testing"

	"shopmail/internal/send"
)

var sesTag = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func TestTagValueIsSafeReadableAndReversible(t *testing.T) {
	for _, v := range []string{"c-42", "thankyou#o-1001", "sara@example.com", "سفارش/۱۲ ?&=", "b64-looks-encoded", "x"} {
		tag := send.TagValue(v)
		if !sesTag.MatchString(tag) {
			t.Errorf("TagValue(%q) = %q: not a valid SES tag value", v, tag)
		}
		if back, err := send.ParseTagValue(tag); err != nil || back != v {
			t.Errorf("ParseTagValue(TagValue(%q)) = %q, %v", v, back, err)
		}
	}
	if got := send.TagValue("c-42_x"); got != "c-42_x" {
		t.Errorf("a safe value is not kept readable: %q", got)
	}
	// The longest ids the order decoder accepts (128 bytes, multi-byte) still fit SES's 256.
	long := strings.Repeat("ی", 64)
	if tag := send.TagValue("thankyou#" + long); len(tag) > 256 {
		t.Errorf("tag of %d characters", len(tag))
	}
}
