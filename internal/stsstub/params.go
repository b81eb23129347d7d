package stsstub

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// validationFailure words a parameter error the way STS does (its Coral
// framework names parameters in lowerCamelCase).
func validationFailure(field, value, constraint string) *apiError {
	return errValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

func missingParameter(field string) *apiError {
	return errValidation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
}

func validateLength(field, value string, minLen, maxLen int) *apiError {
	if len(value) < minLen {
		return validationFailure(field, value, fmt.Sprintf("Member must have length greater than or equal to %d", minLen))
	}
	if len(value) > maxLen {
		return validationFailure(field, value, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	}
	return nil
}

func validatePattern(field, value string, pattern func() *regexp.Regexp, shown string) *apiError {
	if !pattern().MatchString(value) {
		return validationFailure(field, value, "Member must satisfy regular expression pattern: "+shown)
	}
	return nil
}

// durationParam reads DurationSeconds, falling back to def and enforcing
// the API's bounds.
func durationParam(raw string, def, minimum, maximum time.Duration) (time.Duration, *apiError) {
	if raw == "" {
		return def, nil
	}
	seconds, err := strconv.ParseInt(raw, 10, 32)
	if err != nil {
		return 0, &apiError{400, "MalformedInput", fmt.Sprintf("Value %s for parameter DurationSeconds is invalid.", raw)}
	}
	d := time.Duration(seconds) * time.Second
	if d < minimum {
		return 0, validationFailure("durationSeconds", raw, fmt.Sprintf("Member must have value greater than or equal to %d", int(minimum.Seconds())))
	}
	if d > maximum {
		return 0, validationFailure("durationSeconds", raw, fmt.Sprintf("Member must have value less than or equal to %d", int(maximum.Seconds())))
	}
	return d, nil
}
