package stsstub

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"image/png"
	"net/url"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
)

const iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"

type iamUserXML struct {
	Path       string `xml:"Path"`
	UserName   string `xml:"UserName"`
	UserID     string `xml:"UserId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

type getUserResponse struct {
	XMLName  xml.Name         `xml:"GetUserResponse"`
	Xmlns    string           `xml:"xmlns,attr"`
	User     iamUserXML       `xml:"GetUserResult>User"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type createVirtualMFADeviceResponse struct {
	XMLName xml.Name `xml:"CreateVirtualMFADeviceResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Device  struct {
		SerialNumber     string     `xml:"SerialNumber"`
		Base32StringSeed base64Blob `xml:"Base32StringSeed"`
		QRCodePNG        base64Blob `xml:"QRCodePNG"`
	} `xml:"CreateVirtualMFADeviceResult>VirtualMFADevice"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type mfaDeviceXML struct {
	UserName     string `xml:"UserName"`
	SerialNumber string `xml:"SerialNumber"`
	EnableDate   string `xml:"EnableDate"`
}

type listMFADevicesResponse struct {
	XMLName     xml.Name         `xml:"ListMFADevicesResponse"`
	Xmlns       string           `xml:"xmlns,attr"`
	Devices     []mfaDeviceXML   `xml:"ListMFADevicesResult>MFADevices>member"`
	IsTruncated bool             `xml:"ListMFADevicesResult>IsTruncated"`
	Metadata    responseMetadata `xml:"ResponseMetadata"`
}

// iamEmptyResponse is the reply of calls that return only metadata.
type iamEmptyResponse struct {
	XMLName  xml.Name
	Xmlns    string           `xml:"xmlns,attr"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

func emptyIAMResponse(name, requestID string) iamEmptyResponse {
	return iamEmptyResponse{XMLName: xml.Name{Local: name}, Xmlns: iamNamespace, Metadata: responseMetadata{requestID}}
}

// otpauthQRCode draws the provisioning URI authenticator apps scan, as the
// IAM console's QR code does, as a 200×200 PNG.
func otpauthQRCode(deviceName, account, seed string) ([]byte, error) {
	issuer := "Amazon Web Services"
	uri := "otpauth://totp/" + url.PathEscape(issuer+":"+deviceName+"@"+account) +
		"?secret=" + seed + "&issuer=" + url.QueryEscape(issuer)
	code, err := qr.Encode(uri, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	scaled, err := barcode.Scale(code, 200, 200)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, scaled); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// base64Blob is a Query-protocol blob: base64 text in the XML.
type base64Blob []byte

func (b base64Blob) MarshalText() ([]byte, error) {
	return []byte(base64.StdEncoding.EncodeToString(b)), nil
}
