package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// stsInterception makes the workspace's STS stand-in answer at AWS's own STS
// hosts for one program, through an HTTPS proxy on loopback and a
// certificate of its own. aws-vault v7 needs it: it builds its aws.Config by
// hand, so it reads neither AWS_ENDPOINT_URL_STS nor endpoint_url, and
// sts_regional_endpoints only chooses between AWS's hosts. Go programs honour
// HTTPS_PROXY and SSL_CERT_FILE, so env is all such a program needs. The
// proxy tunnels only to the stand-in and refuses every other host: nothing
// leaves the machine.
type stsInterception struct {
	caFile   string
	proxyURL string
	servers  []*http.Server
}

// stsHosts are the hosts an SDK picks for STS in the workspace's region.
var stsHosts = []string{"sts.amazonaws.com", "sts." + region + ".amazonaws.com"}

// interceptSTS serves stub over TLS and starts the proxy in front of it. The
// certificate is written to dir, for SSL_CERT_FILE.
func interceptSTS(stub http.Handler, dir string) (*stsInterception, error) {
	cert, certPEM, err := selfSignedCert(stsHosts)
	if err != nil {
		return nil, fmt.Errorf("making a certificate for the STS stand-in: %w", err)
	}
	i := &stsInterception{caFile: filepath.Join(dir, "sts-stand-in.pem")}
	if err := os.WriteFile(i.caFile, certPEM, 0o600); err != nil {
		return nil, err
	}
	tlsAddr, err := i.serve(&http.Server{
		Handler:           stub,
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	})
	if err != nil {
		i.close()
		return nil, err
	}
	proxyAddr, err := i.serve(&http.Server{Handler: tunnelTo(tlsAddr), ReadHeaderTimeout: 10 * time.Second})
	if err != nil {
		i.close()
		return nil, err
	}
	i.proxyURL = "http://" + proxyAddr
	return i, nil
}

// serve starts srv on an ephemeral loopback port, over TLS if srv has a
// TLS configuration, and returns the address.
func (i *stsInterception) serve(srv *http.Server) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	i.servers = append(i.servers, srv)
	go func() {
		if srv.TLSConfig != nil {
			_ = srv.ServeTLS(ln, "", "")
		} else {
			_ = srv.Serve(ln)
		}
	}()
	return ln.Addr().String(), nil
}

// env points a Go program's HTTPS at the stand-in. It goes after the rest
// of the environment: the last value of a name wins.
func (i *stsInterception) env() []string {
	return []string{"HTTPS_PROXY=" + i.proxyURL, "SSL_CERT_FILE=" + i.caFile}
}

func (i *stsInterception) close() {
	for _, srv := range i.servers {
		_ = srv.Close()
	}
}

// tunnelTo answers CONNECT to an STS host by splicing the connection to
// target, and everything else with 403.
func tunnelTo(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		host, port, err := net.SplitHostPort(r.Host)
		if r.Method != http.MethodConnect || err != nil || port != "443" || !slices.Contains(stsHosts, host) {
			http.Error(w, "this proxy reaches only the benchmark's STS stand-in", http.StatusForbidden)
			return
		}
		upstream, err := net.Dial("tcp", target)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer upstream.Close()
		client, buffered, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer client.Close()
		if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
			return
		}
		// Each side's end of input ends the other's copy through the
		// deferred closes.
		go func() { _, _ = io.Copy(upstream, buffered.Reader) }()
		_, _ = io.Copy(client, upstream)
	}
}

// selfSignedCert makes a certificate for hosts that is its own authority,
// returning it for the server and PEM-encoded for the client's trust store.
func selfSignedCert(hosts []string) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	template := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "awsmfa benchmark STS stand-in"},
		DNSNames:              hosts,
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}
