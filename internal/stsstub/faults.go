package stsstub

import (
	"sync"
	"time"
)

// ActionCalls counts the requests that reached one action.
type ActionCalls struct {
	// Calls counts every request, rejected ones included.
	Calls int `json:"calls"`
	// OK counts the requests the action carried out, including those whose
	// reply LoseReplyNext replaced with an error.
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

// Succeeded returns how many requests for action were carried out, whether
// or not their reply reached the client (see LoseReplyNext).
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

// Faults is a plan of injected failures, for tests: the stand-in consults
// it on every request when Config.Faults holds it. It is a type of its own,
// not methods of Server, so that the awsmfa binary (whose demo runs a
// stand-in) links no fault injection: nothing there refers to it.
type Faults struct {
	mu          sync.Mutex
	failures    map[string][]*injectedFailure
	lostReplies map[string][]*injectedFailure
	delays      map[string][]*injectedDelay
}

// FaultPlan is what Config.Faults holds; only *Faults implements it.
type FaultPlan interface {
	take(action string) (delay time.Duration, failure, lostReply *apiError)
}

// FailNext makes the next n requests for action fail with the given HTTP
// status and STS error code and message, before any authentication. Calls
// queue: a second FailNext applies after the first is used up.
func (f *Faults) FailNext(action string, n int, status int, code, message string) {
	f.queueFault(&f.failures, action, n, apiError{Status: status, Code: code, Message: message})
}

// LoseReplyNext makes the next n requests for action run as usual and then
// answer with the given HTTP status and error code instead of their reply:
// the action was carried out, but the client cannot know, as when AWS's
// answer is lost to a 5xx from a proxy. A retry then meets the world the
// first attempt left (a deleted device is gone: NoSuchEntity). A request
// that FailNext rejects never runs and does not use up a lost reply. Calls
// queue as with FailNext.
func (f *Faults) LoseReplyNext(action string, n int, status int, code, message string) {
	f.queueFault(&f.lostReplies, action, n, apiError{Status: status, Code: code, Message: message})
}

func (f *Faults) queueFault(queue *map[string][]*injectedFailure, action string, n int, err apiError) {
	if n <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if *queue == nil {
		*queue = map[string][]*injectedFailure{}
	}
	(*queue)[action] = append((*queue)[action], &injectedFailure{remaining: n, err: err})
}

// DelayNext holds the next n requests for action for d (wall-clock time, not
// the stand-in's clock) before handling them; a request whose client gives
// up meanwhile is dropped.
func (f *Faults) DelayNext(action string, n int, d time.Duration) {
	if n <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.delays == nil {
		f.delays = map[string][]*injectedDelay{}
	}
	f.delays[action] = append(f.delays[action], &injectedDelay{remaining: n, delay: d})
}

// Reset drops every pending fault.
func (f *Faults) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures, f.lostReplies, f.delays = nil, nil, nil
}

// take uses up the faults planned for one request of action: a failure
// replaces running the action, a lost reply replaces its answer.
func (f *Faults) take(action string) (delay time.Duration, failure, lostReply *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if queue := f.delays[action]; len(queue) > 0 {
		delay = queue[0].delay
		if queue[0].remaining--; queue[0].remaining == 0 {
			f.delays[action] = queue[1:]
		}
	}
	if failure = takeFailure(f.failures, action); failure == nil {
		lostReply = takeFailure(f.lostReplies, action)
	}
	return delay, failure, lostReply
}

// Reset clears the call counters. Issued sessions and used MFA codes are
// kept: they are state of the simulated AWS, not of the test.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]ActionCalls{}
}

// recordCall counts a request and takes the faults planned for it: a
// failure replaces running the action, a lost reply replaces its answer.
func (s *Server) recordCall(action string) (delay time.Duration, failure, lostReply *apiError) {
	s.mu.Lock()
	c := s.calls[action]
	c.Calls++
	s.calls[action] = c
	s.mu.Unlock()
	if s.cfg.Faults == nil {
		return 0, nil, nil
	}
	return s.cfg.Faults.take(action)
}

// takeFailure uses up one of the failures queued for action, if any.
func takeFailure(queues map[string][]*injectedFailure, action string) *apiError {
	queue := queues[action]
	if len(queue) == 0 {
		return nil
	}
	e := queue[0].err
	if queue[0].remaining--; queue[0].remaining == 0 {
		queues[action] = queue[1:]
	}
	return &e
}

func (s *Server) recordSuccess(action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.calls[action]
	c.OK++
	s.calls[action] = c
}
