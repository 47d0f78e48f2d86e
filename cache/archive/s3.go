package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	tm "github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// DefaultPartSize is the multipart part size: files larger than this are
// uploaded in parts, so a long export over a bad link retries a part, not
// the file. S3 requires at least 5 MiB for every part but the last.
const DefaultPartSize = 8 << 20

// S3Options configure an S3 location beyond the AWS config.
type S3Options struct {
	// PathStyle forces path-style addressing (http://host/bucket/key). It is
	// on anyway whenever a custom endpoint is configured: MinIO, Ceph and
	// LocalStack rarely resolve bucket subdomains.
	PathStyle bool
	// EndpointURL overrides the S3 endpoint; AWS_ENDPOINT_URL_S3 (or
	// AWS_ENDPOINT_URL) already works without it.
	EndpointURL string
	// PartSize of multipart uploads; 0 means DefaultPartSize.
	PartSize int64
	// HTTPClient replaces the SDK's; tests use it to cut an upload short.
	HTTPClient aws.HTTPClient
}

// S3 is a Location under s3://Bucket/Prefix.
type S3 struct {
	Bucket, Prefix string
	client         *s3.Client
	transfer       *tm.Client
}

// OpenS3 returns the location of an s3://BUCKET/PREFIX URL, with cfg's
// credentials, profile and region (the bucket's region; us-east-1 when
// none is configured).
func OpenS3(url string, cfg aws.Config, o S3Options) (*S3, error) {
	bucket, prefix, err := ParseS3(url)
	if err != nil {
		return nil, err
	}
	custom := o.EndpointURL != "" || cfg.BaseEndpoint != nil ||
		os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	client := s3.NewFromConfig(cfg, func(so *s3.Options) {
		if so.Region == "" {
			so.Region = "us-east-1"
		}
		if o.EndpointURL != "" {
			so.BaseEndpoint = aws.String(o.EndpointURL)
		}
		so.UsePathStyle = o.PathStyle || custom
		if custom {
			// S3-compatible stores often reject the SDK's newer default
			// (flexible checksums on every request); send them only where
			// the API requires one.
			so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
		if o.HTTPClient != nil {
			so.HTTPClient = o.HTTPClient
		}
	})
	part := o.PartSize
	if part <= 0 {
		part = DefaultPartSize
	}
	transfer := tm.New(client, func(to *tm.Options) {
		to.PartSizeBytes = part
		to.MultipartUploadThreshold = part
		to.Concurrency = 4
		if custom {
			to.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		}
	})
	return &S3{Bucket: bucket, Prefix: prefix, client: client, transfer: transfer}, nil
}

func (s *S3) URL(key string) string { return "s3://" + s.Bucket + "/" + s.Prefix + key }

func (s *S3) Get(ctx context.Context, key string) ([]byte, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: aws.String(s.Prefix + key)})
	if err != nil {
		return nil, s.explain(err, "s3:GetObject", key)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, &Error{Object: s.URL(key), Err: fmt.Errorf("reading: %s", clean(err)), Fix: "check the network and try again"}
	}
	return data, nil
}

// Put uploads data, in parts when it is larger than the part size. The
// object appears only when the upload completes; a failed multipart upload
// is aborted, so its parts do not linger (and cost).
func (s *S3) Put(ctx context.Context, key string, data []byte) error {
	_, err := s.transfer.UploadObject(ctx, &tm.UploadObjectInput{
		Bucket: &s.Bucket, Key: aws.String(s.Prefix + key), Body: bytes.NewReader(data),
	})
	if err != nil {
		return s.explain(err, "s3:PutObject", key)
	}
	return nil
}

func (s *S3) List(ctx context.Context) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.Bucket, Prefix: aws.String(s.Prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, s.explain(err, "s3:ListBucket", "")
		}
		for _, o := range page.Contents {
			keys = append(keys, strings.TrimPrefix(aws.ToString(o.Key), s.Prefix))
		}
	}
	return keys, nil
}

// Delete removes keys one request each: DeleteObjects needs a checksum
// header that several S3-compatible stores handle differently, and an
// export deletes only the few files it replaced.
func (s *S3) Delete(ctx context.Context, keys []string) error {
	for _, k := range keys {
		if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.Bucket, Key: aws.String(s.Prefix + k)}); err != nil {
			return s.explain(err, "s3:DeleteObject", k)
		}
	}
	return nil
}

// AccessResult is the outcome of trying one S3 action on the archive.
type AccessResult struct {
	Action string // e.g. "s3:ListBucket"
	Err    error  // nil when allowed
}

// probeKey is the object CheckAccess writes and deletes again.
const probeKey = ".spotscope-access-probe"

// CheckAccess tries each action an export and an import need, the way they
// call it: list the prefix, read the manifest (a missing one is fine),
// write and delete a small probe object.
func (s *S3) CheckAccess(ctx context.Context) []AccessResult {
	_, listErr := s.List(ctx)
	_, getErr := s.Get(ctx, ManifestKey)
	if errors.Is(getErr, fs.ErrNotExist) {
		getErr = nil
	}
	putErr := s.Put(ctx, probeKey, []byte("spotscope doctor\n"))
	delErr := errors.New("not checked: the probe object could not be written")
	if putErr == nil {
		delErr = s.Delete(ctx, []string{probeKey})
	}
	return []AccessResult{{"s3:ListBucket", listErr}, {"s3:GetObject", getErr}, {"s3:PutObject", putErr}, {"s3:DeleteObject", delErr}}
}

// explain turns an SDK error into one line naming the object and the fix.
// It is built from the error code and status, never the raw SDK text,
// beyond a redacted message: nothing of a credential reaches a log.
func (s *S3) explain(err error, action, key string) error {
	obj := s.URL(key)
	var ae smithy.APIError
	code := ""
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	status := 0
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		status = re.Response.StatusCode
	}
	arn := "arn:aws:s3:::" + s.Bucket + "/" + s.Prefix + "*"
	switch {
	case code == "NoSuchKey" || (code == "NotFound" && key != ""):
		return &Error{Object: obj, Err: fs.ErrNotExist}
	case code == "NoSuchBucket" || (status == http.StatusNotFound && key == ""):
		return &Error{Object: "s3://" + s.Bucket, Err: errors.New("the bucket does not exist"),
			Fix: "create it (aws s3 mb s3://" + s.Bucket + ") or fix the bucket name"}
	// Before access denied: AWS answers these with 403 too.
	case code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "ExpiredToken" || code == "InvalidToken":
		return &Error{Object: obj, Err: fmt.Errorf("the credentials were refused (%s)", code),
			Fix: "check --profile / AWS_PROFILE, or run aws sso login"}
	case code == "AccessDenied" || code == "Forbidden" || status == http.StatusForbidden:
		if action == "s3:ListBucket" {
			arn = "arn:aws:s3:::" + s.Bucket + " (condition s3:prefix " + s.Prefix + "*)"
		}
		return &Error{Object: obj, Err: fmt.Errorf("access denied (%s)", action),
			Fix: "allow " + action + " on " + arn + "; the policy is in docs/iam-policy.json"}
	case code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" || status == http.StatusMovedPermanently:
		region := ""
		if re != nil && re.Response != nil {
			region = re.Response.Header.Get("x-amz-bucket-region")
		}
		if region == "" {
			region = "the bucket's region"
		}
		return &Error{Object: "s3://" + s.Bucket, Err: errors.New("the bucket is in another region"),
			Fix: "set AWS_REGION to " + region}
	case code != "":
		return &Error{Object: obj, Err: fmt.Errorf("%s failed: %s", action, code), Fix: "check the bucket, its policy and the endpoint"}
	}
	return &Error{Object: obj, Err: fmt.Errorf("%s failed: %s", action, clean(err)), Fix: "check the network, AWS_ENDPOINT_URL_S3 and the bucket"}
}

// secretLike matches what could be a key or token in a transport error.
var secretLike = regexp.MustCompile(`\b(AKIA|ASIA)[A-Z0-9]{12,}\b|[A-Za-z0-9+/=_\-]{32,}`)

// clean shortens a transport error to its last cause and redacts anything
// shaped like a credential.
func clean(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		msg = msg[i+2:]
	}
	return secretLike.ReplaceAllString(msg, "[redacted]")
}
