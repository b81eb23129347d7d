package stsstub

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// This file adds IAM's access-key calls, which `awsmfa rotate` makes:
// ListAccessKeys, CreateAccessKey, UpdateAccessKey and DeleteAccessKey.

// maxAccessKeysPerUser is IAM's quota of access keys per user.
const maxAccessKeysPerUser = 2

// accessKey is one long-term key of a user; it is guarded by Server.mu.
type accessKey struct {
	id, secret string
	user       *User
	active     bool
	created    time.Time
	seq        int // order of creation, for keys made in the same instant
	// fresh marks a key made by CreateAccessKey, which the stand-in may
	// refuse for a while (Config.NewKeyDelay); configured keys never are.
	fresh bool
}

// usable reports whether a request signed with the key is accepted now.
func (k *accessKey) usable(now time.Time, newKeyDelay time.Duration) bool {
	return k.active && (!k.fresh || !now.Before(k.created.Add(newKeyDelay)))
}

func (k *accessKey) status() string {
	if k.active {
		return "Active"
	}
	return "Inactive"
}

// AccessKey is what a test sees of one of a user's keys.
type AccessKey struct {
	ID     string
	Active bool
}

// AccessKeys lists the user's access keys, oldest first.
func (s *Server) AccessKeys(userName string) []AccessKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []AccessKey
	for _, k := range s.keysOf(userName) {
		out = append(out, AccessKey{ID: k.id, Active: k.active})
	}
	return out
}

// SetNewKeyDelay sets Config.NewKeyDelay for keys created from now on and
// for those not accepted yet.
func (s *Server) SetNewKeyDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.newKeyDelay = d
}

// addKey remembers k as the newest key; the caller holds s.mu.
func (s *Server) addKey(k *accessKey) {
	s.keysMade++
	k.seq = s.keysMade
	s.accessKeys[k.id] = k
}

// keysOf is the user's keys, oldest first; the caller holds s.mu.
func (s *Server) keysOf(userName string) []*accessKey {
	var keys []*accessKey
	for _, k := range s.accessKeys {
		if k.user.UserName == userName {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b *accessKey) int {
		if c := a.created.Compare(b.created); c != 0 {
			return c
		}
		return a.seq - b.seq
	})
	return keys
}

// userKey finds the AccessKeyId parameter among the target user's keys.
func (s *Server) userKey(req request) (*accessKey, *apiError) {
	if e := iamCaller(req); e != nil {
		return nil, e
	}
	user, e := s.targetUser(req)
	if e != nil {
		return nil, e
	}
	id := req.params.Get("AccessKeyId")
	if id == "" {
		return nil, missingParameter("accessKeyId")
	}
	k, ok := s.accessKeys[id]
	if !ok || k.user != user {
		return nil, errNoSuchEntity("The Access Key with id " + id + " cannot be found.")
	}
	return k, nil
}

type accessKeyMetadataXML struct {
	UserName    string `xml:"UserName"`
	AccessKeyID string `xml:"AccessKeyId"`
	Status      string `xml:"Status"`
	CreateDate  string `xml:"CreateDate"`
}

type listAccessKeysResponse struct {
	XMLName     xml.Name               `xml:"ListAccessKeysResponse"`
	Xmlns       string                 `xml:"xmlns,attr"`
	Keys        []accessKeyMetadataXML `xml:"ListAccessKeysResult>AccessKeyMetadata>member"`
	IsTruncated bool                   `xml:"ListAccessKeysResult>IsTruncated"`
	Metadata    responseMetadata       `xml:"ResponseMetadata"`
}

type createAccessKeyResponse struct {
	XMLName xml.Name `xml:"CreateAccessKeyResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Key     struct {
		accessKeyMetadataXML
		SecretAccessKey string `xml:"SecretAccessKey"`
	} `xml:"CreateAccessKeyResult>AccessKey"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

func metadataOf(k *accessKey) accessKeyMetadataXML {
	return accessKeyMetadataXML{UserName: k.user.UserName, AccessKeyID: k.id, Status: k.status(), CreateDate: formatExpiration(k.created)}
}

func (s *Server) iamListAccessKeys(req request) (any, *apiError) {
	if e := iamCaller(req); e != nil {
		return nil, e
	}
	user, e := s.targetUser(req)
	if e != nil {
		return nil, e
	}
	resp := listAccessKeysResponse{Xmlns: iamNamespace, Metadata: responseMetadata{req.requestID}}
	for _, k := range s.keysOf(user.UserName) {
		resp.Keys = append(resp.Keys, metadataOf(k))
	}
	return resp, nil
}

func (s *Server) iamCreateAccessKey(req request) (any, *apiError) {
	if e := iamCaller(req); e != nil {
		return nil, e
	}
	user, e := s.targetUser(req)
	if e != nil {
		return nil, e
	}
	if len(s.keysOf(user.UserName)) >= maxAccessKeysPerUser {
		return nil, &apiError{http.StatusConflict, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2"}
	}
	k := &accessKey{
		id:      "AKIA" + randomUpperAlnum(16),
		secret:  randomBase64(30),
		user:    user,
		active:  true,
		created: req.now,
		fresh:   true,
	}
	s.addKey(k)
	resp := createAccessKeyResponse{Xmlns: iamNamespace, Metadata: responseMetadata{req.requestID}}
	resp.Key.accessKeyMetadataXML = metadataOf(k)
	resp.Key.SecretAccessKey = k.secret
	return resp, nil
}

func (s *Server) iamUpdateAccessKey(req request) (any, *apiError) {
	k, e := s.userKey(req)
	if e != nil {
		return nil, e
	}
	switch status := req.params.Get("Status"); status {
	case "Active", "Inactive":
		k.active = status == "Active"
	case "":
		return nil, missingParameter("status")
	default:
		return nil, errValidation("1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", status)
	}
	return emptyIAMResponse("UpdateAccessKeyResponse", req.requestID), nil
}

func (s *Server) iamDeleteAccessKey(req request) (any, *apiError) {
	k, e := s.userKey(req)
	if e != nil {
		return nil, e
	}
	delete(s.accessKeys, k.id)
	return emptyIAMResponse("DeleteAccessKeyResponse", req.requestID), nil
}

// AddAccessKey gives the user another active key, as another tool or the
// console would, up to IAM's two.
func (s *Server) AddAccessKey(userName string) (AccessKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var user *User
	for _, u := range s.users {
		if u.UserName == userName {
			user = u
		}
	}
	if user == nil {
		return AccessKey{}, fmt.Errorf("stsstub: no user %q", userName)
	}
	if len(s.keysOf(userName)) >= maxAccessKeysPerUser {
		return AccessKey{}, fmt.Errorf("stsstub: user %q has %d keys already", userName, maxAccessKeysPerUser)
	}
	k := &accessKey{id: "AKIA" + randomUpperAlnum(16), secret: randomBase64(30), user: user, active: true, created: s.clock.Now()}
	s.addKey(k)
	return AccessKey{ID: k.id, Active: true}, nil
}

// AgeAccessKey makes the key d older, as if it had been created d earlier.
func (s *Server) AgeAccessKey(id string, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.accessKeys[id]
	if !ok {
		return fmt.Errorf("stsstub: no access key %s", id)
	}
	k.created = k.created.Add(-d)
	return nil
}
