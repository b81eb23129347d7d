package cli

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
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

// probeSTS sends one GetCallerIdentity through the client (its endpoint,
// proxy and CA bundle), tried once and signed with a key that names nobody
// (the SDK signs every request): any answer, the refusal included, proves
// the endpoint reachable, and its Date header shows STS's clock whether or
// not this computer's is right.
func probeSTS(ctx context.Context, client *sts.Client) (probeResult, error) {
	var r probeResult
	r.Sent = time.Now()
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.Options) {
		o.Credentials = aws.NewCredentialsCache(awsclient.Static(probeKeyID, "awsmfa-doctor-probe", ""))
		o.RetryMaxAttempts = 1
	})
	r.Received = time.Now()
	var respErr *awshttp.ResponseError
	switch {
	case err == nil:
		r.ServerDate, r.Dated = awsmiddleware.GetServerTime(out.ResultMetadata)
	case errors.As(err, &respErr) && respErr.HTTPStatusCode() != 0:
		r.ServerDate, r.Dated = serverDate(respErr.Response.Header)
	default:
		return r, err
	}
	return r, nil
}

// probeKeyID is an access key id of the right shape that no user has.
const probeKeyID = "AKIA0000000000000000"

func serverDate(h http.Header) (time.Time, bool) {
	t, err := smithytime.ParseHTTPDate(h.Get("Date"))
	return t, err == nil
}
