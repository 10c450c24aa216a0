package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"shopmail/internal/sandbox/scheduler"
	"shopmail/internal/sandbox/sesv2"
)

// state is what the sandbox keeps besides the table, for `make run DATA=dir`.
type state struct {
	ClockAhead  time.Duration
	Messages    []sesv2.Message
	DeadLetters []DeadLetter
	Schedules   []scheduler.Schedule
	Secrets     map[string]string // logical id -> generated value, so that links already sent keep working
}

const stateFile = "sandbox.json"

// Save writes the inbox, the dead letters, the schedules and the clock to dir.
func (s *Sandbox) Save(dir string) error {
	st := state{ClockAhead: s.clock.Offset(), Messages: s.ses.Messages(), DeadLetters: s.DeadLetters(), Schedules: s.sched.List(),
		Secrets: map[string]string{}}
	for id, sec := range s.secrets {
		if sec.generated {
			st.Secrets[id] = sec.value
		}
	}
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("save sandbox state: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save sandbox state: %w", err)
	}
	tmp := filepath.Join(dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("save sandbox state: %w", err)
	}
	return os.Rename(tmp, filepath.Join(dir, stateFile))
}

// Load restores what Save wrote to dir, if anything.
func (s *Sandbox) Load(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var st state
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	if err != nil {
		return fmt.Errorf("load sandbox state from %s: %w", dir, err)
	}
	s.clock.Advance(st.ClockAhead)
	for id, v := range st.Secrets {
		if sec, ok := s.secrets[id]; ok && sec.generated {
			sec.value = v
		}
	}
	s.ses.Restore(st.Messages)
	s.mu.Lock()
	s.deadLetters = append(s.deadLetters, st.DeadLetters...)
	s.mu.Unlock()
	for _, sc := range st.Schedules {
		if err := s.sched.Put(sc); err != nil {
			return fmt.Errorf("load sandbox state: %w", err)
		}
	}
	return nil
}
