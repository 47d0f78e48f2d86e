// Package awsapi talks to AWS for spotscope: it loads the SDK configuration
// the way every AWS tool does, fetches the instance-type catalog and the
// Availability Zones, and runs the concurrent, rate-limited, resumable
// DescribeSpotPriceHistory fetcher that fills a Store.
package awsapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
)

// DefaultMaxAttempts is higher than the SDK's 3 because a 90-day fetch makes
// hundreds of calls against a shared per-account throttle: giving up on the
// third RequestLimitExceeded would fail fetches that a little patience
// completes.
const DefaultMaxAttempts = 10

// DialTimeout bounds connecting to an endpoint (TCP and TLS each).
const DialTimeout = 3 * time.Second

// DefaultCredentialTimeout bounds CheckCredentials. Without it a machine with
// no credentials waits on the IMDS probe, which looks like a hang.
const DefaultCredentialTimeout = 5 * time.Second

// Options select what LoadConfig adds on top of the SDK's default chain.
// Zero values leave the SDK's own resolution (env, shared config, SSO) alone.
type Options struct {
	Profile string // like AWS_PROFILE; empty: the SDK's choice
	Region  string // like AWS_REGION; empty: the SDK's choice

	// EndpointURL overrides the EC2 endpoint (a fake, a VPC endpoint).
	// AWS_ENDPOINT_URL_EC2 already works without it.
	EndpointURL string

	// MaxAttempts per call, including the first; 0 means DefaultMaxAttempts.
	MaxAttempts int

	// Credentials replaces the default chain; tests use static ones so they
	// never reach a real profile or IMDS.
	Credentials aws.CredentialsProvider

	// Backoff replaces the SDK's retry delays. Tests use it because the
	// SDK's throttling backoff (1 s base) would dominate their run time.
	Backoff retry.BackoffDelayer
}

// LoadConfig loads the AWS configuration with the SDK's standard retries,
// wrapped to fail fast on unreachable endpoints (failFast). Not the SDK's
// adaptive mode: the fetcher paces itself a little under EC2's bucket and
// empties its own bucket when throttled, and adaptive mode's send-rate
// limiter, cut on each throttle and slow to recover, made a fetch after
// another process's burst 3.5x slower for no fewer throttles.
func LoadConfig(ctx context.Context, o Options) (aws.Config, error) {
	attempts := o.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryMaxAttempts(attempts),
		// The SDK's own warnings (IMDS fallbacks, retries) go to stderr
		// from inside the credential chain and the retryer; spotscope
		// reports what matters itself, and stray lines would tear the TUI.
		// Set here, at load, because providers capture the logger then.
		config.WithLogger(logging.Nop{}),
		config.WithAPIOptions([]func(*middleware.Stack) error{countConnFailures}),
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(o.EndpointURL))
	}
	if o.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(o.Credentials))
	}
	backoff := o.Backoff
	// A func, not a value: every client needs its own retryer, or all
	// regions would share one retry quota.
	opts = append(opts, config.WithRetryer(func() aws.Retryer {
		std := retry.NewStandard(func(so *retry.StandardOptions) {
			if backoff != nil {
				so.Backoff = backoff
			}
		})
		return failFast{retry.AddWithMaxAttempts(std, attempts).(aws.RetryerV2)}
	}))
	// The SDK's dialer waits 30 s for a TCP connection and 10 s for TLS;
	// an endpoint that slow is unreachable for a fetch, and saying so
	// within seconds is the fix the user needs.
	opts = append(opts, config.WithHTTPClient(awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = DialTimeout }).
		WithTransportOptions(func(t *http.Transport) { t.TLSHandshakeTimeout = DialTimeout })))
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		// Config errors name files and profiles, never secrets, but they are
		// passed through redact anyway: a malformed credentials file could
		// echo a line.
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %s", redact(err.Error()))
	}
	return cfg, nil
}

// NewClientFactory returns a factory of per-region EC2 clients sharing cfg.
// Each client has its own retryer, so one region's throttling does not slow
// the others.
func NewClientFactory(cfg aws.Config, optFns ...func(*ec2.Options)) func(region string) API {
	return func(region string) API {
		fns := append([]func(*ec2.Options){func(o *ec2.Options) { o.Region = region }}, optFns...)
		return ec2.NewFromConfig(cfg, fns...)
	}
}

// CredentialInfo describes where credentials came from, for `doctor`. It
// holds no secret.
type CredentialInfo struct {
	Source  string    // aws.Credentials.Source, e.g. "EnvConfigCredentials", "SSOProvider"
	Expires time.Time // zero when the credentials do not expire
}

// ErrNoCredentials is what CheckCredentials wraps when no credentials
// could be retrieved.
var ErrNoCredentials = errors.New(`no AWS credentials found: set AWS_PROFILE or run "aws configure" / "aws sso login" (or use --demo / --offline)`)

// CheckCredentials retrieves credentials once, with DefaultCredentialTimeout,
// so a missing login is reported before a fetch starts rather than as the
// hundredth failed call.
func CheckCredentials(ctx context.Context, cfg aws.Config) (CredentialInfo, error) {
	if cfg.Credentials == nil {
		return CredentialInfo{}, ErrNoCredentials
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultCredentialTimeout)
	defer cancel()
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return CredentialInfo{}, &credError{cause: err}
	}
	if !creds.HasKeys() {
		return CredentialInfo{Source: creds.Source}, ErrNoCredentials
	}
	info := CredentialInfo{Source: creds.Source}
	if creds.CanExpire {
		info.Expires = creds.Expires
	}
	return info, nil
}

// credError keeps the provider's error reachable with errors.As/Is while
// printing only a redacted form of it.
type credError struct{ cause error }

func (e *credError) Error() string {
	cause := e.cause.Error()
	// When the chain simply ran out (nothing configured, no instance
	// role), the SDK's account of each step says nothing the fix does not;
	// anything else (an expired SSO session, a broken profile) is the news.
	if strings.Contains(cause, "no EC2 IMDS role found") {
		return ErrNoCredentials.Error()
	}
	return ErrNoCredentials.Error() + " (" + redact(cause) + ")"
}

func (e *credError) Unwrap() []error { return []error{ErrNoCredentials, e.cause} }

var (
	// Access key IDs have a fixed shape; anything else long and
	// base64-looking may be a secret or a session token.
	keyIDPattern  = regexp.MustCompile(`\b(AKIA|ASIA|AIDA|AROA|ABIA|ACCA)[A-Z0-9]{12,}\b`)
	secretPattern = regexp.MustCompile(`[A-Za-z0-9+/=_\-]{32,}`)
)

// redact removes anything shaped like a key ID, secret or token from a
// message before it reaches a terminal or a log.
func redact(s string) string {
	s = keyIDPattern.ReplaceAllString(s, "[redacted]")
	return secretPattern.ReplaceAllString(s, "[redacted]")
}
