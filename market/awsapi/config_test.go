package awsapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/spotscope/spotscope/market"
)

func TestLoadConfigRetriesAndEnv(t *testing.T) {
	isolateAWSEnv(t)
	mini, srv := newMiniEC2(t, nil, synthZones)
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ENDPOINT_URL_EC2", srv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	cfg, err := LoadConfig(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Retryer == nil || cfg.Region != "eu-west-1" {
		t.Fatalf("retryer set %v, region %q", cfg.Retryer != nil, cfg.Region)
	}
	if r := cfg.Retryer(); r.MaxAttempts() != DefaultMaxAttempts {
		t.Errorf("attempts %d, want %d", r.MaxAttempts(), DefaultMaxAttempts)
	}
	if _, ok := cfg.Retryer().(failFast).RetryerV2.(interface {
		GetAttemptToken(context.Context) (func(error) error, error)
	}); !ok {
		t.Error("the retryer does not wrap the SDK's")
	}
	info, err := CheckCredentials(context.Background(), cfg)
	if err != nil || info.Source != "EnvConfigCredentials" {
		t.Errorf("info %+v err %v", info, err)
	}
	// AWS_ENDPOINT_URL_EC2 routes the clients, and a retried 5xx is
	// attempted DefaultMaxAttempts times.
	mini.fault = func(n int, w http.ResponseWriter, form url.Values) bool {
		writeEC2Error(w, 500, "InternalError", "boom")
		return true
	}
	cfg, err = LoadConfig(context.Background(), Options{Backoff: fastBackoff})
	if err != nil {
		t.Fatal(err)
	}
	client := NewClientFactory(cfg)("eu-west-1")
	if _, err = Zones(context.Background(), client, "eu-west-1"); err == nil {
		t.Fatal("want an error")
	}
	if n := len(mini.reqs()); n != DefaultMaxAttempts {
		t.Errorf("%d attempts, want %d", n, DefaultMaxAttempts)
	}
}

func TestLoadConfigProfile(t *testing.T) {
	isolateAWSEnv(t)
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config")
	if err := os.WriteFile(cfgFile, []byte("[profile spot]\nregion = sa-east-1\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	cfg, err := LoadConfig(context.Background(), Options{Profile: "spot"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "sa-east-1" {
		t.Errorf("region %q", cfg.Region)
	}
	info, err := CheckCredentials(context.Background(), cfg)
	if err != nil || !strings.HasPrefix(info.Source, "SharedConfigCredentials") {
		t.Errorf("info %+v err %v", info, err)
	}
	// An explicit region beats the profile's.
	cfg, err = LoadConfig(context.Background(), Options{Profile: "spot", Region: "us-east-2"})
	if err != nil || cfg.Region != "us-east-2" {
		t.Errorf("region %q err %v", cfg.Region, err)
	}
	if _, err := LoadConfig(context.Background(), Options{Profile: "missing"}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing profile: %v", err)
	}
}

func TestCheckCredentialsMissing(t *testing.T) {
	isolateAWSEnv(t)
	cfg, err := LoadConfig(context.Background(), Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	_, err = CheckCredentials(context.Background(), cfg)
	if !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("err = %v", err)
	}
	if !strings.HasPrefix(err.Error(), `no AWS credentials found: set AWS_PROFILE or run "aws configure" / "aws sso login" (or use --demo / --offline)`) {
		t.Errorf("message %q", err)
	}
	// Nothing configured at all: the fix is the whole message, without the
	// SDK's walk through every provider it tried.
	if strings.Contains(err.Error(), "IMDS") {
		t.Errorf("message carries the provider chain's noise: %q", err)
	}
	if d := time.Since(began); d > DefaultCredentialTimeout+time.Second {
		t.Errorf("took %v", d)
	}
}

func TestCheckCredentialsRedactsSecrets(t *testing.T) {
	const keyID, secret, token = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ"
	cfg := aws.Config{Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, errors.New("profile x: bad key " + keyID + " secret " + secret + " token " + token)
	})}
	_, err := CheckCredentials(context.Background(), cfg)
	if !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("err = %v", err)
	}
	for _, s := range []string{keyID, secret, token, "AKIA", "wJalr", "IQoJ"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error leaks %q: %v", s, err)
		}
	}
	if !strings.Contains(err.Error(), "profile x") {
		t.Errorf("the cause should stay readable: %v", err)
	}
	// A provider that hangs is cut off by the timeout, not waited on.
	cfg.Credentials = aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		<-ctx.Done()
		return aws.Credentials{}, ctx.Err()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := CheckCredentials(ctx, cfg); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	cfg.Credentials = aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret, Source: "test", CanExpire: true, Expires: synthEnd}, nil
	})
	info, err := CheckCredentials(context.Background(), cfg)
	if err != nil || info != (CredentialInfo{Source: "test", Expires: synthEnd}) {
		t.Errorf("info %+v err %v", info, err)
	}
}

const catalogXML = `<item><instanceType>g5.xlarge</instanceType><currentGeneration>true</currentGeneration>
<supportedUsageClasses><item>on-demand</item><item>spot</item></supportedUsageClasses>
<processorInfo><supportedArchitectures><item>x86_64</item></supportedArchitectures></processorInfo>
<vCpuInfo><defaultVCpus>4</defaultVCpus></vCpuInfo><memoryInfo><sizeInMiB>16384</sizeInMiB></memoryInfo>
<gpuInfo><gpus><item><name>A10G</name><manufacturer>NVIDIA</manufacturer><count>1</count><memoryInfo><sizeInMiB>24576</sizeInMiB></memoryInfo></item></gpus><totalGpuMemoryInMiB>24576</totalGpuMemoryInMiB></gpuInfo></item>
<item><instanceType>p4d.24xlarge</instanceType><currentGeneration>true</currentGeneration>
<supportedUsageClasses><item>spot</item></supportedUsageClasses>
<vCpuInfo><defaultVCpus>96</defaultVCpus></vCpuInfo><memoryInfo><sizeInMiB>1179648</sizeInMiB></memoryInfo>
<gpuInfo><gpus><item><name>A100</name><manufacturer>NVIDIA</manufacturer><count>8</count><memoryInfo><sizeInMiB>40960</sizeInMiB></memoryInfo></item></gpus></gpuInfo></item>
<item><instanceType>m6g.large</instanceType><currentGeneration>false</currentGeneration>
<supportedUsageClasses><item>on-demand</item><item>spot</item></supportedUsageClasses>
<processorInfo><supportedArchitectures><item>arm64</item></supportedArchitectures></processorInfo>
<vCpuInfo><defaultVCpus>2</defaultVCpus></vCpuInfo><memoryInfo><sizeInMiB>8192</sizeInMiB></memoryInfo></item>`

func TestCatalogAndZones(t *testing.T) {
	mini, srv := newMiniEC2(t, nil, synthZones)
	mini.types = catalogXML
	st := newMemStore()
	f := &Fetcher{Client: NewClientFactory(testConfig(t, srv.URL)), Store: st, Now: func() time.Time { return synthEnd }}
	if err := f.FetchCatalog(context.Background(), []string{"us-east-1"}); err != nil {
		t.Fatal(err)
	}
	want := []market.InstanceType{
		{Name: "g5.xlarge", VCPUs: 4, MemoryMiB: 16384, Architectures: []string{"x86_64"}, GPUs: 1, GPUManufacturer: "NVIDIA", GPUName: "A10G", GPUMemoryMiB: 24576, SpotSupported: true, CurrentGeneration: true},
		{Name: "m6g.large", VCPUs: 2, MemoryMiB: 8192, Architectures: []string{"arm64"}, SpotSupported: true},
		{Name: "p4d.24xlarge", VCPUs: 96, MemoryMiB: 1179648, GPUs: 8, GPUManufacturer: "NVIDIA", GPUName: "A100", GPUMemoryMiB: 8 * 40960, SpotSupported: true, CurrentGeneration: true},
	}
	if got := st.types["us-east-1"]; !reflect.DeepEqual(got, want) {
		t.Errorf("types\n got %+v\nwant %+v", got, want)
	}
	if got := st.zones["us-east-1"]; !reflect.DeepEqual(got, synthZones[:3]) {
		t.Errorf("zones %+v", got)
	}
	for _, q := range mini.reqs() {
		if q.Get("Action") == "DescribeInstanceTypes" && (q.Get("Filter.1.Name") != "supported-usage-class" || q.Get("Filter.1.Value.1") != "spot") {
			t.Errorf("catalog query %v", q)
		}
	}
	if err := f.FetchCatalog(context.Background(), []string{"mars-1"}); err == nil {
		t.Error("unknown region accepted")
	}
}
