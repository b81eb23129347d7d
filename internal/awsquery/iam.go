package awsquery

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
)

// User is what GetUser says about an IAM user. For a root account's keys
// UserName is empty and Arn ends in ":root".
type User struct {
	Path     string `xml:"Path"`
	UserName string `xml:"UserName"`
	UserID   string `xml:"UserId"`
	Arn      string `xml:"Arn"`
}

// GetUser returns the user whose keys sign the request.
func (c *Client) GetUser(ctx context.Context) (User, error) {
	var r struct {
		User User `xml:"GetUserResult>User"`
	}
	err := c.do(ctx, "GetUser", nil, &r)
	return r.User, err
}

// VirtualMFADevice is a device just created: its secret, as base32 text and
// as a QR code PNG, is shown only this once.
type VirtualMFADevice struct {
	SerialNumber     string
	Base32StringSeed []byte
	QRCodePNG        []byte
}

// CreateVirtualMFADevice creates an unassigned virtual MFA device named name.
func (c *Client) CreateVirtualMFADevice(ctx context.Context, name string) (VirtualMFADevice, error) {
	var r struct {
		Device struct {
			SerialNumber     string     `xml:"SerialNumber"`
			Base32StringSeed base64Blob `xml:"Base32StringSeed"`
			QRCodePNG        base64Blob `xml:"QRCodePNG"`
		} `xml:"CreateVirtualMFADeviceResult>VirtualMFADevice"`
	}
	err := c.do(ctx, "CreateVirtualMFADevice", url.Values{"VirtualMFADeviceName": {name}}, &r)
	d := r.Device
	return VirtualMFADevice{SerialNumber: d.SerialNumber, Base32StringSeed: d.Base32StringSeed, QRCodePNG: d.QRCodePNG}, err
}

// EnableMFADevice assigns the device to the user, proven by two consecutive codes.
func (c *Client) EnableMFADevice(ctx context.Context, userName, serialNumber, code1, code2 string) error {
	return c.do(ctx, "EnableMFADevice", url.Values{
		"UserName":            {userName},
		"SerialNumber":        {serialNumber},
		"AuthenticationCode1": {code1},
		"AuthenticationCode2": {code2},
	}, nil)
}

// DeleteVirtualMFADevice deletes an unassigned virtual MFA device.
func (c *Client) DeleteVirtualMFADevice(ctx context.Context, serialNumber string) error {
	return c.do(ctx, "DeleteVirtualMFADevice", url.Values{"SerialNumber": {serialNumber}}, nil)
}

// MFADevice is an MFA device assigned to a user.
type MFADevice struct {
	UserName     string `xml:"UserName"`
	SerialNumber string `xml:"SerialNumber"`
}

// maxPages bounds ListMFADevices against a server that always says there is
// more; IAM allows 8 devices per user, one page.
const maxPages = 20

// ListMFADevices lists the MFA devices of the user whose keys sign the request.
func (c *Client) ListMFADevices(ctx context.Context) ([]MFADevice, error) {
	return c.ListUserMFADevices(ctx, "")
}

// ListUserMFADevices lists the MFA devices assigned to the IAM user named
// userName; "" means the user whose keys sign the request. It only reads,
// so it is retried like any call that is safe to repeat.
func (c *Client) ListUserMFADevices(ctx context.Context, userName string) ([]MFADevice, error) {
	var devices []MFADevice
	params := url.Values{}
	if userName != "" {
		params.Set("UserName", userName)
	}
	for range maxPages {
		var r struct {
			Devices     []MFADevice `xml:"ListMFADevicesResult>MFADevices>member"`
			IsTruncated bool        `xml:"ListMFADevicesResult>IsTruncated"`
			Marker      string      `xml:"ListMFADevicesResult>Marker"`
		}
		if err := c.do(ctx, "ListMFADevices", params, &r); err != nil {
			return nil, err
		}
		devices = append(devices, r.Devices...)
		if !r.IsTruncated || r.Marker == "" {
			return devices, nil
		}
		params.Set("Marker", r.Marker)
	}
	return nil, fmt.Errorf("IAM ListMFADevices: still more after %d pages; the endpoint does not behave like IAM", maxPages)
}

// MayHaveRun reports whether a call that failed with err may have been
// carried out all the same, so that its outcome has to be looked up rather
// than assumed. It draws the line the client draws before repeating an
// action that changes something: a reply in which the service refuses (a
// 4xx error, throttling, a rejected signature), a connection that was never
// made and a certificate that was not trusted prove the action did not run;
// a 5xx, a reply that broke off or never came, and a deadline or a
// cancellation while waiting for it do not. Whatever else failed counts as
// may have run: looking up an outcome needlessly costs one read, while
// taking an action for not done when it was leaves the caller undoing or
// redoing it against a changed world. A nil err means it ran.
func MayHaveRun(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		refused := apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 || throttlingCodes.has(apiErr.Code)
		return !refused
	}
	return !notSent(err) && !isCertificateError(err)
}

// do calls action and decodes the reply's <ActionResponse> into result,
// when result is not nil.
func (c *Client) do(ctx context.Context, action string, params url.Values, result any) error {
	if err := c.require(iamService, action); err != nil {
		return err
	}
	reply, err := c.call(ctx, action, params)
	if err != nil {
		return err
	}
	var root struct{ XMLName xml.Name }
	if err := xml.Unmarshal(reply, &root); err != nil || root.XMLName.Local != action+"Response" {
		return c.replyError(action, fmt.Errorf("is not an %s %sResponse", c.service.name, action))
	}
	if result == nil {
		return nil
	}
	if err := xml.Unmarshal(reply, result); err != nil {
		return c.replyError(action, fmt.Errorf("could not be decoded (%w)", err))
	}
	return nil
}

// base64Blob is a Query-protocol blob: base64 text in the XML.
type base64Blob []byte

func (b *base64Blob) UnmarshalText(text []byte) error {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
	n, err := base64.StdEncoding.Decode(out, text)
	if err != nil {
		return fmt.Errorf("a blob is not base64: %w", err)
	}
	*b = out[:n]
	return nil
}
