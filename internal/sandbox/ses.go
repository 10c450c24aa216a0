package sandbox

// SES v2: the emulator is the sesv2 package; its events go onto the default bus here, as
// SES's EventBridge destination puts them.

import "context"

// publishSES puts an SES event on the default bus, as SES's EventBridge destination does.
func (s *Sandbox) publishSES(ctx context.Context, detailType string, detail []byte) {
	s.publish(ctx, "default", "aws.ses", detailType, detail, nil, s.clock.Now())
}
