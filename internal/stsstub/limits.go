package stsstub

import "time"

// SetMaxSessionDuration changes Config.MaxSessionDuration while the stand-in
// serves: sessions issued from now on last at most d (0 lifts the cap). Tests
// use it to hand a client a session that is already inside the client's own
// refresh window, without waiting for one to age.
func (s *Server) SetMaxSessionDuration(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.MaxSessionDuration = d
}
