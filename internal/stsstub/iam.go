package stsstub

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// This file adds the IAM calls that MFA enrolment and setup need. IAM
// speaks the same Query protocol as STS, with its own version, and a client
// reaches it through AWS_ENDPOINT_URL_IAM; the stand-in tells the two apart
// by the service in the request's SigV4 credential scope, as AWS does by host.

const (
	iamVersion = "2010-05-08"
	// maxMFADevicesPerUser is IAM's quota of MFA devices per user.
	maxMFADevicesPerUser = 8
)

var iamActions = map[string]actionHandler{
	"GetUser":                (*Server).iamGetUser,
	"CreateVirtualMFADevice": (*Server).iamCreateVirtualMFADevice,
	"EnableMFADevice":        (*Server).iamEnableMFADevice,
	"DeactivateMFADevice":    (*Server).iamDeactivateMFADevice,
	"DeleteVirtualMFADevice": (*Server).iamDeleteVirtualMFADevice,
	"ListMFADevices":         (*Server).iamListMFADevices,
	"ListAccessKeys":         (*Server).iamListAccessKeys,
	"CreateAccessKey":        (*Server).iamCreateAccessKey,
	"UpdateAccessKey":        (*Server).iamUpdateAccessKey,
	"DeleteAccessKey":        (*Server).iamDeleteAccessKey,
}

// actionsFor returns the action table and API version of the service the
// request is signed for. Unsigned requests are STS's, which answers them
// with MissingAuthenticationToken.
func actionsFor(r *http.Request) (map[string]actionHandler, string) {
	if scopedService(r.Header.Get("Authorization")) == "iam" {
		return iamActions, iamVersion
	}
	return actions, stsVersion
}

// scopedService reads SERVICE from "... Credential=AKID/DATE/REGION/SERVICE/aws4_request, ...".
func scopedService(authorization string) string {
	_, rest, ok := strings.Cut(authorization, "Credential=")
	if !ok {
		return ""
	}
	credential, _, _ := strings.Cut(rest, ",")
	parts := strings.Split(strings.TrimSpace(credential), "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[3]
}

// servedService reports whether a SigV4 scope names a service the stand-in answers.
func servedService(service string) bool { return service == "sts" || service == "iam" }

// virtualMFADevice is one IAM virtual MFA device.
type virtualMFADevice struct {
	serial, seed string
	user         *User // nil while not assigned
	enabled      time.Time
}

// iamState is the stand-in's IAM world; it is guarded by Server.mu.
type iamState struct {
	devices   map[string]*virtualMFADevice // by serial
	nextSeeds []string
	created   time.Time
}

// iam returns the IAM state, made on first use from the configured users,
// whose MFA devices count as enabled virtual devices. The caller holds s.mu.
func (s *Server) iam() *iamState {
	if s.iamData != nil {
		return s.iamData
	}
	st := &iamState{devices: map[string]*virtualMFADevice{}, created: s.clock.Now()}
	for _, u := range s.users {
		for serial, seed := range u.MFADevices {
			st.devices[serial] = &virtualMFADevice{serial: serial, seed: seed, user: u, enabled: st.created}
		}
	}
	s.iamData = st
	return st
}

// SetNextVirtualMFASeed makes the next CreateVirtualMFADevice hand out seed
// (base32) instead of a random one, so a test can compute the codes of a
// device before the program under test creates it.
func (s *Server) SetNextVirtualMFASeed(seed string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.iam()
	st.nextSeeds = append(st.nextSeeds, seed)
}

// VirtualMFADevice reports whether the device exists and to which user it
// is assigned ("" when unassigned).
func (s *Server) VirtualMFADevice(serial string) (assignedTo string, exists bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.iam().devices[serial]
	if !ok {
		return "", false
	}
	if d.user != nil {
		return d.user.UserName, true
	}
	return "", true
}

var (
	iamNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]+$`) })
	iamPathPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/([\x21-\x7E]*/)?$`) })
)

// iamCaller checks that the caller may use IAM at all: a session from
// GetSessionToken only if it was made with MFA. Policies are not modelled.
func iamCaller(req request) *apiError {
	if s := req.caller.session; s != nil && s.federated {
		return errAccessDenied("Cannot call IAM with federation token credentials.")
	}
	if s := req.caller.session; s != nil && s.role == nil && !s.mfa {
		return errAccessDenied("Cannot call IAM with session credentials that were not authenticated with MFA.")
	}
	return nil
}

// targetUser is the UserName parameter's user, or the calling user when it
// is absent (which a role session cannot do).
func (s *Server) targetUser(req request) (*User, *apiError) {
	name := req.params.Get("UserName")
	if name == "" {
		if req.caller.session != nil && req.caller.session.role != nil {
			return nil, errValidation("Must specify userName when calling with non-User credentials")
		}
		return req.caller.user, nil
	}
	for _, u := range s.users {
		if u.UserName == name {
			return u, nil
		}
	}
	return nil, errNoSuchEntity("The user with name " + name + " cannot be found.")
}

func (s *Server) iamGetUser(req request) (any, *apiError) {
	if e := iamCaller(req); e != nil {
		return nil, e
	}
	u, e := s.targetUser(req)
	if e != nil {
		return nil, e
	}
	resp := getUserResponse{Xmlns: iamNamespace, Metadata: responseMetadata{req.requestID}}
	resp.User = iamUserXML{
		Path:       "/",
		UserName:   u.UserName,
		UserID:     uniqueID("AIDA", u.ARN()),
		Arn:        u.ARN(),
		CreateDate: formatExpiration(s.iam().created),
	}
	return resp, nil
}

func (s *Server) iamCreateVirtualMFADevice(req request) (any, *apiError) {
	if e := iamCaller(req); e != nil {
		return nil, e
	}
	name, path := req.params.Get("VirtualMFADeviceName"), req.params.Get("Path")
	if name == "" {
		return nil, missingParameter("virtualMFADeviceName")
	}
	if path == "" {
		path = "/"
	}
	if e := firstError(
		validateLength("virtualMFADeviceName", name, 1, 226),
		validatePattern("virtualMFADeviceName", name, iamNamePattern, `[\w+=,.@-]+`),
		validateLength("path", path, 1, 512),
		validatePattern("path", path, iamPathPattern, `(\u002F)|(\u002F[\u0021-\u007F]+\u002F)`),
	); e != nil {
		return nil, e
	}
	_, _, account := req.caller.identity()
	serial := "arn:aws:iam::" + account + ":mfa" + path + name
	st := s.iam()
	if _, exists := st.devices[serial]; exists {
		return nil, &apiError{http.StatusConflict, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists."}
	}
	seed := upperAlnum.EncodeToString(randomBytes(40)) // 64 characters, like IAM's
	if len(st.nextSeeds) > 0 {
		seed, st.nextSeeds = st.nextSeeds[0], st.nextSeeds[1:]
	}
	png, err := otpauthQRCode(name, account, seed)
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "ServiceFailure", "Could not draw the QR code."}
	}
	st.devices[serial] = &virtualMFADevice{serial: serial, seed: seed}
	resp := createVirtualMFADeviceResponse{Xmlns: iamNamespace, Metadata: responseMetadata{req.requestID}}
	resp.Device.SerialNumber = serial
	// Blobs travel base64-encoded in the Query protocol; the SDK decodes
	// them, so clients see the base32 text and the PNG bytes.
	resp.Device.Base32StringSeed = []byte(seed)
	resp.Device.QRCodePNG = png
	return resp, nil
}

func (s *Server) iamEnableMFADevice(req request) (any, *apiError) {
	if e := iamCaller(req); e != nil {
		return nil, e
	}
	p := req.params
	serial, code1, code2 := p.Get("SerialNumber"), p.Get("AuthenticationCode1"), p.Get("AuthenticationCode2")
	for field, v := range map[string]string{"userName": p.Get("UserName"), "serialNumber": serial, "authenticationCode1": code1, "authenticationCode2": code2} {
		if v == "" {
			return nil, missingParameter(field)
		}
	}
	for field, code := range map[string]string{"authenticationCode1": code1, "authenticationCode2": code2} {
		if e := firstError(validateLength(field, code, 6, 6), validatePattern(field, code, tokenCodePattern, `[\d]+`)); e != nil {
			return nil, e
		}
	}
	user, e := s.targetUser(req)
	if e != nil {
		return nil, e
	}
	st := s.iam()
	d, ok := st.devices[serial]
	if !ok {
		return nil, errNoSuchEntity("VirtualMFADevice with serial number " + serial + " does not exist.")
	}
	if d.user != nil {
		return nil, &apiError{http.StatusConflict, "EntityAlreadyExists", "MFA Device is already in use."}
	}
	if len(user.MFADevices) >= maxMFADevicesPerUser {
		return nil, &apiError{http.StatusConflict, "LimitExceeded", "Cannot exceed quota for MFADevicesPerUser: 8"}
	}
	second, ok := consecutiveCodes(d.seed, code1, code2, req.now)
	if !ok {
		return nil, &apiError{http.StatusForbidden, "InvalidAuthenticationCode", "Authentication code for device is not valid."}
	}
	d.user, d.enabled = user, req.now
	// A copy, so a map handed in through Config is never changed under its owner.
	devices := maps.Clone(user.MFADevices)
	if devices == nil {
		devices = map[string]string{}
	}
	devices[serial] = d.seed
	user.MFADevices = devices
	// The codes are spent: the next MFA call needs a newer one.
	s.lastUsedStep[serial] = second
	return emptyIAMResponse("EnableMFADeviceResponse", req.requestID), nil
}

// consecutiveCodes finds two consecutive windows showing code1 then code2,
// the later one no further from now than the device clock skew STS allows,
// and returns the later window. The user typed code1 first and waited, so
// the pair may start up to a few windows ago.
func consecutiveCodes(seed, code1, code2 string, now time.Time) (int64, bool) {
	period := time.Duration(totpOptions.Period) * time.Second
	for back := 3; back >= 0; back-- {
		first := now.Add(-time.Duration(back) * period)
		c1, err1 := codeAt(seed, first)
		c2, err2 := codeAt(seed, first.Add(period))
		if err1 == nil && err2 == nil && constantTimeEqual(c1, code1) && constantTimeEqual(c2, code2) {
			return timeStep(first) + 1, true
		}
	}
	return 0, false
}

func (s *Server) iamDeactivateMFADevice(req request) (any, *apiError) {
	if e := iamCaller(req); e != nil {
		return nil, e
	}
	serial := req.params.Get("SerialNumber")
	if serial == "" {
		return nil, missingParameter("serialNumber")
	}
	user, e := s.targetUser(req)
	if e != nil {
		return nil, e
	}
	d, ok := s.iam().devices[serial]
	if !ok || d.user != user {
		return nil, errNoSuchEntity("MFA Device with serial number " + serial + " not found for user " + user.UserName + ".")
	}
	d.user = nil
	devices := maps.Clone(user.MFADevices)
	delete(devices, serial)
	user.MFADevices = devices
	return emptyIAMResponse("DeactivateMFADeviceResponse", req.requestID), nil
}

func (s *Server) iamDeleteVirtualMFADevice(req request) (any, *apiError) {
	if e := iamCaller(req); e != nil {
		return nil, e
	}
	serial := req.params.Get("SerialNumber")
	if serial == "" {
		return nil, missingParameter("serialNumber")
	}
	st := s.iam()
	d, ok := st.devices[serial]
	if !ok {
		return nil, errNoSuchEntity("VirtualMFADevice with serial number " + serial + " does not exist.")
	}
	if d.user != nil {
		return nil, &apiError{http.StatusConflict, "DeleteConflict", "MFA Device is still in use."}
	}
	delete(st.devices, serial)
	return emptyIAMResponse("DeleteVirtualMFADeviceResponse", req.requestID), nil
}

func (s *Server) iamListMFADevices(req request) (any, *apiError) {
	if e := iamCaller(req); e != nil {
		return nil, e
	}
	user, e := s.targetUser(req)
	if e != nil {
		return nil, e
	}
	st := s.iam()
	serials := slices.Sorted(maps.Keys(user.MFADevices))
	resp := listMFADevicesResponse{Xmlns: iamNamespace, Metadata: responseMetadata{req.requestID}}
	for _, serial := range serials {
		enabled := st.created
		if d, ok := st.devices[serial]; ok {
			enabled = d.enabled
		}
		resp.Devices = append(resp.Devices, mfaDeviceXML{UserName: user.UserName, SerialNumber: serial, EnableDate: formatExpiration(enabled)})
	}
	return resp, nil
}

func errNoSuchEntity(message string) *apiError {
	return &apiError{http.StatusNotFound, "NoSuchEntity", message}
}
