package stsstub

import (
	"crypto/subtle"
	"regexp"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters of AWS virtual MFA devices.
var totpOptions = totp.ValidateOpts{
	Period:    30,
	Skew:      1,
	Digits:    otp.DigitsSix,
	Algorithm: otp.AlgorithmSHA1,
}

var tokenCodePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{6}$`) })

// codeAt returns the code a device shows at t.
func codeAt(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOptions)
}

// timeStep numbers the 30-second windows since the Unix epoch.
func timeStep(t time.Time) int64 {
	return t.Unix() / int64(totpOptions.Period)
}

// matchingStep finds the window, within the allowed skew around now, whose
// code is code. Validation is done window by window (rather than with
// totp.ValidateCustom) because one-time use needs to know which window matched.
func matchingStep(secret, code string, now time.Time) (int64, bool) {
	period := time.Duration(totpOptions.Period) * time.Second
	skew := int(totpOptions.Skew)
	for offset := -skew; offset <= skew; offset++ {
		t := now.Add(time.Duration(offset) * period)
		want, err := codeAt(secret, t)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return timeStep(t), true
		}
	}
	return 0, false
}

// checkMFA validates serial and code for user and consumes the code. The
// caller holds s.mu, so two concurrent requests cannot both use one code.
func (s *Server) checkMFA(user *User, serial, code string, now time.Time) *apiError {
	secret, ok := user.MFADevices[serial]
	if !ok {
		return errAccessDenied(msgUnknownMFADevice)
	}
	step, ok := matchingStep(secret, code, now)
	if !ok || step <= s.lastUsedStep[serial] {
		return errAccessDenied(msgInvalidMFACode)
	}
	s.lastUsedStep[serial] = step
	return nil
}

// validateMFAParams applies STS's checks on SerialNumber and TokenCode
// before any device is looked at.
func validateMFAParams(serial, code string) *apiError {
	if (serial == "") != (code == "") {
		return errAccessDenied(msgMFAIncomplete)
	}
	if serial == "" {
		return nil
	}
	if e := validateLength("serialNumber", serial, 9, 256); e != nil {
		return e
	}
	if e := validateLength("tokenCode", code, 6, 6); e != nil {
		return e
	}
	if !tokenCodePattern().MatchString(code) {
		return validationFailure("tokenCode", code, `Member must satisfy regular expression pattern: [\d]*`)
	}
	return nil
}
