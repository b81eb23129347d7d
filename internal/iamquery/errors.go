package iamquery

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/smithy-go"
)

// APIError is an error IAM answered with. It implements smithy.APIError, so
// code that inspects SDK errors with errors.As handles it the same way.
type APIError struct {
	Action     string // the IAM action that failed, e.g. "GetUser"
	StatusCode int
	Type       string // "Sender" or "Receiver"
	Code       string // e.g. "NoSuchEntity"
	Message    string
	RequestID  string
}

var _ smithy.APIError = (*APIError)(nil)

func (e *APIError) Error() string {
	s := fmt.Sprintf("IAM %s: %s: %s (HTTP %d", e.Action, e.Code, e.Message, e.StatusCode)
	if e.RequestID != "" {
		s += ", request id " + e.RequestID
	}
	return s + ")"
}

// ErrorCode is IAM's error code.
func (e *APIError) ErrorCode() string { return e.Code }

// ErrorMessage is IAM's message.
func (e *APIError) ErrorMessage() string { return e.Message }

// ErrorFault tells whether the caller or IAM is at fault.
func (e *APIError) ErrorFault() smithy.ErrorFault {
	switch e.Type {
	case "Sender":
		return smithy.FaultClient
	case "Receiver":
		return smithy.FaultServer
	}
	return smithy.FaultUnknown
}

// errorResponse is the Query protocol's error reply. Namespaces are not
// checked, as the SDK does not check them: IAM-compatible servers differ.
type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// parseError turns a non-2xx reply into an *APIError; a body that is not an
// ErrorResponse (a proxy's HTML page, say) yields code "UnknownError".
func parseError(action string, status int, requestID string, body []byte) *APIError {
	e := &APIError{Action: action, StatusCode: status, RequestID: requestID}
	var r errorResponse
	if err := xml.Unmarshal(body, &r); err == nil && r.Error.Code != "" {
		e.Type, e.Code, e.Message = r.Error.Type, r.Error.Code, strings.TrimSpace(r.Error.Message)
		if r.RequestID != "" {
			e.RequestID = r.RequestID
		}
		return e
	}
	e.Code = "UnknownError"
	e.Message = fmt.Sprintf("HTTP %d %s without an AWS error in the reply", status, http.StatusText(status))
	return e
}

// throttlingCodes are the error codes the SDK's standard retryer treats as
// throttling, plus IAM's own.
var throttlingCodes = map[string]bool{
	"Throttling":                             true,
	"ThrottlingException":                    true,
	"ThrottledException":                     true,
	"RequestThrottledException":              true,
	"TooManyRequestsException":               true,
	"ProvisionedThroughputExceededException": true,
	"TransactionInProgressException":         true,
	"RequestLimitExceeded":                   true,
	"BandwidthLimitExceeded":                 true,
	"LimitExceededException":                 true,
	"RequestThrottled":                       true,
	"SlowDown":                               true,
	"PriorRequestNotComplete":                true,
	"EC2ThrottledException":                  true,
	"RequestTimeout":                         true,
	"RequestTimeoutException":                true,
}

// retryable reports whether another attempt may succeed: throttling, a
// server error, or a connection that failed or timed out. IAM's
// "LimitExceeded" is a quota, not throttling, and is not retried.
func retryable(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		switch apiErr.StatusCode {
		case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
			http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return throttlingCodes[apiErr.Code]
	}
	// *url.Error itself implements net.Error: look at what it wraps.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// notExecuted reports whether err proves IAM never carried out the request:
// it throttled it, or the connection was never made. Only then may a call
// that changes something (creating or enabling a device) be sent again; a
// lost reply or a 5xx may hide a request that did happen, and repeating it
// would orphan a device or replay the two codes.
func notExecuted(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return throttlingCodes[apiErr.Code]
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
