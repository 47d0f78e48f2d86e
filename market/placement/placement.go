// Package placement asks EC2 for Spot placement scores (1..10 per
// Availability Zone ID) for a candidate set of instance types and a target
// capacity, and remembers the answers.
//
// AWS limits how many *new* request configurations an account may score in
// 24 hours, while re-asking a configuration already used in that period is
// allowed. So every answer is stored under its canonical configuration
// (sorted, de-duplicated types and regions, capacity, unit): a request that
// differs only in order or duplicates reuses it; within TTL the stored answer
// is returned without a call; and the configurations used in the last 24 h
// are listed so that a caller can cap new ones (MaxNewConfigs) and be served
// an older answer instead.
package placement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// API is the EC2 call used; *ec2.Client satisfies it.
type API interface {
	GetSpotPlacementScores(ctx context.Context, in *ec2.GetSpotPlacementScoresInput, optFns ...func(*ec2.Options)) (*ec2.GetSpotPlacementScoresOutput, error)
}

// DocStore keeps raw documents; *cache.Store satisfies it.
type DocStore interface {
	PutDoc(ctx context.Context, key string, data []byte, at time.Time) error
	Doc(ctx context.Context, key string) (data []byte, at time.Time, ok bool, err error)
}

// Target capacity units.
const (
	UnitUnits     = "units" // instances (AWS's default)
	UnitVCPU      = "vcpu"
	UnitMemoryMiB = "memory-mib"
)

// MinTypes is the fewest instance types AWS scores meaningfully: with one
// or two the score is always low.
const MinTypes = 3

// Defaults of Client.
const (
	DefaultTTL    = time.Hour
	DefaultWindow = 24 * time.Hour
)

// Request is one placement-score question. Scores are always per AZ
// (SingleAvailabilityZone=true).
type Request struct {
	InstanceTypes  []string
	TargetCapacity int32
	Unit           string   // UnitUnits (default), UnitVCPU or UnitMemoryMiB
	Regions        []string // empty: every region AWS scores
}

// Score is one AZ's score.
type Score struct {
	Region             string `json:"region"`
	AvailabilityZoneID string `json:"az_id"`
	Score              int    `json:"score"`
}

// Modes of Provenance.
const (
	ModeLive   = "live"
	ModeCached = "cached"
)

// Provenance says how fresh a Result is. Scores change with time of day and
// Spot usage; a view must show the age.
type Provenance struct {
	Mode  string
	AsOf  time.Time
	Age   time.Duration
	Stale bool   // older than TTL, returned because a new call failed or was not allowed
	Note  string // why
}

// Result is the answer for one configuration.
type Result struct {
	Config string           // canonical configuration
	Scores map[string]Score // by AZ ID; AWS lists only the top 10
	Provenance
}

// DeniedHint is the message of a denied call.
const DeniedHint = "placement scores need the IAM action ec2:GetSpotPlacementScores; continuing without them"

// ErrDenied matches (errors.Is) a *DeniedError.
var ErrDenied = errors.New(DeniedHint)

// ErrTooFewTypes is returned for fewer than MinTypes distinct instance types.
var ErrTooFewTypes = errors.New("placement scores need at least 3 distinct instance types")

// ErrConfigBudget is returned when a new configuration would exceed
// MaxNewConfigs and no earlier answer for it exists.
var ErrConfigBudget = errors.New("placement scores: no new request configurations left for the last 24 h")

// DeniedError is a permission refusal; its message is DeniedHint so it can be
// shown as is.
type DeniedError struct {
	Code string // UnauthorizedOperation, AccessDenied, ...
}

func (e *DeniedError) Error() string        { return DeniedHint }
func (e *DeniedError) Is(target error) bool { return target == ErrDenied }

// Client answers Scores.
type Client struct {
	API   API
	Store DocStore // nil: no reuse at all, every request calls AWS
	// TTL is how long an answer is reused without a call (default 1 h).
	TTL time.Duration
	// Window is AWS's configuration-limit period (default 24 h).
	Window time.Duration
	// MaxNewConfigs > 0 refuses to spend more new configurations than this
	// per Window; 0 leaves the limit to AWS.
	MaxNewConfigs int
	Now           func() time.Time

	// mu serialises updates of the used-configuration list by concurrent
	// Scores calls of this Client (other processes can still race; the
	// list is advisory, AWS enforces the real limit).
	mu sync.Mutex
}

// Config returns the canonical configuration of r and validates it.
func (r Request) Config() (string, error) {
	types := canon(r.InstanceTypes)
	if len(types) < MinTypes {
		return "", fmt.Errorf("%w, got %d", ErrTooFewTypes, len(types))
	}
	if r.TargetCapacity < 1 {
		return "", fmt.Errorf("placement scores: target capacity must be at least 1, got %d", r.TargetCapacity)
	}
	unit, err := normUnit(r.Unit)
	if err != nil {
		return "", err
	}
	regions := canon(r.Regions)
	rs := strings.Join(regions, ",")
	if rs == "" {
		rs = "*"
	}
	return "types=" + strings.Join(types, ",") + ";capacity=" + strconv.Itoa(int(r.TargetCapacity)) +
		";unit=" + unit + ";regions=" + rs, nil
}

func normUnit(u string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(u)) {
	case "", UnitUnits, "instances":
		return UnitUnits, nil
	case UnitVCPU:
		return UnitVCPU, nil
	case UnitMemoryMiB:
		return UnitMemoryMiB, nil
	}
	return "", fmt.Errorf("placement scores: unit %q is not one of units, vcpu, memory-mib", u)
}

func canon(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// CacheKey is the DocStore key of a configuration's answer.
func CacheKey(config string) string { return "placement:answer:" + config }

// usedKey holds the list of configurations used in the window.
const usedKey = "placement:configs"

// UsedConfig is a configuration spent in the current window.
type UsedConfig struct {
	Config    string    `json:"config"`
	FirstUsed time.Time `json:"first_used"` // the window of AWS's limit runs from here
	LastUsed  time.Time `json:"last_used"`
}

type answer struct {
	Config string    `json:"config"`
	Scores []Score   `json:"scores"`
	At     time.Time `json:"at"`
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) ttl() time.Duration {
	if c.TTL > 0 {
		return c.TTL
	}
	return DefaultTTL
}

func (c *Client) window() time.Duration {
	if c.Window > 0 {
		return c.Window
	}
	return DefaultWindow
}

// Scores returns per-AZ scores for req. A permission refusal is a
// *DeniedError (errors.Is(err, ErrDenied)) whose message is DeniedHint.
// When a call fails otherwise, or MaxNewConfigs forbids it, an answer of the
// same configuration from the last Window is returned marked Stale.
func (c *Client) Scores(ctx context.Context, req Request) (Result, error) {
	cfg, err := req.Config()
	if err != nil {
		return Result{}, err
	}
	now := c.now()
	var prev *answer
	if c.Store != nil {
		if raw, _, ok, err := c.Store.Doc(ctx, CacheKey(cfg)); err == nil && ok {
			var a answer
			if json.Unmarshal(raw, &a) == nil && a.Config == cfg {
				prev = &a
			}
		}
		if prev != nil && now.Sub(prev.At) < c.ttl() && !prev.At.After(now) {
			return prev.result(now, false, ""), nil
		}
	}

	used, err := c.UsedConfigs(ctx)
	if err != nil {
		used = nil // an unreadable list must not block scoring
	}
	known := false
	for _, u := range used {
		if u.Config == cfg {
			known = true
		}
	}
	if !known && c.MaxNewConfigs > 0 && len(used) >= c.MaxNewConfigs {
		note := fmt.Sprintf("%d new configurations already used in the last %s", len(used), c.window())
		if prev != nil && now.Sub(prev.At) < c.window() {
			return prev.result(now, true, note), nil
		}
		return Result{Config: cfg}, fmt.Errorf("%w (%s)", ErrConfigBudget, note)
	}

	scores, err := c.call(ctx, req)
	if err != nil {
		if ctx.Err() != nil {
			return Result{Config: cfg}, ctx.Err()
		}
		if code, ok := deniedCode(err); ok {
			return Result{Config: cfg}, &DeniedError{Code: code}
		}
		if prev != nil && now.Sub(prev.At) < c.window() {
			return prev.result(now, true, "live call failed: "+err.Error()), nil
		}
		return Result{Config: cfg}, fmt.Errorf("placement scores: %w", err)
	}
	a := answer{Config: cfg, Scores: scores, At: now}
	res := a.result(now, false, "")
	res.Mode = ModeLive
	if c.Store != nil {
		var notes []string
		raw, _ := json.Marshal(a)
		if err := c.Store.PutDoc(ctx, CacheKey(cfg), raw, now); err != nil {
			notes = append(notes, "cache write failed: "+err.Error())
		}
		if err := c.markUsed(ctx, cfg, now); err != nil {
			notes = append(notes, "configuration list not saved: "+err.Error())
		}
		res.Note = strings.Join(notes, "; ")
	}
	return res, nil
}

func (a *answer) result(now time.Time, stale bool, note string) Result {
	r := Result{Config: a.Config, Scores: make(map[string]Score, len(a.Scores)),
		Provenance: Provenance{Mode: ModeCached, AsOf: a.At, Age: now.Sub(a.At), Stale: stale, Note: note}}
	for _, s := range a.Scores {
		r.Scores[s.AvailabilityZoneID] = s
	}
	return r
}

func (c *Client) call(ctx context.Context, req Request) ([]Score, error) {
	unit, _ := normUnit(req.Unit)
	in := &ec2.GetSpotPlacementScoresInput{
		InstanceTypes:          canon(req.InstanceTypes),
		TargetCapacity:         aws.Int32(req.TargetCapacity),
		TargetCapacityUnitType: ec2types.TargetCapacityUnitType(unit),
		SingleAvailabilityZone: aws.Bool(true),
		RegionNames:            canon(req.Regions),
	}
	p := ec2.NewGetSpotPlacementScoresPaginator(c.API, in)
	var out []Score
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range page.SpotPlacementScores {
			az := aws.ToString(s.AvailabilityZoneId)
			if az == "" || s.Score == nil {
				continue // a region-level score has no AZ; not what was asked
			}
			out = append(out, Score{Region: aws.ToString(s.Region), AvailabilityZoneID: az, Score: int(*s.Score)})
		}
	}
	return out, nil
}

// UsedConfigs lists the configurations spent in the current window, oldest
// first.
func (c *Client) UsedConfigs(ctx context.Context) ([]UsedConfig, error) {
	if c.Store == nil {
		return nil, nil
	}
	raw, _, ok, err := c.Store.Doc(ctx, usedKey)
	if err != nil || !ok {
		return nil, err
	}
	var all []UsedConfig
	if err := json.Unmarshal(raw, &all); err != nil {
		return nil, fmt.Errorf("placement: configuration list: %w", err)
	}
	now := c.now()
	out := all[:0]
	for _, u := range all {
		if now.Sub(u.FirstUsed) < c.window() {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FirstUsed.Before(out[j].FirstUsed) })
	return out, nil
}

func (c *Client) markUsed(ctx context.Context, cfg string, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	used, err := c.UsedConfigs(ctx)
	if err != nil {
		used = nil // unreadable: start a new list rather than never record again
	}
	found := false
	for i := range used {
		if used[i].Config == cfg {
			used[i].LastUsed = now
			found = true
		}
	}
	if !found {
		used = append(used, UsedConfig{Config: cfg, FirstUsed: now, LastUsed: now})
	}
	raw, err := json.Marshal(used)
	if err != nil {
		return err
	}
	return c.Store.PutDoc(ctx, usedKey, raw, now)
}

func deniedCode(err error) (string, bool) {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return "", false
	}
	switch code := ae.ErrorCode(); code {
	case "UnauthorizedOperation", "AccessDenied", "AccessDeniedException":
		return code, true
	}
	return "", false
}
