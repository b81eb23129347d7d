package cli

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithytime "github.com/aws/smithy-go/time"

	"github.com/awsmfa/awsmfa/internal/awsclient"
)

// probeResult is what one unsigned request to STS showed.
type probeResult struct {
	// ServerDate is the answer's Date header; Dated is false when it had
	// none that could be read.
	ServerDate time.Time
	Dated      bool
	// Sent and Received bracket the round trip.
	Sent, Received time.Time
}

// probeSTS sends one unsigned GetCallerIdentity to where the client's calls
// go, through the client's HTTP client (proxy and CA bundle included): any
// answer, a refusal included, proves the endpoint reachable, and its Date
// header shows STS's clock without a signature that skew would spoil.
func probeSTS(ctx context.Context, client *sts.Client) (probeResult, error) {
	o := client.Options()
	endpoint := awsclient.STSEndpointURL(ctx, client)
	body := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		return probeResult{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	var r probeResult
	r.Sent = time.Now()
	resp, err := o.HTTPClient.Do(req)
	r.Received = time.Now()
	if err != nil {
		return r, err
	}
	resp.Body.Close()
	date, err := smithytime.ParseHTTPDate(resp.Header.Get("Date"))
	r.ServerDate, r.Dated = date, err == nil
	return r, nil
}
