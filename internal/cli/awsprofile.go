package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/awsmfa/awsmfa/internal/awsclient"
	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/process"
)

// awsProfile resolves the profile as the AWS SDKs do (so region,
// endpoint_url and AWS_ENDPOINT_URL_IAM/_STS mean what they mean to every
// SDK). A profile not yet in the files (setup writes it later) gets the
// environment's settings only.
func awsProfile(ctx context.Context, profile string) (*awsclient.Profile, error) {
	p, err := awsclient.Load(ctx, profile)
	var missing *awsclient.ProfileNotFoundError
	if errors.As(err, &missing) {
		p, err = awsclient.LoadEnv(ctx, profile)
	}
	if err != nil {
		return nil, process.ConfigError(profile, err)
	}
	return p, nil
}

// loadConfigFile reads ~/.aws/config (or where AWS_CONFIG_FILE points) as
// a file to edit.
func loadConfigFile() (cfgPath string, cfg *awsconfig.File, err error) {
	if cfgPath, err = awsconfig.ConfigPath(); err != nil {
		return
	}
	cfg, err = awsconfig.Load(cfgPath)
	return
}

// loadSharedFiles reads ~/.aws/config and ~/.aws/credentials (or where the
// environment points), as files to edit.
func loadSharedFiles() (cfgPath string, cfg *awsconfig.File, credPath string, creds *awsconfig.File, err error) {
	if cfgPath, cfg, err = loadConfigFile(); err != nil {
		return
	}
	if credPath, err = awsconfig.CredentialsPath(); err != nil {
		return
	}
	creds, err = awsconfig.LoadCredentials(credPath)
	return
}

// awsmfaProfile returns the profile a credential_process line serves when
// it runs awsmfa process, e.g. "awsmfa process --profile work" or
// "/usr/local/bin/awsmfa process -p=work --duration 8h".
func awsmfaProfile(credentialProcess string) (string, bool) {
	fields := splitCommandLine(credentialProcess)
	if len(fields) < 2 {
		return "", false
	}
	name := strings.TrimSuffix(strings.ToLower(filepath.Base(strings.ReplaceAll(fields[0], `\`, "/"))), ".exe")
	if name != "awsmfa" || fields[1] != "process" {
		return "", false
	}
	for i := 2; i < len(fields); i++ {
		f := fields[i]
		for _, flag := range []string{"--profile", "-p"} {
			if v, ok := strings.CutPrefix(f, flag+"="); ok {
				return v, true
			}
			if f == flag && i+1 < len(fields) {
				return fields[i+1], true
			}
		}
	}
	return "", true // awsmfa, but no profile: it fails at run time
}

// splitCommandLine splits like a POSIX shell would for simple lines: on
// blanks, honouring single and double quotes (botocore splits the same way).
func splitCommandLine(s string) []string {
	var out []string
	var cur strings.Builder
	inField := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inField = r, true
		case r == ' ' || r == '\t':
			if inField {
				out = append(out, cur.String())
				cur.Reset()
				inField = false
			}
		default:
			cur.WriteRune(r)
			inField = true
		}
	}
	if inField {
		out = append(out, cur.String())
	}
	return out
}

// credentialProcessLine is the line setup writes for profile, command
// being how clients find this awsmfa ("awsmfa", or its path), each word
// quoted so that every client runs exactly that program with these
// arguments (see shellWord).
func credentialProcessLine(command, profile string, extra ...string) (string, error) {
	quoted, err := shellWord(command)
	if err != nil {
		return "", fmt.Errorf("this awsmfa's path %q cannot be written safely into a credential_process line: %v; install awsmfa in a directory whose path has none of $ ` \" %% ! control characters or backslash runs", command, err)
	}
	words := []string{quoted}
	for _, w := range append([]string{"process", "--profile", profile}, extra...) {
		q, err := shellWord(w)
		if err != nil {
			return "", fmt.Errorf("%q cannot be written safely into a credential_process line: %v; choose a name without $ ` \" %% ! control characters or backslash runs", w, err)
		}
		words = append(words, q)
	}
	return strings.Join(words, " "), nil
}

// shellWord is w as one word of a credential_process line. Clients run the
// line three ways: the Go, Java and JavaScript SDKs through `sh -c` (on
// Windows `cmd.exe /C`), botocore by splitting it as a shell would, without
// one. A word of plain characters needs no quoting in any of them; other
// words are double-quoted, which all four read the same way as long as the
// word holds none of the characters that stay special inside double
// quotes: $ ` " (sh), % ! (cmd.exe), a control character, and a backslash
// before another or at the end (sh and botocore would take it as an
// escape). Such words are refused rather than quoted: no one quoting means
// the same to sh and to cmd.exe for them, and a profile named
// x$(touch${IFS}pwned) must not become a command every Go client runs.
func shellWord(w string) (string, error) {
	if w == "" {
		return "", errors.New("it is empty")
	}
	plain := true
	for i, r := range w {
		switch {
		case r == '$' || r == '`' || r == '"' || r == '%' || r == '!' || unicode.IsControl(r):
			return "", fmt.Errorf("sh or cmd.exe would give its %q a meaning of its own", r)
		case r == '\\' && (i+1 == len(w) || w[i+1] == '\\'):
			return "", errors.New("a backslash at its end or before another one reads as an escape")
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', strings.ContainsRune("-_.@+=,/:", r):
		default:
			plain = false // a blank, ' ; & | < > ( ) * ? [ ] # ~ ^ { } \ or beyond ASCII
		}
	}
	if plain {
		return w, nil
	}
	return `"` + w + `"`, nil
}
