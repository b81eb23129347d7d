package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/awsmfa/awsmfa/cache"
)

// IAM makes a new key usable everywhere within seconds, not at once.
const (
	newKeyAcceptWait  = 20 * time.Second
	newKeyRetryPeriod = time.Second
)

type rotateOptions struct {
	sessionOptions
	Yes bool
}

func newRotateCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	o := &rotateOptions{}
	cmd := &cobra.Command{
		Use:   "rotate --profile NAME [--yes]",
		Short: "Replace the IAM user's access key with a new one, and delete the old one",
		Long: `rotate replaces the long-term access key stored for an IAM-user profile. It
signs every IAM call with the profile's MFA session (the cached one, or a new
one for one code), so policies that require MFA for iam:CreateAccessKey allow
it, and asks for no second code.

It lists the user's keys first (iam:ListAccessKeys) and refuses when the user
already has two, IAM's limit, naming the one to delete. Then it creates a key
(iam:CreateAccessKey), checks that the new key signs (sts:GetCallerIdentity,
retried for up to 20 seconds while IAM spreads it), stores it in the keyring,
drops the cached sessions of the profile and of the role profiles that use it,
deactivates the old key (iam:UpdateAccessKey) and deletes it
(iam:DeleteAccessKey). It asks before it starts; --yes does not ask.

No step loses the only working key: when a step fails, awsmfa says which of
two states it left, and the command that finishes the job. Before the new key
is stored: the old key is still stored and active, and the new one is deleted
again. After: the new key is stored and works, and the old one is left
(inactive when deactivating went through) with the exact
aws iam delete-access-key line to run.`,
		Example: `  awsmfa rotate --profile work
  awsmfa rotate --profile work --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRotate(cmd.Context(), g, o, cmd.Flags(), streams, deps)
		},
	}
	o.addFlags(cmd.Flags())
	cmd.Flags().Lookup("profile").Usage = "IAM-user profile whose stored access key to replace (required)"
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// rotationStore is the part of the keyring rotate uses.
type rotationStore interface {
	Keys(profile string) (cache.Keys, error)
	SetKeys(profile string, k cache.Keys) error
	ClearSessionsOf(profiles []string) (int, error)
	Backend() string
}

// rotation is one key replacement under way.
type rotation struct {
	profile  string
	streams  IOStreams
	deps     Deps
	store    rotationStore
	clients  *awsClients // signing with the profile's MFA session
	userName string
	old, new cache.Keys
	users    []string // profiles whose sessions derive from the profile's
}

func runRotate(ctx context.Context, g *globalOptions, o *rotateOptions, flags *pflag.FlagSet, streams IOStreams, deps Deps) error {
	clients, err := o.servedProfile(ctx, flags)
	if err != nil {
		return err
	}
	if p := clients.profile; p.RoleARN != "" {
		return fmt.Errorf("profile %q is a role profile, which has no access key of its own; rotate the key of its source profile: awsmfa rotate --profile %s", o.Profile, p.SourceProfileName)
	}
	sess, store, err := o.credentialsAndStore(ctx, g, streams, deps)
	if err != nil {
		return err
	}
	old, err := store.Keys(o.Profile)
	if err != nil {
		return fmt.Errorf("reading the stored access key of profile %q: %w", o.Profile, err)
	}
	r := &rotation{
		profile: o.Profile, streams: streams, deps: deps, store: store, old: old,
		clients: clients.signingWith(aws.Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.SecretAccessKey, SessionToken: sess.SessionToken}),
	}
	confirm := func(question string) (bool, error) { return newQuestions(streams).confirm(ctx, question) }
	if o.Yes {
		confirm = nil
	}
	return r.run(ctx, confirm)
}

// run rotates the key, asking confirm first unless it is nil.
func (r *rotation) run(ctx context.Context, confirm func(question string) (bool, error)) error {
	before, err := r.listKeys(ctx)
	if err != nil {
		return err
	}
	if err := r.checkRoom(before); err != nil {
		return err
	}
	if confirm != nil {
		ok, err := confirm(fmt.Sprintf("Replace access key %s of IAM user %s (profile %q; %s) with a new key, then deactivate and delete %s?", r.old.MaskedID(), r.userName, r.profile, createdAgo(before, r.old.AccessKeyID, r.clockNow()), r.old.MaskedID()))
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("nothing changed; answer y to rotate, or pass --yes")
		}
	}
	if err := r.create(ctx, before); err != nil {
		return err
	}
	if err := r.checkNewKey(ctx); err != nil {
		return r.undoCreate(ctx, err)
	}
	if err := r.storeNewKey(); err != nil {
		return r.undoCreate(ctx, err)
	}
	r.dropSessions()
	return r.retireOld(ctx)
}

// listKeys lists the user's access keys and learns the user's name.
func (r *rotation) listKeys(ctx context.Context) ([]types.AccessKeyMetadata, error) {
	out, err := r.clients.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	if err != nil {
		return nil, r.explain("IAM ListAccessKeys", err, "nothing changed")
	}
	keys := out.AccessKeyMetadata
	for _, k := range keys {
		if aws.ToString(k.AccessKeyId) == r.old.AccessKeyID {
			r.userName = aws.ToString(k.UserName)
			return keys, nil
		}
	}
	return nil, fmt.Errorf("the access key %s stored for profile %q is not among the IAM user's keys (%s); nothing changed; store the user's current key with: awsmfa add --profile %s",
		r.old.MaskedID(), r.profile, describeKeys(keys, ""), r.profile)
}

// checkRoom refuses when the user has IAM's two keys already: which one to
// delete is the user's call, but it is almost always the one awsmfa does
// not use.
func (r *rotation) checkRoom(keys []types.AccessKeyMetadata) error {
	if len(keys) < 2 {
		return nil
	}
	var other string
	for _, k := range keys {
		if id := aws.ToString(k.AccessKeyId); id != r.old.AccessKeyID {
			other = id
		}
	}
	return fmt.Errorf("IAM user %s already has 2 access keys, the most IAM allows (%s); nothing changed; delete the one awsmfa does not use, then rotate again: aws iam delete-access-key --user-name %s --access-key-id %s --profile %s",
		r.userName, describeKeys(keys, r.old.AccessKeyID), r.userName, other, r.profile)
}

// describeKeys is "AKIA…MPLE (Active, created 2026-01-02, stored for this
// profile) and AKIA…WXYZ (Inactive, created 2025-03-04)".
func describeKeys(keys []types.AccessKeyMetadata, stored string) string {
	var parts []string
	for _, k := range keys {
		id := aws.ToString(k.AccessKeyId)
		s := fmt.Sprintf("%s (%s, created %s", cache.Keys{AccessKeyID: id}.MaskedID(), k.Status, aws.ToTime(k.CreateDate).UTC().Format(time.DateOnly))
		if id == stored {
			s += ", stored for this profile"
		}
		parts = append(parts, s+")")
	}
	if len(parts) == 0 {
		return "it has none"
	}
	return strings.Join(parts, " and ")
}

// create makes the new key. CreateAccessKey is sent once, never retried:
// a retry after a lost answer would make a second key. After any failure
// IAM is asked whether a key appeared anyway; its secret never reached
// awsmfa, so it is deleted again.
func (r *rotation) create(ctx context.Context, before []types.AccessKeyMetadata) error {
	out, err := r.clients.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}, func(o *iam.Options) { o.RetryMaxAttempts = 1 })
	if err == nil {
		r.new = cache.Keys{AccessKeyID: aws.ToString(out.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(out.AccessKey.SecretAccessKey)}
		return nil
	}
	failed := r.explain("IAM CreateAccessKey", err, "")
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	after, listErr := r.clients.IAM.ListAccessKeys(cctx, &iam.ListAccessKeysInput{})
	if listErr != nil {
		return fmt.Errorf("%v; IAM may have made a new key anyway, whose secret awsmfa never got, and listing the keys to check failed (%v); the stored key %s is still active; check with: aws iam list-access-keys --user-name %s --profile %s, and delete any key other than %s with: aws iam delete-access-key --user-name %s --access-key-id KEY --profile %s",
			failed, listErr, r.old.MaskedID(), r.userName, r.profile, r.old.AccessKeyID, r.userName, r.profile)
	}
	var notes []string
	for _, k := range after.AccessKeyMetadata {
		id := aws.ToString(k.AccessKeyId)
		if slices.ContainsFunc(before, func(b types.AccessKeyMetadata) bool { return aws.ToString(b.AccessKeyId) == id }) {
			continue
		}
		if _, err := r.clients.IAM.DeleteAccessKey(cctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(id), UserName: aws.String(r.userName)}); err != nil && apiErrorCode(err) != "NoSuchEntity" {
			notes = append(notes, fmt.Sprintf("IAM made key %s anyway and deleting it failed (%v): delete it with: aws iam delete-access-key --user-name %s --access-key-id %s --profile %s", id, err, r.userName, id, r.profile))
			continue
		}
		notes = append(notes, fmt.Sprintf("IAM made key %s anyway, whose secret never reached awsmfa; it was deleted again", cache.Keys{AccessKeyID: id}.MaskedID()))
	}
	notes = append(notes, fmt.Sprintf("the stored key %s is still active and nothing else changed; run awsmfa rotate --profile %s again", r.old.MaskedID(), r.profile))
	return fmt.Errorf("%v; %s", failed, strings.Join(notes, "; "))
}

// checkNewKey proves the new key signs, retrying while IAM spreads it
// (until then STS says InvalidClientTokenId).
func (r *rotation) checkNewKey(ctx context.Context) error {
	client := r.clients.signingWith(aws.Credentials{AccessKeyID: r.new.AccessKeyID, SecretAccessKey: r.new.SecretAccessKey}).STS
	now, sleep := r.clock()
	deadline := now().Add(newKeyAcceptWait)
	for waited := false; ; waited = true {
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err == nil {
			if who := aws.ToString(out.Arn); !strings.HasSuffix(who, ":user/"+r.userName) && !strings.HasSuffix(who, "/"+r.userName) {
				return fmt.Errorf("the new key signs as %s, not as IAM user %s", who, r.userName)
			}
			return nil
		}
		if apiErrorCode(err) != "InvalidClientTokenId" || !now().Before(deadline) {
			return fmt.Errorf("the new key %s does not work: STS GetCallerIdentity failed: %w", r.new.MaskedID(), err)
		}
		if !waited {
			fmt.Fprintf(r.streams.ErrOut, "Waiting for AWS to accept the new key %s (IAM takes a few seconds)...\n", r.new.MaskedID())
		}
		if err := sleep(ctx, newKeyRetryPeriod); err != nil {
			return fmt.Errorf("the new key %s was not checked: %w", r.new.MaskedID(), err)
		}
	}
}

// createdAgo is "created 2026-01-02, 30 days ago" for the key id.
func createdAgo(keys []types.AccessKeyMetadata, id string, now time.Time) string {
	for _, k := range keys {
		if aws.ToString(k.AccessKeyId) == id {
			created := aws.ToTime(k.CreateDate)
			return fmt.Sprintf("created %s, %d days ago", created.UTC().Format(time.DateOnly), int(now.Sub(created)/(24*time.Hour)))
		}
	}
	return "creation date unknown"
}

func (r *rotation) clockNow() time.Time {
	now, _ := r.clock()
	return now()
}

func (r *rotation) clock() (func() time.Time, func(context.Context, time.Duration) error) {
	now, sleep := r.deps.Now, r.deps.Sleep
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = func(ctx context.Context, d time.Duration) error {
			select {
			case <-time.After(d): // at most newKeyRetryPeriod: nothing to stop early
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return now, sleep
}

// storeNewKey puts the new key in the keyring. A failure that still left
// it stored (SetKeys then failed to drop the sessions) counts as stored.
func (r *rotation) storeNewKey() error {
	err := r.store.SetKeys(r.profile, r.new)
	if err == nil {
		return nil
	}
	got, readErr := r.store.Keys(r.profile)
	if readErr == nil && got.AccessKeyID == r.new.AccessKeyID {
		return nil
	}
	if readErr != nil || got.AccessKeyID != r.old.AccessKeyID {
		// Neither key can be read back: say so rather than guess.
		return fmt.Errorf("storing the new key in the %s keyring failed (%v), and the keyring no longer holds the old key %s readably; store the old key again with: awsmfa add --profile %s", r.store.Backend(), err, r.old.MaskedID(), r.profile)
	}
	return fmt.Errorf("storing the new key in the %s keyring failed: %w", r.store.Backend(), err)
}

// undoCreate deletes the new key after a failure before it was stored, so
// the old key stays the only one, stored and active.
func (r *rotation) undoCreate(ctx context.Context, cause error) error {
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	_, err := r.clients.IAM.DeleteAccessKey(cctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(r.new.AccessKeyID), UserName: aws.String(r.userName)})
	if err != nil && apiErrorCode(err) != "NoSuchEntity" {
		return fmt.Errorf("%v; deleting the new key again failed too (%v): the stored key %s is still active; delete the new key with: aws iam delete-access-key --user-name %s --access-key-id %s --profile %s",
			cause, r.explain("IAM DeleteAccessKey", err, ""), r.old.MaskedID(), r.userName, r.new.AccessKeyID, r.profile)
	}
	return fmt.Errorf("%v; the new key was deleted again and nothing changed: the stored key %s is still active; run awsmfa rotate --profile %s again", cause, r.old.MaskedID(), r.profile)
}

// dropSessions drops the cached sessions of the profile (SetKeys did) and
// of the roles that use it: they were made with the old key, which is
// about to go. A failure is a warning: the new key is stored either way.
func (r *rotation) dropSessions() {
	r.users = profilesUsing(r.streams, r.profile)
	if err := clearSessionsOf(r.store, r.users); err != nil {
		fmt.Fprintf(r.streams.ErrOut, "awsmfa: warning: %v\n", err)
	}
}

// retireOld deactivates the old key, then deletes it: deactivating can be
// undone, so a failure in between leaves a key that can be brought back.
func (r *rotation) retireOld(ctx context.Context) error {
	stored := fmt.Sprintf("the new key %s is stored for profile %q and works", r.new.MaskedID(), r.profile)
	deleteLine := fmt.Sprintf("aws iam delete-access-key --user-name %s --access-key-id %s --profile %s", r.userName, r.old.AccessKeyID, r.profile)
	_, err := r.clients.IAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(r.old.AccessKeyID), UserName: aws.String(r.userName), Status: types.StatusTypeInactive})
	if err != nil {
		return fmt.Errorf("%s; deactivating the old key failed (%v), so it is still active; delete it with: %s", stored, r.explain("IAM UpdateAccessKey", err, ""), deleteLine)
	}
	_, err = r.clients.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(r.old.AccessKeyID), UserName: aws.String(r.userName)})
	if err != nil && apiErrorCode(err) != "NoSuchEntity" { // NoSuchEntity: a retry after a lost answer
		return fmt.Errorf("%s; the old key %s is inactive, but deleting it failed (%v); delete it with: %s", stored, r.old.MaskedID(), r.explain("IAM DeleteAccessKey", err, ""), deleteLine)
	}
	fmt.Fprintf(r.streams.Out, "Rotated the access key of IAM user %s: %s is stored for profile %q in the %s keyring and works; %s was deactivated and deleted. The cached sessions of %q%s were dropped: the next AWS call asks for an MFA code.\n",
		r.userName, r.new.MaskedID(), r.profile, r.store.Backend(), r.old.MaskedID(), r.profile, andThoseOf(r.users))
	return nil
}

// explain is the failed call in one sentence, with the state it left when
// state is given. The calls are signed with the MFA session, so a refusal
// is about permissions, not about the stored key.
func (r *rotation) explain(call string, err error, state string) error {
	var explained error
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &apiErr) && (apiErr.ErrorCode() == "AccessDenied" || apiErr.ErrorCode() == "AccessDeniedException"):
		explained = fmt.Errorf("%s was denied: %s; your IAM policies must let you manage your own access keys (AWS's example policy \"allows IAM users to rotate their own access keys\")", call, strings.TrimSpace(apiErr.ErrorMessage()))
	case errors.As(err, &apiErr):
		explained = fmt.Errorf("%s failed: %s: %s", call, apiErr.ErrorCode(), strings.TrimSpace(apiErr.ErrorMessage()))
	default:
		explained = explainAWSError(call, err, r.profile, r.old)
	}
	if state == "" {
		return explained
	}
	return fmt.Errorf("%v; %s", explained, state)
}
