package stsstub

import (
	"regexp"
	"sync"
	"time"
)

// Limits from the STS API reference.
const (
	sessionTokenDefault = 12 * time.Hour
	sessionTokenMin     = 15 * time.Minute
	sessionTokenMax     = 36 * time.Hour
	assumeRoleDefault   = time.Hour
	assumeRoleMin       = 15 * time.Minute
	assumeRoleMax       = 12 * time.Hour
	roleChainingMax     = time.Hour
)

// Patterns are compiled on first use: the stand-in is linked into awsmfa
// (for demo), and init-time work slows every awsmfa run.
var (
	roleSessionNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]*$`) })
	externalIDPattern      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@:/-]*$`) })
)

func (s *Server) getSessionToken(req request) (any, *apiError) {
	duration, apiErr := durationParam(req.params.Get("DurationSeconds"), sessionTokenDefault, sessionTokenMin, sessionTokenMax)
	if apiErr != nil {
		return nil, apiErr
	}
	serial, code := req.params.Get("SerialNumber"), req.params.Get("TokenCode")
	if apiErr := validateMFAParams(serial, code); apiErr != nil {
		return nil, apiErr
	}
	if req.caller.session != nil {
		return nil, errAccessDenied("Cannot call GetSessionToken with session credentials")
	}
	if serial != "" {
		if apiErr := s.checkMFA(req.caller.user, serial, code, req.now); apiErr != nil {
			return nil, apiErr
		}
	}
	sess := s.issueSession(req.caller.user, serial != "", nil, duration, req.now)
	return getSessionTokenResponse{
		Xmlns:    stsNamespace,
		Result:   credentialsOf(sess),
		Metadata: responseMetadata{req.requestID},
	}, nil
}

func (s *Server) getCallerIdentity(req request) (any, *apiError) {
	resp := getCallerIdentityResponse{Xmlns: stsNamespace, Metadata: responseMetadata{req.requestID}}
	resp.Result.Arn, resp.Result.UserID, resp.Result.Account = req.caller.identity()
	return resp, nil
}

func (s *Server) assumeRole(req request) (any, *apiError) {
	p := req.params
	roleARN, sessionName, externalID := p.Get("RoleArn"), p.Get("RoleSessionName"), p.Get("ExternalId")
	serial, code := p.Get("SerialNumber"), p.Get("TokenCode")

	if roleARN == "" {
		return nil, missingParameter("roleArn")
	}
	if sessionName == "" {
		return nil, missingParameter("roleSessionName")
	}
	if apiErr := firstError(
		validateLength("roleArn", roleARN, 20, 2048),
		validateLength("roleSessionName", sessionName, 2, 64),
		validatePattern("roleSessionName", sessionName, roleSessionNamePattern, `[\w+=,.@-]*`),
	); apiErr != nil {
		return nil, apiErr
	}
	if externalID != "" {
		if apiErr := firstError(
			validateLength("externalId", externalID, 2, 1224),
			validatePattern("externalId", externalID, externalIDPattern, `[\w+=,.@:\/-]*`),
		); apiErr != nil {
			return nil, apiErr
		}
	}
	duration, apiErr := durationParam(p.Get("DurationSeconds"), assumeRoleDefault, assumeRoleMin, assumeRoleMax)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := validateMFAParams(serial, code); apiErr != nil {
		return nil, apiErr
	}
	partition, account, roleName, ok := parseRoleARN(roleARN)
	if !ok {
		return nil, errValidation("Request ARN is invalid")
	}
	if req.caller.session != nil && req.caller.session.federated {
		return nil, errAccessDenied("Cannot call AssumeRole with federation token credentials")
	}
	// Signing with temporary credentials makes this role chaining.
	if req.caller.session != nil && duration > roleChainingMax {
		return nil, errValidation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}

	callerARN, _, _ := req.caller.identity()
	notAuthorized := errAccessDenied("User: " + callerARN + " is not authorized to perform: sts:AssumeRole on resource: " + roleARN)
	role := s.roles[roleARN]
	if len(s.roles) > 0 && role == nil {
		return nil, notAuthorized
	}
	if role != nil && role.ExternalID != "" && !constantTimeEqual(role.ExternalID, externalID) {
		return nil, notAuthorized
	}
	if role != nil && role.MaxSessionDuration > 0 && duration > role.MaxSessionDuration {
		return nil, errValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if serial != "" {
		if apiErr := s.checkMFA(req.caller.user, serial, code, req.now); apiErr != nil {
			return nil, apiErr
		}
	}
	// An MFA session carries its MFA proof into roles it assumes.
	mfa := serial != "" || req.caller.mfaAuthenticated()
	if role != nil && role.RequireMFA && !mfa {
		return nil, notAuthorized
	}

	assumed := &assumedRole{
		accountID:     account,
		assumedRoleID: uniqueID("AROA", roleARN) + ":" + sessionName,
		arn:           "arn:" + partition + ":sts::" + account + ":assumed-role/" + roleName + "/" + sessionName,
	}
	sess := s.issueSession(req.caller.user, mfa, assumed, duration, req.now)
	resp := assumeRoleResponse{Xmlns: stsNamespace, Metadata: responseMetadata{req.requestID}}
	resp.Result.AssumedRoleUser.AssumedRoleID = assumed.assumedRoleID
	resp.Result.AssumedRoleUser.Arn = assumed.arn
	resp.Result.Credentials = credentialsOf(sess)
	return resp, nil
}

func firstError(errs ...*apiError) *apiError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
