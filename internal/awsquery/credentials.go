package awsquery

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// StaticCredentials signs with fixed keys (and a session token for a
// session); it replaces the SDK's credentials package, which awsmfa does
// not link.
func StaticCredentials(accessKeyID, secretAccessKey, sessionToken string) aws.CredentialsProvider {
	creds := aws.Credentials{
		AccessKeyID:     accessKeyID,
		SecretAccessKey: secretAccessKey,
		SessionToken:    sessionToken,
		Source:          "awsmfa",
	}
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })
}
