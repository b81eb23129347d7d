package stsstub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// adminPrefix is where the test-only API lives. No STS client calls a path,
// so it cannot collide with STS traffic on the same listener.
const adminPrefix = "/_stub/"

// settableClock is what the clock endpoint needs; ManualClock provides it.
type settableClock interface {
	Set(time.Time)
	Advance(time.Duration) time.Time
}

// Code returns the code the device shows now on the stand-in's clock. It
// does not mark the code used, so it may already have been spent.
func (s *Server) Code(serial string) (string, error) {
	// IAM enrolment changes users' devices while the stand-in serves.
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if secret, ok := u.MFADevices[serial]; ok {
			return codeAt(secret, s.clock.Now())
		}
	}
	return "", fmt.Errorf("stsstub: no MFA device %q", serial)
}

// codePath serves the code a device shows now (GET ?serial=ARN), on every
// stand-in: demo prints that code anyway, and a scripted prompt in another
// process (tests, benchmarks, `go test` running demo) reads it here. It is
// the only part of the admin API without StartForTests.
const codePath = adminPrefix + "totp"

func (s *Server) serveCode(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
		return
	}
	code, err := s.Code(r.FormValue("serial"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	writeText(w, code)
}

// StartForTests starts a stand-in with a fault plan and the admin API, for
// tests and benchmarks, which drive it from other processes (awsmfa runs
// that read the stand-in's clock, scripted prompts that read its codes).
func StartForTests(cfg Config) (*Server, *Faults, error) {
	faults := &Faults{}
	cfg.Faults = faults
	cfg.Admin = func(s *Server) http.Handler { return &adminAPI{s: s, faults: faults} }
	s, err := Start(cfg)
	return s, faults, err
}

// adminAPI is the test-only HTTP API under /_stub/.
type adminAPI struct {
	s      *Server
	faults *Faults
}

func (a *adminAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := a.s
	endpoint := r.URL.Path[len(adminPrefix):]
	wantMethod := http.MethodPost
	if endpoint == "totp" || endpoint == "calls" {
		wantMethod = http.MethodGet
	}
	if r.Method != wantMethod {
		w.Header().Set("Allow", wantMethod)
		http.Error(w, "use "+wantMethod, http.StatusMethodNotAllowed)
		return
	}
	switch endpoint {
	case "totp":
		s.serveCode(w, r)
	case "clock":
		s.adminClock(w, r)
	case "calls":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.AllCalls())
	case "fail":
		adminInject(w, r, a.faults.FailNext)
	case "lose-reply":
		adminInject(w, r, a.faults.LoseReplyNext)
	case "delay":
		adminDelay(w, r, a.faults)
	case "reset":
		s.Reset()
		a.faults.Reset()
		writeText(w, "ok")
	default:
		http.NotFound(w, r)
	}
}

// adminClock handles ?advance=DURATION or ?set=RFC3339 and answers with the
// new time.
func (s *Server) adminClock(w http.ResponseWriter, r *http.Request) {
	clock, ok := s.clock.(settableClock)
	if !ok {
		http.Error(w, "the stand-in's clock cannot be moved (use a ManualClock)", http.StatusConflict)
		return
	}
	switch advance, set := r.FormValue("advance"), r.FormValue("set"); {
	case advance != "":
		d, err := time.ParseDuration(advance)
		if err != nil {
			http.Error(w, "advance: "+err.Error(), http.StatusBadRequest)
			return
		}
		clock.Advance(d)
	case set != "":
		t, err := time.Parse(time.RFC3339, set)
		if err != nil {
			http.Error(w, "set: "+err.Error(), http.StatusBadRequest)
			return
		}
		clock.Set(t)
	default:
		http.Error(w, "need advance=DURATION or set=RFC3339", http.StatusBadRequest)
		return
	}
	writeText(w, s.clock.Now().UTC().Format(time.RFC3339))
}

// adminInject handles ?action=&status=500&code=InternalFailure&message=&count=1
// for FailNext and LoseReplyNext, which inject is.
func adminInject(w http.ResponseWriter, r *http.Request, inject func(action string, n, status int, code, message string)) {
	action, count, ok := actionAndCount(w, r)
	if !ok {
		return
	}
	e, ok := injectedError(w, r)
	if !ok {
		return
	}
	inject(action, count, e.Status, e.Code, e.Message)
	writeText(w, "ok")
}

// injectedError reads status=, code= and message=, defaulting to the 500
// InternalFailure AWS answers when it fails.
func injectedError(w http.ResponseWriter, r *http.Request) (apiError, bool) {
	status := http.StatusInternalServerError
	if v := r.FormValue("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 400 || n > 599 {
			http.Error(w, "status must be an HTTP error status", http.StatusBadRequest)
			return apiError{}, false
		}
		status = n
	}
	code := valueOr(r.FormValue("code"), "InternalFailure")
	message := valueOr(r.FormValue("message"), "An internal error has occurred")
	return apiError{Status: status, Code: code, Message: message}, true
}

// adminDelay handles ?action=&for=2s&count=1.
func adminDelay(w http.ResponseWriter, r *http.Request, faults *Faults) {
	action, count, ok := actionAndCount(w, r)
	if !ok {
		return
	}
	d, err := time.ParseDuration(r.FormValue("for"))
	if err != nil {
		http.Error(w, "for: "+err.Error(), http.StatusBadRequest)
		return
	}
	faults.DelayNext(action, count, d)
	writeText(w, "ok")
}

func actionAndCount(w http.ResponseWriter, r *http.Request) (string, int, bool) {
	action := r.FormValue("action")
	if action == "" {
		http.Error(w, "need action=", http.StatusBadRequest)
		return "", 0, false
	}
	count := 1
	if v := r.FormValue("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			http.Error(w, "count must be a positive integer", http.StatusBadRequest)
			return "", 0, false
		}
		count = n
	}
	return action, count, true
}

func valueOr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

func writeText(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = fmt.Fprintln(w, text)
}
