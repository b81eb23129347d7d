package credserver

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// BenchmarkRequestAgainstFloor times what an SDK pays for its credentials
// from the server (Host and token checks, JSON reply) against a floor: a
// bare net/http handler on loopback writing a reply of the same size, timed
// alternately in the same run over one keep-alive connection each. It
// reports the ratio (x-floor) besides the server's time per request.
func BenchmarkRequestAgainstFloor(b *testing.B) {
	h := start(b, 12*time.Hour)
	reply := []byte(`{"AccessKeyId":"ASIAFIRST","SecretAccessKey":"secret-ASIAFIRST","Token":"token-ASIAFIRST","Expiration":"2030-01-02T00:00:00Z"}` + "\n")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	floor := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(reply)
	})}
	go floor.Serve(ln)
	defer floor.Close()

	get := func(client *http.Client, url string) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", h.srv.Token)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	serverClient, floorClient := &http.Client{Transport: &http.Transport{}}, &http.Client{Transport: &http.Transport{}}
	floorURL := "http://" + ln.Addr().String() + "/"
	get(serverClient, h.srv.URL)
	get(floorClient, floorURL)
	var inServer, inFloor time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		get(floorClient, floorURL)
		t1 := time.Now()
		get(serverClient, h.srv.URL)
		inFloor += t1.Sub(t0)
		inServer += time.Since(t1)
	}
	b.StopTimer()
	b.ReportMetric(float64(inServer.Nanoseconds())/float64(b.N), "ns/request")
	b.ReportMetric(float64(inServer)/float64(inFloor), "x-floor")
}
