package stsstub

import "time"

// ActionCalls counts the requests that reached one action.
type ActionCalls struct {
	// Calls counts every request, rejected ones included.
	Calls int `json:"calls"`
	// OK counts the requests that succeeded.
	OK int `json:"ok"`
}

type injectedFailure struct {
	remaining int
	err       apiError
}

type injectedDelay struct {
	remaining int
	delay     time.Duration
}

// Calls returns how many requests reached action, including rejected ones.
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action].Calls
}

// Succeeded returns how many requests for action succeeded.
func (s *Server) Succeeded(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action].OK
}

// AllCalls returns the counters of every action called so far.
func (s *Server) AllCalls() map[string]ActionCalls {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]ActionCalls, len(s.calls))
	for action, c := range s.calls {
		out[action] = c
	}
	return out
}

// FailNext makes the next n requests for action fail with the given HTTP
// status and STS error code and message, before any authentication. Calls
// queue: a second FailNext applies after the first is used up.
func (s *Server) FailNext(action string, n int, status int, code, message string) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[action] = append(s.failures[action], &injectedFailure{
		remaining: n,
		err:       apiError{Status: status, Code: code, Message: message},
	})
}

// DelayNext holds the next n requests for action for d (wall-clock time, not
// the stand-in's clock) before handling them; a request whose client gives
// up meanwhile is dropped.
func (s *Server) DelayNext(action string, n int, d time.Duration) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delays[action] = append(s.delays[action], &injectedDelay{remaining: n, delay: d})
}

// Reset clears the counters and pending faults. Issued sessions and used
// MFA codes are kept: they are state of the simulated AWS, not of the test.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]ActionCalls{}
	s.failures = map[string][]*injectedFailure{}
	s.delays = map[string][]*injectedDelay{}
}

// recordCall counts a request and takes the faults planned for it.
func (s *Server) recordCall(action string) (delay time.Duration, failure *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.calls[action]
	c.Calls++
	s.calls[action] = c

	if queue := s.delays[action]; len(queue) > 0 {
		delay = queue[0].delay
		if queue[0].remaining--; queue[0].remaining == 0 {
			s.delays[action] = queue[1:]
		}
	}
	if queue := s.failures[action]; len(queue) > 0 {
		e := queue[0].err
		failure = &e
		if queue[0].remaining--; queue[0].remaining == 0 {
			s.failures[action] = queue[1:]
		}
	}
	return delay, failure
}

func (s *Server) recordSuccess(action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.calls[action]
	c.OK++
	s.calls[action] = c
}
