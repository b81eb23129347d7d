package process

import "github.com/awsmfa/awsmfa/internal/awsconfig"

// customKey reads a key the AWS SDK's parser drops (such as mfa_process)
// from the profile in the shared config file the SDK reads. A missing file
// or key is "", nil.
func customKey(profileName, key string) (string, error) {
	path, err := awsconfig.ConfigPath()
	if err != nil {
		return "", err
	}
	f, err := awsconfig.Load(path)
	if err != nil {
		return "", err
	}
	v, _ := f.Get(profileName, key)
	return v, nil
}
