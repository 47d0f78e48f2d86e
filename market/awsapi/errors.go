package awsapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/spotscope/spotscope/market"
)

// EndpointError is a call that never got an answer from AWS: nothing
// listens at the endpoint, its name does not resolve, or it drops every
// connection. It prints as one line naming the endpoint and the fix.
type EndpointError struct {
	Endpoint string // scheme://host[:port]
	Err      error  // the network error, for errors.Is/As
}

func (e *EndpointError) Error() string {
	return fmt.Sprintf("cannot reach the EC2 endpoint %s (%s): check the network and any proxy, or the endpoint set in AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL",
		e.Endpoint, networkCause(e.Err))
}

func (e *EndpointError) Unwrap() error { return e.Err }

// classify turns an SDK error that means the endpoint is unreachable into
// an *EndpointError; other errors are returned as they are.
func classify(err error) error {
	var ue *url.Error
	if err == nil || !isConnectionFailure(err) || !errors.As(err, &ue) {
		return err
	}
	endpoint := ue.URL
	if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
		endpoint = u.Scheme + "://" + u.Host
	}
	return &EndpointError{Endpoint: endpoint, Err: err}
}

// isConnectionFailure reports errors of the transport, not of AWS: no HTTP
// answer was read.
func isConnectionFailure(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return false
	}
	var dns *net.DNSError
	var op *net.OpError
	return errors.As(err, &dns) || errors.As(err, &op) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) || isTimeout(err)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// isUnreachable reports the connection failures that no retry within a
// fetch can fix: nothing listens, or the name does not exist.
func isUnreachable(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH)
}

// networkCause is the short cause of a connection failure.
func networkCause(err error) string {
	var dns *net.DNSError
	switch {
	case errors.As(err, &dns) && dns.IsNotFound:
		return "no such host " + dns.Name
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return "the server closed the connection without an answer"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "no route to host"
	case isTimeout(err):
		return "timed out"
	}
	return "network error"
}

// fatalCodes are AWS error codes that fail every call of a fetch the same
// way, so the fetch stops at the first instead of failing each piece.
var fatalCodes = map[string]bool{
	"AuthFailure": true, "UnauthorizedOperation": true, "InvalidClientTokenId": true, "ExpiredToken": true,
	"RequestExpired": true, "SignatureDoesNotMatch": true, "OptInRequired": true, "UnrecognizedClientException": true,
}

// isFatal reports an error that every piece of a region's fetch would
// meet: an unreachable endpoint or refused credentials.
func isFatal(err error) bool {
	var ee *EndpointError
	if errors.As(err, &ee) {
		return true
	}
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && fatalCodes[apiErr.ErrorCode()]
}

// MaxConnectionRetries bounds the retries of a call whose connection
// failed without an answer (reset, dropped, timed out): enough for a
// dropped keep-alive connection, few enough that an endpoint that drops
// everything fails in about a second instead of after the SDK's 10
// attempts over 19 s.
const MaxConnectionRetries = 2

// failFast wraps the SDK's retryer: a refused connection or an unknown
// host is not retried at all, other connection failures at most
// MaxConnectionRetries times per call; AWS's own answers (throttles, 5xx)
// keep the full budget.
type failFast struct {
	aws.RetryerV2
}

func (r failFast) IsErrorRetryable(err error) bool {
	if isUnreachable(err) {
		return false
	}
	return r.RetryerV2.IsErrorRetryable(err)
}

func (r failFast) GetRetryToken(ctx context.Context, opErr error) (func(error) error, error) {
	if isConnectionFailure(opErr) {
		if n, ok := ctx.Value(connFailuresKey{}).(*atomic.Int64); ok && n.Add(1) > MaxConnectionRetries {
			return nil, errGaveUp
		}
	}
	return r.RetryerV2.GetRetryToken(ctx, opErr)
}

func (r failFast) MaxAttempts() int { return r.RetryerV2.MaxAttempts() }

var errGaveUp = errors.New("gave up on the connection")

type connFailuresKey struct{}

// countConnFailures gives every call its own count of connection failures,
// which failFast reads across the call's attempts.
func countConnFailures(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("spotscope.ConnFailures",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(context.WithValue(ctx, connFailuresKey{}, new(atomic.Int64)), in)
		}), middleware.Before)
}

// regionError is one region's failure.
type regionError struct {
	regions []string
	err     error
}

func (e *regionError) Error() string { return strings.Join(e.regions, ", ") + ": " + e.err.Error() }
func (e *regionError) Unwrap() error { return e.err }

// joinRegionErrors reports the failed regions sorted, one line per distinct
// failure: an endpoint that refuses every region is said once.
func joinRegionErrors(byRegion map[string]error) error {
	var order []string
	same := map[string]*regionError{}
	for _, r := range market.SortedKeys(byRegion) {
		err := byRegion[r]
		k := err.Error()
		if re, ok := same[k]; ok {
			re.regions = append(re.regions, r)
			continue
		}
		same[k] = &regionError{regions: []string{r}, err: err}
		order = append(order, k)
	}
	errs := make([]error, 0, len(order))
	for _, k := range order {
		errs = append(errs, same[k])
	}
	return errors.Join(errs...)
}
