package sandbox

import (
	"sync"
	"time"
)

// Clock is the sandbox's time: wall time plus an offset the developer moves forward, so that
// scheduled work (a survey three days after delivery) happens now.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	moved  chan struct{} // closed (and replaced) when the clock moves, to wake what waits on it
}

// Now returns the sandbox time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset).UTC()
}

// Advance moves the clock forward by d (never backward).
func (c *Clock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
	if c.moved != nil {
		close(c.moved)
		c.moved = nil
	}
}

// Moved returns a channel closed the next time the clock moves forward: a wait measured in
// sandbox time (a message's visibility timeout) ends early when the developer moves the clock.
func (c *Clock) Moved() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.moved == nil {
		c.moved = make(chan struct{})
	}
	return c.moved
}

// Offset is how far the clock is ahead of wall time.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}
