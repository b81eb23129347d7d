package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/credserver"
	"github.com/awsmfa/awsmfa/process"
)

// defaultListen is where the credentials server listens unless told
// otherwise: loopback, on a port the system picks. Debian's botocore
// accepts an http endpoint only on 127.0.0.1, localhost or 169.254.170.2.
const defaultListen = "127.0.0.1:0"

type serveOptions struct {
	sessionOptions
	Listen string
}

func newServeCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve --profile NAME [--listen ADDR]",
		Short: "Serve a profile's session, renewed as needed, to containers and programs that run for long",
		Long: `serve runs, in the foreground until Ctrl-C, the credentials endpoint that
every AWS SDK reads from AWS_CONTAINER_CREDENTIALS_FULL_URI (with the token in
AWS_CONTAINER_AUTHORIZATION_TOKEN), and prints those two variables on stdout
as NAME=value lines, ready for docker run --env-file.

It gets the profile's session when it starts (asking for the MFA code then)
and renews it in the background before it runs out, through the same cache,
lock and prompt as credential_process, so the programs it serves never wait
for a person. Every request must carry the token, which is new for each
server, and be addressed to the server's own address.

It listens on 127.0.0.1 by default, which a container reaches with
docker run --network host. Another address (--listen) lets other machines
reach it over unencrypted http, and the AWS SDKs accept an http endpoint only
on loopback or 169.254.170.2: use it only when you know you need it.`,
		Example: `  (umask 077; awsmfa serve --profile work > awsmfa.env)   # the file holds the token
  # in another terminal:
  docker run --rm --network host --env-file awsmfa.env amazon/aws-cli sts get-caller-identity`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), g, o, cmd.Flags(), streams, deps)
		},
	}
	o.addFlags(cmd.Flags())
	cmd.Flags().StringVar(&o.Listen, "listen", defaultListen, "IP:PORT to listen on; port 0 picks a free one (env AWSMFA_LISTEN)")
	setEnv(cmd.Flags(), "listen", "AWSMFA_LISTEN")
	return cmd
}

func runServe(ctx context.Context, g *globalOptions, o *serveOptions, flags *pflag.FlagSet, streams IOStreams, deps Deps) error {
	loopback, err := checkListen(o.Listen)
	if err != nil {
		return err
	}
	if err := o.useServedProfile(ctx, flags); err != nil {
		return err
	}
	// Ctrl-C (through ctx) and SIGTERM stop the server. Waiting on the
	// context installs the handlers now, before anyone is told where the
	// server is and might signal it.
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	if !loopback {
		fmt.Fprintf(streams.ErrOut, "awsmfa: warning: listening on %s, which is not loopback: other machines may reach it, the session travels unencrypted, and the AWS SDKs accept an http endpoint only on loopback or 169.254.170.2\n", o.Listen)
	}
	srv, err := o.startServer(ctx, g, streams, deps, o.Listen)
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := privateStdout(streams, "the server's token"); err != nil {
		return err
	}
	// One write, so that a reader never sees the address without the token.
	if _, err := fmt.Fprintf(streams.Out, "%s=%s\n%s=%s\n", credserver.URIEnv, srv.URL, credserver.TokenEnv, srv.Token); err != nil {
		return err
	}
	fmt.Fprintf(streams.ErrOut, "awsmfa: serving profile %q at %s until Ctrl-C; stdout has the two variables for the programs to serve, e.g. docker run --network host --env-file FILE\n", o.Profile, srv.URL)
	<-ctx.Done()
	fmt.Fprintf(streams.ErrOut, "awsmfa: stopped serving profile %q\n", o.Profile)
	return nil
}

// checkListen accepts IP:PORT (or localhost:PORT, or :PORT for every
// address) and says whether that address is loopback. A DNS name is
// refused: the server answers requests for its own address only.
func checkListen(addr string) (loopback bool, err error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		reason := err.Error()
		var ae *net.AddrError
		if errors.As(err, &ae) {
			reason = ae.Err // without the address again
		}
		return false, fmt.Errorf("--listen %q: %s; give IP:PORT, such as 127.0.0.1:9911", addr, reason)
	}
	if host == "localhost" {
		return true, nil
	}
	if host == "" {
		return false, nil
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false, fmt.Errorf("--listen %q: %q is not an IP address; give IP:PORT, such as 127.0.0.1:9911", addr, host)
	}
	return ip.IsLoopback(), nil
}

// startServer listens on addr, gets the profile's first session and
// serves it, renewed through the same flow as awsmfa process.
func (o *sessionOptions) startServer(ctx context.Context, g *globalOptions, streams IOStreams, deps Deps, addr string) (*credserver.Server, error) {
	flow, err := o.flow(ctx, g, streams, deps)
	if err != nil {
		return nil, err
	}
	// Listen before asking for a code: a busy port should not cost one.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) {
			err = op.Err // without the address again
		}
		return nil, fmt.Errorf("cannot listen on %s: %w; choose another address or port", addr, err)
	}
	srv, err := credserver.Start(ctx, ln, credserver.Options{
		Profile: o.Profile,
		Fetch:   func(ctx context.Context) (cache.Session, error) { return process.Credentials(ctx, flow) },
		// For a role session shorter than twice this, its own window is
		// shorter, and the server looks again each minute until the flow
		// renews it.
		RefreshWindow: process.RefreshWindow(o.RefreshWindow, o.Duration),
		Now:           deps.Now,
		Notef:         flow.Notef,
		Debugf:        flow.Debugf,
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	return srv, nil
}

// serverEnv is what a command served by srv gets: where the server is and
// its token, plus the profile's region when it sets one.
func serverEnv(srv *credserver.Server, region string) [][2]string {
	env := [][2]string{{credserver.URIEnv, srv.URL}, {credserver.TokenEnv, srv.Token}}
	if region != "" {
		env = append(env, [2]string{"AWS_REGION", region}, [2]string{"AWS_DEFAULT_REGION", region})
	}
	return env
}
