package awsquery

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/smithy-go"
)

// APIError is an error STS or IAM answered with. It implements
// smithy.APIError, so code that inspects SDK errors with errors.As handles
// it the same way.
type APIError struct {
	Service    string // "STS" or "IAM"
	Action     string // the action that failed, e.g. "GetSessionToken"
	StatusCode int
	Type       string // "Sender" or "Receiver"
	Code       string // e.g. "AccessDenied"
	Message    string // as the service wrote it, spaces included
	RequestID  string

	// retryAfter is the reply's x-amz-retry-after, when it had a valid one.
	retryAfter    int64 // milliseconds
	hasRetryAfter bool
}

var _ smithy.APIError = (*APIError)(nil)

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s %s: %s", e.Service, e.Action, e.Code)
	if message := strings.TrimSpace(e.Message); message != "" {
		s += ": " + message
	}
	s += fmt.Sprintf(" (HTTP %d", e.StatusCode)
	if e.RequestID != "" {
		s += ", request id " + e.RequestID
	}
	return s + ")"
}

// ErrorCode is the service's error code.
func (e *APIError) ErrorCode() string { return e.Code }

// ErrorMessage is the service's message, verbatim as the SDK gives it.
func (e *APIError) ErrorMessage() string { return e.Message }

// ErrorFault tells whether the caller or the service is at fault.
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
// checked, as the SDK does not check them: compatible servers differ.
type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// parseError turns a non-2xx reply into an *APIError. A body that is not an
// ErrorResponse (a proxy's HTML page, say) yields code "UnknownError", as in
// the SDK.
func parseError(service, action string, status int, header http.Header, body []byte) *APIError {
	e := &APIError{Service: service, Action: action, StatusCode: status, RequestID: header.Get("X-Amzn-Requestid")}
	e.retryAfter, e.hasRetryAfter = retryAfterMillis(header)
	var r errorResponse
	if err := xml.Unmarshal(body, &r); err == nil && r.Error.Code != "" {
		e.Type, e.Code, e.Message = r.Error.Type, r.Error.Code, r.Error.Message
		if r.RequestID != "" {
			e.RequestID = r.RequestID
		}
		return e
	}
	e.Code = "UnknownError"
	e.Message = fmt.Sprintf("HTTP %d %s without an AWS error in the reply", status, http.StatusText(status))
	return e
}

// throttlingCodes are the SDK's retry.DefaultThrottleErrorCodes.
var throttlingCodes = codeSet{"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException"}

// transientCodes are the SDK's retry.DefaultRetryableErrorCodes.
var transientCodes = codeSet{"RequestTimeout", "RequestTimeoutException"}

// retryableStatus are the SDK's retry.DefaultRetryableHTTPStatusCodes.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// clockSkewCodes are the codes the SDK's retryer takes for a clock skew
// error when the reply's Date shows the signing time was off by more than
// skewThreshold.
var clockSkewCodes = codeSet{"InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure", "RequestTimeTooSkewed", "AccessDeniedException"}

// service describes what differs between STS and IAM.
type service struct {
	name        string // "STS", "IAM"
	signingName string // the service in the SigV4 scope
	apiVersion  string
	// extraRetryCodes are retried on top of the SDK's defaults.
	extraRetryCodes codeSet
	// modeledCodes are the error codes the SDK's client decodes into its own
	// error types (shape names and awsQueryError codes). The SDK retries an
	// HTTP 429 only when its error is not one of them.
	modeledCodes codeSet
	// mutating are the actions not safe to repeat when they may have run.
	mutating codeSet
}

var stsService = &service{
	name: "STS", signingName: "sts", apiVersion: "2011-06-15",
	// The SDK's STS client adds this (finalizeSTSRetryableErrors).
	extraRetryCodes: codeSet{"IDPCommunicationError"},
	modeledCodes: codeSet{
		"ExpiredTokenException", "ExpiredTradeInTokenException", "IDPCommunicationError", "IDPCommunicationErrorException",
		"IDPRejectedClaim", "IDPRejectedClaimException", "InvalidAuthorizationMessageException", "InvalidIdentityToken",
		"InvalidIdentityTokenException", "JWTPayloadSizeExceededException", "MalformedPolicyDocument",
		"MalformedPolicyDocumentException", "OutboundWebIdentityFederationDisabledException", "PackedPolicyTooLarge",
		"PackedPolicyTooLargeException", "RegionDisabledException", "SessionDurationEscalationException"},
}

var iamService = &service{
	name: "IAM", signingName: "iam", apiVersion: "2010-05-08",
	modeledCodes: codeSet{
		"AccountNotManagementOrDelegatedAdministratorException", "CallerIsNotManagementAccountException",
		"ConcurrentModification", "ConcurrentModificationException", "ReportExpired", "CredentialReportExpiredException",
		"ReportNotPresent", "CredentialReportNotPresentException", "ReportInProgress", "CredentialReportNotReadyException",
		"DeleteConflict", "DeleteConflictException", "DuplicateCertificate", "DuplicateCertificateException",
		"DuplicateSSHPublicKey", "DuplicateSSHPublicKeyException", "EntityAlreadyExists", "EntityAlreadyExistsException",
		"EntityTemporarilyUnmodifiable", "EntityTemporarilyUnmodifiableException", "FeatureDisabled", "FeatureDisabledException",
		"FeatureEnabled", "FeatureEnabledException", "InvalidAuthenticationCode", "InvalidAuthenticationCodeException",
		"InvalidCertificate", "InvalidCertificateException", "InvalidInput", "InvalidInputException",
		"InvalidPublicKey", "InvalidPublicKeyException", "InvalidUserType", "InvalidUserTypeException",
		"KeyPairMismatch", "KeyPairMismatchException", "LimitExceeded", "LimitExceededException",
		"MalformedCertificate", "MalformedCertificateException", "MalformedPolicyDocument", "MalformedPolicyDocumentException",
		"NameConflict", "NameConflictException", "NoSuchEntity", "NoSuchEntityException",
		"OpenIdIdpCommunicationError", "OpenIdIdpCommunicationErrorException", "OrganizationNotFoundException",
		"OrganizationNotInAllFeaturesModeException", "PasswordPolicyViolation", "PasswordPolicyViolationException",
		"PolicyEvaluation", "PolicyEvaluationException", "PolicyNotAttachable", "PolicyNotAttachableException",
		"ReportGenerationLimitExceeded", "ReportGenerationLimitExceededException", "RoleModified", "RoleModifiedException",
		"RoleTemplateDisabled", "RoleTemplateDisabledException", "ServiceAccessNotEnabledException",
		"ServiceFailure", "ServiceFailureException", "NotSupportedService", "ServiceNotSupportedException",
		"UnmodifiableEntity", "UnmodifiableEntityException", "UnrecognizedPublicKeyEncoding", "UnrecognizedPublicKeyEncodingException"},
	// Creating a device twice orphans one; enabling twice replays the codes.
	mutating: codeSet{"CreateVirtualMFADevice", "EnableMFADevice"},
}

// codeSet is a short list of names. A list, not a map: a map literal is
// built at package initialisation, which every run of awsmfa pays for.
type codeSet []string

func (c codeSet) has(name string) bool { return slices.Contains(c, name) }

// isThrottle is the SDK's retry.DefaultThrottles: a throttling code, or an
// HTTP 429 whose error the client does not model.
func (s *service) isThrottle(e *APIError) bool {
	return throttlingCodes.has(e.Code) || e.StatusCode == http.StatusTooManyRequests && !s.modeledCodes.has(e.Code)
}

// retryableAPIError is the SDK standard retryer's verdict on a reply.
func (s *service) retryableAPIError(e *APIError) bool {
	return retryableStatus(e.StatusCode) || s.isThrottle(e) || transientCodes.has(e.Code) || s.extraRetryCodes.has(e.Code)
}

// retryableTransportError is the SDK's verdict on a request that got no
// reply: every failure to send is retried (smithy's RequestSendError is a
// connection error), except a host name that does not exist. Certificates
// that fail verification are not retried either, unlike the SDK: the next
// attempt meets the same certificate.
func retryableTransportError(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return false
	}
	return !isCertificateError(err)
}

// retryableReadError is the SDK's verdict on a reply whose body broke off:
// a network error or a cut connection is retried.
func retryableReadError(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "use of closed network connection")
}

func isCertificateError(err error) bool {
	var verifyErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	return errors.As(err, &verifyErr) || errors.As(err, &unknownAuthority) || errors.As(err, &invalid) || errors.As(err, &hostname)
}

// notSent reports whether a transport error proves the request never
// reached the server: the connection was never made.
func notSent(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
