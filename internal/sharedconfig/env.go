package sharedconfig

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/awsmfa/awsmfa/internal/redact"
)

// envSettings are the environment variables Settings come from. As in the
// SDK, a variable set to "" counts as unset, except where noted.
type envSettings struct {
	region          string
	fips, dualStack *bool // nil when unset
	maxAttempts     int
	caBundle        string
	ignoreEndpoints *bool
	endpointURL     string
	// endpointURLSet is AWS_ENDPOINT_URL being in the environment at all,
	// even empty: the SDK's clients then skip the [services] section.
	endpointURLSet bool
	// serviceEndpoints are the AWS_ENDPOINT_URL_<SUFFIX> variables, empty
	// ones included, by SUFFIX.
	serviceEndpoints map[string]string
}

const endpointURLEnv = "AWS_ENDPOINT_URL"

// readEnv reads the variables, refusing the values the SDK refuses, in the
// order it checks them.
func readEnv() (envSettings, error) {
	e := envSettings{region: os.Getenv("AWS_REGION")}
	if e.region == "" {
		e.region = os.Getenv("AWS_DEFAULT_REGION")
	}
	var err error
	if e.dualStack, err = envBool("AWS_USE_DUALSTACK_ENDPOINT"); err != nil {
		return envSettings{}, err
	}
	if e.fips, err = envBool("AWS_USE_FIPS_ENDPOINT"); err != nil {
		return envSettings{}, err
	}
	if v := os.Getenv("AWS_MAX_ATTEMPTS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return envSettings{}, fmt.Errorf("AWS_MAX_ATTEMPTS is %s, which is not a whole number; set it to a number of attempts such as 3, or unset it", redact.Quote(redact.Token, v))
		}
		e.maxAttempts = int(n)
	}
	if e.ignoreEndpoints, err = envBool("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"); err != nil {
		return envSettings{}, err
	}
	e.caBundle = os.Getenv("AWS_CA_BUNDLE")
	e.endpointURL, e.endpointURLSet = os.LookupEnv(endpointURLEnv)
	e.serviceEndpoints = serviceEndpointVars()
	return e, nil
}

// envBool reads a true/false variable, in any case, as the SDK does.
func envBool(name string) (*bool, error) {
	v := os.Getenv(name)
	switch {
	case v == "":
		return nil, nil
	case strings.EqualFold(v, "true"):
		return new(true), nil
	case strings.EqualFold(v, "false"):
		return new(false), nil
	}
	return nil, fmt.Errorf("%s is %s, which is neither true nor false; set it to true or false, or unset it", name, redact.Quote(redact.Token, v))
}

// serviceEndpointVars collects AWS_ENDPOINT_URL_<SUFFIX> for every service
// at once, since which services will be asked for is not known yet.
func serviceEndpointVars() map[string]string {
	var out map[string]string
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if runtime.GOOS == "windows" {
			name = strings.ToUpper(name) // Windows variable names ignore case
		}
		if suffix, ok := strings.CutPrefix(name, endpointURLEnv+"_"); ok {
			if out == nil {
				out = map[string]string{}
			}
			out[suffix] = value
		}
	}
	return out
}
