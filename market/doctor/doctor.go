// Package doctor diagnoses why spotscope cannot reach or use AWS on this
// machine: region, credentials (by source, never by value), the IAM actions
// spotscope calls, the public Spot Advisor file, the Price List API, the local
// cache and the terminal. The cobra command only builds Deps and prints the
// Report; everything here is injected so tests run against loopback fakes.
package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/smithy-go"

	"github.com/spotscope/spotscope/market"
)

// Status is the outcome of one check. Only StatusFail makes Report.OK false:
// a warning is something spotscope can work around (an estimate, a snapshot).
type Status string

const (
	StatusOK   Status = "ok"
	StatusWarn Status = "warn"
	StatusFail Status = "fail"
)

// Check is one line of the report. Fix is set whenever Status is not ok, so
// every problem comes with the next step to take.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// Report is the ordered list of checks.
type Report struct {
	Checks []Check `json:"checks"`
}

// OK reports whether no check failed.
func (r Report) OK() bool {
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			return false
		}
	}
	return true
}

// Counts returns how many checks ended in each status.
func (r Report) Counts() (ok, warn, fail int) {
	for _, c := range r.Checks {
		switch c.Status {
		case StatusOK:
			ok++
		case StatusWarn:
			warn++
		default:
			fail++
		}
	}
	return ok, warn, fail
}

// MarshalJSON adds the overall verdict so `-o json` consumers need not
// recompute it.
func (r Report) MarshalJSON() ([]byte, error) {
	checks := r.Checks
	if checks == nil {
		checks = []Check{}
	}
	return json.Marshal(struct {
		OK     bool    `json:"ok"`
		Checks []Check `json:"checks"`
	}{r.OK(), checks})
}

// Markers are distinct shapes, not colours, so the report reads the same
// under NO_COLOR, in a log file or through a screen reader.
var markers = map[Status]string{StatusOK: "✓", StatusWarn: "!", StatusFail: "✗"}

// Write prints the report as aligned plain text, one check per line and an
// indented "fix:" line under every check that is not ok.
func (r Report) Write(w io.Writer) error {
	width := 0
	for _, c := range r.Checks {
		width = max(width, len([]rune(c.Name)))
	}
	var b strings.Builder
	for _, c := range r.Checks {
		m, ok := markers[c.Status]
		if !ok {
			m = "?"
		}
		fmt.Fprintf(&b, "%s %-*s  %s\n", m, width, c.Name, c.Detail)
		if c.Fix != "" && c.Status != StatusOK {
			fmt.Fprintf(&b, "  %-*s  fix: %s\n", width, "", c.Fix)
		}
	}
	ok, warn, fail := r.Counts()
	fmt.Fprintf(&b, "\n%d ok, %d %s, %d %s\n", ok, warn, plural(warn, "warning"), fail, plural(fail, "failure"))
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

// EC2API is the part of *ec2.Client that doctor calls, every time with
// DryRun set.
type EC2API interface {
	DescribeSpotPriceHistory(context.Context, *ec2.DescribeSpotPriceHistoryInput, ...func(*ec2.Options)) (*ec2.DescribeSpotPriceHistoryOutput, error)
	DescribeInstanceTypes(context.Context, *ec2.DescribeInstanceTypesInput, ...func(*ec2.Options)) (*ec2.DescribeInstanceTypesOutput, error)
	DescribeInstanceTypeOfferings(context.Context, *ec2.DescribeInstanceTypeOfferingsInput, ...func(*ec2.Options)) (*ec2.DescribeInstanceTypeOfferingsOutput, error)
	DescribeAvailabilityZones(context.Context, *ec2.DescribeAvailabilityZonesInput, ...func(*ec2.Options)) (*ec2.DescribeAvailabilityZonesOutput, error)
	DescribeRegions(context.Context, *ec2.DescribeRegionsInput, ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
	GetSpotPlacementScores(context.Context, *ec2.GetSpotPlacementScoresInput, ...func(*ec2.Options)) (*ec2.GetSpotPlacementScoresOutput, error)
}

// PricingAPI is the part of *pricing.Client that doctor calls.
type PricingAPI interface {
	GetProducts(context.Context, *pricing.GetProductsInput, ...func(*pricing.Options)) (*pricing.GetProductsOutput, error)
}

// CacheStatus is what a CacheProbe learned by opening the cache.
type CacheStatus struct {
	// QuickCheck is the result of `PRAGMA quick_check`: "ok" when healthy,
	// otherwise SQLite's first complaint.
	QuickCheck string
	// SizeBytes of the database including its WAL; zero lets doctor stat the
	// files itself.
	SizeBytes int64
	// Summary is an optional human line, e.g. "3 regions, 120k records".
	Summary string
}

// CacheProbe opens the cache at path read-only (or as the app would), runs a
// quick integrity check and closes it. The cmd layer adapts *cache.Store to
// it, which keeps this package free of the cache package and its driver.
// Doctor calls it only when the file exists, so a probe never creates a cache.
type CacheProbe func(ctx context.Context, path string) (CacheStatus, error)

// Terminal describes the output terminal; see DetectTerminal.
type Terminal struct {
	IsTTY   bool   `json:"is_tty"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	Profile string `json:"profile"` // termenv profile name: TrueColor, ANSI256, ANSI, Ascii
	NoColor bool   `json:"no_color"`
	Term    string `json:"term"`
}

// Minimum terminal size the TUI lays out without clipping.
const (
	MinWidth  = 80
	MinHeight = 24
)

// DefaultAdvisorURL is the public Spot Instance Advisor data file.
const DefaultAdvisorURL = "https://spot-bid-advisor.s3.amazonaws.com/spot-advisor-data.json"

// PolicyURL is where IAM fixes point; the same file ships as docs/iam-policy.json.
const PolicyURL = "https://github.com/spotscope/spotscope/blob/main/docs/iam-policy.json"

// Deps is everything doctor touches. Zero values pick production defaults,
// except that checks whose inputs are absent (no CachePath, no Terminal)
// are left out rather than guessed.
type Deps struct {
	// AWS is the config the app would use (config.LoadDefaultConfig with the
	// user's --region/--profile). Its ConfigSources tell where the region
	// came from.
	AWS aws.Config
	// RegionSource overrides the derived "from ..." text, e.g. "--region flag".
	RegionSource string
	// NewEC2 builds the EC2 client; nil means ec2.NewFromConfig with few retries.
	NewEC2 func(aws.Config) EC2API
	// NewPricing builds the Price List client; nil means pricing.NewFromConfig
	// pinned to us-east-1 when the region has no Price List endpoint.
	NewPricing func(aws.Config) PricingAPI
	// HTTP fetches the advisor URL; nil means http.DefaultClient.
	HTTP       *http.Client
	AdvisorURL string // "" means DefaultAdvisorURL
	// CachePath is the SQLite file; "" leaves the cache check out.
	CachePath string
	// Cache probes the file when it exists; nil means QuickCheck.
	Cache CacheProbe
	// Terminal is nil when the caller does not want the terminal checked.
	Terminal *Terminal
	// Archive is the team archive location (--archive, SPOTSCOPE_ARCHIVE);
	// "" leaves the archive checks out. ArchiveProbe tries its actions.
	Archive      string
	ArchiveProbe ArchiveProbe
	// Timeout bounds each network check; zero means 10s.
	Timeout time.Duration
	Now     func() time.Time
}

// Names of the fixed checks, for callers and tests that look one up.
const (
	CheckRegion      = "region"
	CheckCredentials = "credentials"
	CheckAdvisor     = "spot advisor"
	CheckPricing     = "pricing:GetProducts"
	CheckCache       = "cache"
	CheckTerminal    = "terminal"
)

// Actions are the EC2 actions spotscope calls, each checked with DryRun.
var Actions = []string{
	"ec2:DescribeSpotPriceHistory",
	"ec2:DescribeInstanceTypes",
	"ec2:DescribeInstanceTypeOfferings",
	"ec2:DescribeAvailabilityZones",
	"ec2:DescribeRegions",
	"ec2:GetSpotPlacementScores",
}

// Run performs every check and returns them in a fixed order. Network checks
// run concurrently; none of them is fatal to the others.
func Run(ctx context.Context, d Deps) Report {
	d = d.withDefaults()

	region := checkRegion(d.AWS, d.RegionSource)
	creds, secrets := checkCredentials(ctx, d)
	checks := []Check{region, creds}

	canCall := region.Status != StatusFail && creds.Status != StatusFail
	var jobs []func() Check
	for _, a := range Actions {
		jobs = append(jobs, func() Check {
			if !canCall {
				return skipped(a, "needs a region and credentials")
			}
			return checkAction(ctx, d, a)
		})
	}
	jobs = append(jobs, func() Check { return checkAdvisor(ctx, d) })
	jobs = append(jobs, func() Check {
		if !canCall {
			return Check{Name: CheckPricing, Status: StatusWarn,
				Detail: "not checked (needs a region and credentials); On-Demand prices will be estimated",
				Fix:    "fix the region and credentials checks above"}
		}
		return checkPricing(ctx, d)
	})
	if d.CachePath != "" {
		jobs = append(jobs, func() Check { return checkCache(ctx, d) })
	}
	if d.Terminal != nil {
		jobs = append(jobs, func() Check { return checkTerminal(*d.Terminal) })
	}

	results := make([]Check, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = job()
		}()
	}
	wg.Wait()
	checks = append(checks, results...)
	if d.Archive != "" && d.ArchiveProbe != nil {
		checks = append(checks, checkArchive(ctx, d)...)
	}

	// Belt and braces: an SDK or server error message could echo a key, so
	// nothing leaves Run containing one.
	for i := range checks {
		checks[i].Detail = truncate(redact(checks[i].Detail, secrets))
		checks[i].Fix = truncate(redact(checks[i].Fix, secrets))
	}
	return Report{Checks: checks}
}

func (d Deps) withDefaults() Deps {
	if d.Timeout <= 0 {
		d.Timeout = 10 * time.Second
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.HTTP == nil {
		d.HTTP = http.DefaultClient
	}
	if d.Cache == nil {
		d.Cache = QuickCheck
	}
	if d.AdvisorURL == "" {
		d.AdvisorURL = DefaultAdvisorURL
	}
	if d.NewEC2 == nil {
		d.NewEC2 = func(cfg aws.Config) EC2API {
			// A doctor should answer quickly; the adaptive retries the fetcher
			// uses would hide a broken network behind a long wait.
			return ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.RetryMaxAttempts = 2 })
		}
	}
	if d.NewPricing == nil {
		d.NewPricing = func(cfg aws.Config) PricingAPI {
			return pricing.NewFromConfig(cfg, func(o *pricing.Options) {
				o.RetryMaxAttempts = 2
				o.Region = PricingRegion(o.Region)
			})
		}
	}
	return d
}

// PricingRegion maps a region to one that hosts the Price List Query API,
// which exists only in us-east-1, eu-central-1 and ap-south-1.
func PricingRegion(region string) string {
	switch region {
	case "us-east-1", "eu-central-1", "ap-south-1":
		return region
	case "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1", "eu-south-2", "eu-central-2", "il-central-1", "me-central-1", "me-south-1", "af-south-1":
		return "eu-central-1"
	}
	if strings.HasPrefix(region, "ap-") {
		return "ap-south-1"
	}
	return "us-east-1"
}

func skipped(name, why string) Check {
	return Check{Name: name, Status: StatusWarn, Detail: "not checked (" + why + ")",
		Fix: "fix the region and credentials checks above, then run spotscope doctor again"}
}

func checkRegion(cfg aws.Config, override string) Check {
	c := Check{Name: CheckRegion}
	if cfg.Region == "" {
		c.Status = StatusFail
		c.Detail = "no region configured"
		c.Fix = "pass --region us-east-1, set AWS_REGION, or add `region = us-east-1` to your profile in ~/.aws/config"
		return c
	}
	if err := market.ValidateRegion(cfg.Region); err != nil {
		c.Status = StatusFail
		c.Detail = fmt.Sprintf("%q is not a known region (from %s)", cfg.Region, regionSource(cfg, override))
		c.Fix = "use a region name such as us-east-1 or eu-west-1 (`aws ec2 describe-regions` lists yours)"
		return c
	}
	c.Status = StatusOK
	c.Detail = fmt.Sprintf("%s (from %s)", cfg.Region, regionSource(cfg, override))
	return c
}

// regionSource follows the SDK's precedence (load options, then environment,
// then shared config) over the sources LoadDefaultConfig recorded.
func regionSource(cfg aws.Config, override string) string {
	if override != "" {
		return override
	}
	for _, s := range cfg.ConfigSources {
		switch v := s.(type) {
		case config.LoadOptions:
			if v.Region == cfg.Region {
				return "command line (--region)"
			}
		case *config.LoadOptions:
			if v != nil && v.Region == cfg.Region {
				return "command line (--region)"
			}
		}
	}
	for _, s := range cfg.ConfigSources {
		switch v := s.(type) {
		case config.EnvConfig:
			if v.Region == cfg.Region {
				return "environment: AWS_REGION or AWS_DEFAULT_REGION"
			}
		case *config.EnvConfig:
			if v != nil && v.Region == cfg.Region {
				return "environment: AWS_REGION or AWS_DEFAULT_REGION"
			}
		}
	}
	if p, region := sharedProfile(cfg); region == cfg.Region && p != "" {
		return "shared config, profile " + p
	}
	return "the AWS SDK configuration"
}

func sharedProfile(cfg aws.Config) (profile, region string) {
	for _, s := range cfg.ConfigSources {
		switch v := s.(type) {
		case config.SharedConfig:
			return v.Profile, v.Region
		case *config.SharedConfig:
			if v != nil {
				return v.Profile, v.Region
			}
		}
	}
	return "", ""
}

func checkCredentials(ctx context.Context, d Deps) (Check, []string) {
	c := Check{Name: CheckCredentials}
	fix := "run `aws configure`, or `aws sso login --profile NAME` and pass --profile NAME (or set AWS_PROFILE); `spotscope --demo` works without AWS"
	if d.AWS.Credentials == nil {
		c.Status, c.Detail, c.Fix = StatusFail, "no credentials provider configured", fix
		return c, nil
	}
	if aws.IsCredentialsProvider(d.AWS.Credentials, aws.AnonymousCredentials{}) {
		c.Status, c.Detail, c.Fix = StatusFail, "anonymous credentials: requests would be unsigned", fix
		return c, nil
	}
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	v, err := d.AWS.Credentials.Retrieve(ctx)
	secrets := []string{v.AccessKeyID, v.SecretAccessKey, v.SessionToken}
	if err != nil {
		c.Status, c.Detail, c.Fix = StatusFail, "not found: "+oneLine(err.Error()), fix
		if strings.Contains(strings.ToLower(err.Error()), "sso") {
			c.Fix = "your SSO session has expired or never started: run `aws sso login --profile NAME`"
		}
		return c, secrets
	}
	if v.AccessKeyID == "" || v.SecretAccessKey == "" {
		c.Status, c.Detail, c.Fix = StatusFail, "anonymous credentials: requests would be unsigned", fix
		return c, secrets
	}
	c.Status = StatusOK
	c.Detail = credentialSource(v.Source, d.AWS)
	if v.CanExpire {
		left := v.Expires.Sub(d.Now())
		switch {
		case left <= 0:
			c.Status = StatusFail
			c.Detail += ", expired"
			c.Fix = "refresh them: `aws sso login` for SSO profiles, otherwise renew the session token"
		case left < 15*time.Minute:
			c.Status = StatusWarn
			c.Detail += fmt.Sprintf(", expires in %s", left.Round(time.Second))
			c.Fix = "refresh them soon: `aws sso login` for SSO profiles, otherwise renew the session token"
		default:
			c.Detail += fmt.Sprintf(", expires in %s", left.Round(time.Minute))
		}
	}
	return c, secrets
}

// credentialSource names the provider and, when the shared config was
// involved, the profile. The provider name alone ("SharedConfigCredentials:
// /home/u/.aws/credentials") does not say which profile of the file.
func credentialSource(src string, cfg aws.Config) string {
	if src == "" {
		src = "unnamed provider"
	}
	profile, _ := sharedProfile(cfg)
	if profile == "" || strings.HasPrefix(src, "EnvConfigCredentials") || strings.HasPrefix(src, "StaticCredentials") {
		return src
	}
	return fmt.Sprintf("%s (profile %s)", src, profile)
}

func checkAction(ctx context.Context, d Deps, action string) Check {
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	client := d.NewEC2(d.AWS)
	dry := aws.Bool(true)
	var err error
	switch action {
	case "ec2:DescribeSpotPriceHistory":
		_, err = client.DescribeSpotPriceHistory(ctx, &ec2.DescribeSpotPriceHistoryInput{DryRun: dry})
	case "ec2:DescribeInstanceTypes":
		_, err = client.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{DryRun: dry})
	case "ec2:DescribeInstanceTypeOfferings":
		_, err = client.DescribeInstanceTypeOfferings(ctx, &ec2.DescribeInstanceTypeOfferingsInput{DryRun: dry})
	case "ec2:DescribeAvailabilityZones":
		_, err = client.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{DryRun: dry})
	case "ec2:DescribeRegions":
		_, err = client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{DryRun: dry})
	case "ec2:GetSpotPlacementScores":
		// TargetCapacity is required client-side, and the service validates
		// the request shape, so send a realistic one.
		_, err = client.GetSpotPlacementScores(ctx, &ec2.GetSpotPlacementScoresInput{
			DryRun:         dry,
			TargetCapacity: aws.Int32(1),
			InstanceTypes:  []string{"m5.large", "c5.large", "r5.large"},
			RegionNames:    []string{d.AWS.Region},
		})
	default:
		return Check{Name: action, Status: StatusFail, Detail: "unknown action"}
	}
	return classifyDryRun(action, err)
}

func classifyDryRun(action string, err error) Check {
	c := Check{Name: action}
	if err == nil {
		// Only an endpoint that ignores DryRun answers with data, and it
		// still proves the call is allowed.
		c.Status, c.Detail = StatusOK, "allowed (the endpoint ran the call instead of a dry run)"
		return c
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		c.Status = StatusFail
		c.Detail = "no answer: " + transportError(err)
		c.Fix = "check the network, proxy (HTTPS_PROXY) and any AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_EC2 override"
		return c
	}
	switch code := apiErr.ErrorCode(); code {
	case "DryRunOperation":
		c.Status, c.Detail = StatusOK, "allowed (DryRun)"
	case "UnauthorizedOperation", "AccessDenied", "AccessDeniedException":
		c.Status = StatusFail
		c.Detail = "denied (" + code + ")"
		c.Fix = fmt.Sprintf("allow %s for this identity; the least-privilege policy is docs/iam-policy.json (%s)", action, PolicyURL)
	case "AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "RequestExpired", "UnrecognizedClientException":
		c.Status = StatusFail
		c.Detail = "credentials rejected (" + code + ")"
		c.Fix = "refresh the credentials (`aws sso login`, or new access keys) and check the system clock"
	case "OptInRequired":
		c.Status = StatusFail
		c.Detail = "the region is not enabled for this account (OptInRequired)"
		c.Fix = "enable the region in the AWS console (Account > AWS Regions) or choose another --region"
	default:
		c.Status = StatusFail
		c.Detail = oneLine(code + ": " + apiErr.ErrorMessage())
		c.Fix = "retry later; if it persists, run with --debug and report the request ID"
	}
	return c
}

func checkPricing(ctx context.Context, d Deps) Check {
	c := Check{Name: CheckPricing}
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	out, err := d.NewPricing(d.AWS).GetProducts(ctx, &pricing.GetProductsInput{
		ServiceCode:   aws.String("AmazonEC2"),
		FormatVersion: aws.String("aws_v1"),
		MaxResults:    aws.Int32(1),
	})
	if err == nil {
		c.Status = StatusOK
		c.Detail = fmt.Sprintf("Price List API reachable (%d product(s) returned)", len(out.PriceList))
		return c
	}
	// On-Demand prices have a fallback (an estimate from advisor savings), so
	// a broken Price List is a warning, never a failure.
	c.Status = StatusWarn
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch code := apiErr.ErrorCode(); code {
		case "AccessDeniedException", "AccessDenied", "UnauthorizedOperation":
			c.Detail = "denied (" + code + "); On-Demand prices will be estimated"
			c.Fix = fmt.Sprintf("allow pricing:GetProducts; see docs/iam-policy.json (%s)", PolicyURL)
			return c
		default:
			c.Detail = oneLine(code+": "+apiErr.ErrorMessage()) + "; On-Demand prices will be estimated"
			c.Fix = "retry later; spotscope works without the Price List API"
			return c
		}
	}
	c.Detail = "unreachable: " + transportError(err) + "; On-Demand prices will be estimated"
	c.Fix = "check the network and proxy (HTTPS_PROXY); api.pricing.us-east-1.amazonaws.com must be reachable"
	return c
}

func checkAdvisor(ctx context.Context, d Deps) Check {
	c := Check{Name: CheckAdvisor}
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	resp, err := request(ctx, d.HTTP, http.MethodHead, d.AdvisorURL)
	if err == nil && (resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode == http.StatusNotImplemented) {
		// Some mirrors refuse HEAD; the body is dropped unread.
		resp, err = request(ctx, d.HTTP, http.MethodGet, d.AdvisorURL)
	}
	fallback := "; the embedded advisor snapshot will be used"
	fix := "check the network and proxy (HTTPS_PROXY), or set SPOTSCOPE_ADVISOR_URL to a mirror"
	if err != nil {
		c.Status, c.Detail, c.Fix = StatusWarn, "unreachable: "+transportError(err)+fallback, fix
		return c
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		c.Status, c.Detail, c.Fix = StatusWarn, fmt.Sprintf("%s answered HTTP %d%s", d.AdvisorURL, resp.StatusCode, fallback), fix
		return c
	}
	c.Status = StatusOK
	c.Detail = fmt.Sprintf("%s reachable (HTTP %d", d.AdvisorURL, resp.StatusCode)
	if resp.ContentLength > 0 {
		c.Detail += ", " + humanBytes(resp.ContentLength)
	}
	if lm, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		c.Detail += ", updated " + lm.UTC().Format("2006-01-02")
	}
	c.Detail += ")"
	return c
}

func request(ctx context.Context, client *http.Client, method, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return resp, nil
}

func checkCache(ctx context.Context, d Deps) Check {
	c := Check{Name: CheckCache}
	fix := "move it aside with `spotscope cache reset` (it keeps the old file) and fetch again"
	if _, err := os.Stat(d.CachePath); errors.Is(err, os.ErrNotExist) {
		c.Status = StatusOK
		c.Detail = d.CachePath + " not created yet (the first fetch creates it)"
		return c
	} else if err != nil {
		c.Status, c.Detail = StatusFail, oneLine(err.Error())
		c.Fix = "check the permissions of the cache directory, or set SPOTSCOPE_CACHE_DIR"
		return c
	}
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	st, err := d.Cache(ctx, d.CachePath)
	if err != nil {
		c.Status, c.Detail, c.Fix = StatusFail, d.CachePath+" cannot be opened: "+oneLine(err.Error()), fix
		return c
	}
	size := st.SizeBytes
	if size == 0 {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if fi, err := os.Stat(d.CachePath + suffix); err == nil {
				size += fi.Size()
			}
		}
	}
	parts := []string{d.CachePath, humanBytes(size)}
	if st.QuickCheck != "ok" {
		c.Status = StatusFail
		c.Detail = strings.Join(parts, ", ") + ", integrity check failed: " + oneLine(st.QuickCheck)
		c.Fix = fix
		return c
	}
	parts = append(parts, "quick_check ok")
	if st.Summary != "" {
		parts = append(parts, st.Summary)
	}
	c.Status, c.Detail = StatusOK, strings.Join(parts, ", ")
	return c
}

func checkTerminal(t Terminal) Check {
	c := Check{Name: CheckTerminal, Status: StatusOK}
	if !t.IsTTY {
		c.Detail = "not a terminal (output is redirected): the TUI needs one; -o table|json|csv work anywhere"
		return c
	}
	colour := "colour " + t.Profile
	switch {
	case t.NoColor:
		colour = "colour off (NO_COLOR is set)"
	case t.Profile == "" || t.Profile == "Ascii":
		colour = "no colour support detected"
		if t.Term != "" {
			colour += " (TERM=" + t.Term + ")"
		}
	}
	c.Detail = fmt.Sprintf("%dx%d, %s", t.Width, t.Height, colour)
	if t.Width < MinWidth || t.Height < MinHeight {
		c.Status = StatusWarn
		c.Detail += fmt.Sprintf("; smaller than %dx%d, the TUI will clip", MinWidth, MinHeight)
		c.Fix = fmt.Sprintf("enlarge the window to at least %dx%d columns x rows", MinWidth, MinHeight)
	}
	return c
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// transportError drops the SDK's operation and retry wrapping ("operation
// error EC2: ..., exceeded maximum number of attempts, ...") down to what the
// network said, which is what the user can act on.
func transportError(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return oneLine(ue.Err.Error())
	}
	return oneLine(err.Error())
}

// oneLine keeps a report line a line: SDK errors can span several.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// truncate runs after redact, so a key can never be cut to an unrecognised
// prefix.
func truncate(s string) string {
	const limit = 300
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return s
}

func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		// Short values would redact ordinary words; real keys are 16+ chars.
		if len(sec) >= 8 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}
