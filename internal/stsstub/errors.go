package stsstub

import (
	"fmt"
	"net/http"
)

// apiError is an STS error as it goes on the wire.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// The messages below are copied from real STS replies, down to the odd
// spacing, because clients and users match on them.
const (
	msgInvalidMFACode   = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
	msgUnknownMFADevice = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	msgMFAIncomplete    = "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
	msgBadSignature     = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

func errInvalidClientTokenID() *apiError {
	return &apiError{http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid."}
}

func errExpiredToken() *apiError {
	return &apiError{http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired"}
}

func errSignatureDoesNotMatch(message string) *apiError {
	return &apiError{http.StatusForbidden, "SignatureDoesNotMatch", message}
}

func errIncompleteSignature(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "IncompleteSignature", fmt.Sprintf(format, args...)}
}

func errMissingAuthenticationToken() *apiError {
	return &apiError{http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token"}
}

func errAccessDenied(message string) *apiError {
	return &apiError{http.StatusForbidden, "AccessDenied", message}
}

func errValidation(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationError", fmt.Sprintf(format, args...)}
}

func errInvalidAction(action, version string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidAction",
		fmt.Sprintf("Could not find operation %s for version %s", action, version)}
}

// errorType is the <Type> element: Sender for the caller's faults, Receiver
// for the service's own.
func errorType(status int) string {
	if status >= 500 {
		return "Receiver"
	}
	return "Sender"
}
