package credserver

import (
	"crypto/sha256"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// FuzzRequest sends requests with any Host and Authorization: credentials
// come back exactly when both are right, and nothing panics.
func FuzzRequest(f *testing.F) {
	f.Add("127.0.0.1:9911", "right")
	f.Add("localhost:9911", "right")
	f.Add("rebound.example:9911", "right")
	f.Add("127.0.0.1:9911", "wrong")
	f.Add("[::1]:9911", "")
	f.Add("127.0.0.1:9911 ", "right ")
	f.Add("127.0.0.1", "right")
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &Server{o: Options{Now: func() time.Time { return exp.Add(-time.Hour) }, RefreshWindow: time.Minute, Debugf: func(string, ...any) {}}}
	s.sess = session("ASIAFIRST", exp)
	s.Token = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
	s.tokenHash = sha256.Sum256([]byte(s.Token))
	s.kick = make(chan struct{}, 1)
	if err := s.setAddress(&tcpAddr9911); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, host, auth string) {
		if auth == "right" {
			auth = s.Token
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = host
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		right := (host == "127.0.0.1:9911" || host == "localhost:9911") && auth == s.Token
		if (w.Code == http.StatusOK) != right {
			t.Fatalf("Host %q, Authorization %q: status %d", host, auth, w.Code)
		}
	})
}

var tcpAddr9911 = net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9911}
