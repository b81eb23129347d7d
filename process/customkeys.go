package process

import "github.com/awsmfa/awsmfa/internal/awsini"

// customKey reads a key the AWS SDK's loader drops (such as mfa_process)
// from the profile, with the SDK's grammar and its merging of the config
// and credentials files. A missing file or key is "", nil.
func customKey(profileName, key string) (string, error) {
	files, err := awsini.Read()
	if err != nil {
		return "", err
	}
	return files.Get(profileName, key), nil
}
