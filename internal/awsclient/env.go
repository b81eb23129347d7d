package awsclient

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/awsmfa/awsmfa/internal/redact"
)

// SettingError is an environment variable the SDK refuses, said so that the
// user knows what to set, without repeating a value that may be a secret
// pasted into the wrong place.
type SettingError struct{ msg string }

func (e *SettingError) Error() string { return e.msg }

// envProblem names the first variable the SDK's loader would refuse, in the
// order it reads them; nil when none is the reason it failed.
func envProblem() error {
	for _, name := range []string{"AWS_USE_DUALSTACK_ENDPOINT", "AWS_USE_FIPS_ENDPOINT"} {
		if err := envBool(name); err != nil {
			return err
		}
	}
	if v := os.Getenv("AWS_MAX_ATTEMPTS"); v != "" {
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return &SettingError{fmt.Sprintf("AWS_MAX_ATTEMPTS is %s, which is not a whole number; set it to a number of attempts such as 3, or unset it", redact.Quote(redact.Token, v))}
		}
	}
	if v := os.Getenv("AWS_RETRY_MODE"); v != "" && !strings.EqualFold(v, "standard") && !strings.EqualFold(v, "adaptive") {
		return &SettingError{fmt.Sprintf("AWS_RETRY_MODE is %s, which the AWS SDKs do not know; set it to standard or adaptive, or unset it", redact.Quote(redact.Token, v))}
	}
	return envBool("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
}

func envBool(name string) error {
	v := os.Getenv(name)
	if v == "" || strings.EqualFold(v, "true") || strings.EqualFold(v, "false") {
		return nil
	}
	return &SettingError{fmt.Sprintf("%s is %s, which is neither true nor false; set it to true or false, or unset it", name, redact.Quote(redact.Token, v))}
}
