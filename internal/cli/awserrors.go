package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/awsclient"
)

// explainAWSError turns a failed IAM or STS call made with a profile's
// stored keys into one sentence that says what to do.
func explainAWSError(call string, err error, profile string, keys cache.Keys) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code, msg := apiErr.ErrorCode(), strings.TrimSpace(apiErr.ErrorMessage())
		switch {
		case code == "InvalidClientTokenId" || code == "ExpiredToken":
			return fmt.Errorf("%s: AWS does not recognise the stored access key %s (%s): it was deleted, deactivated or mistyped; store a valid key with: awsmfa setup --profile %s", call, keys.MaskedID(), code, profile)
		case code == "SignatureDoesNotMatch" && strings.Contains(msg, "Signature expired"):
			return fmt.Errorf("%s: AWS says this computer's clock is wrong (%s); synchronise the clock (e.g. enable NTP) and retry", call, msg)
		case code == "SignatureDoesNotMatch":
			return fmt.Errorf("%s: AWS rejected the signature made with the stored secret key for %s: the secret access key is wrong; store the right one with: awsmfa setup --profile %s", call, keys.MaskedID(), profile)
		case code == "AccessDenied" || code == "AccessDeniedException":
			return fmt.Errorf("%s was denied for %s: %s; ask your administrator for this permission (IAM users may manage their own MFA devices under the AWS policy example \"allow MFA-authenticated IAM users to manage their own MFA device\")", call, keys.MaskedID(), msg)
		}
		return fmt.Errorf("%s failed: %s: %s", call, code, msg)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s was cancelled", call)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s got no answer in time; check your network and retry", call)
	}
	return fmt.Errorf("%s failed: %v; check your network and the endpoint settings (AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS, endpoint_url)", call, awsclient.RootCause(err))
}

// apiErrorCode is the AWS error code of err, or "".
func apiErrorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}
