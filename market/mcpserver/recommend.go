package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/market/recommend"
	"github.com/spotscope/spotscope/market/workspace"
)

// recommendArgs mirror `spotscope recommend`'s flags, one argument per
// flag in snake_case (--memory is memory_gib, --gpu-memory gpu_memory_gib,
// --family families); profileFrom maps them onto a recommend.Profile.
type recommendArgs struct {
	Profile      string   `json:"profile,omitempty" jsonschema:"a named workload profile from the user's profiles file ($XDG_CONFIG_HOME/spotscope/profiles.yaml); the other arguments override its values"`
	Region       []string `json:"region,omitempty" jsonschema:"regions to rank candidates from, one or several, e.g. [\"us-east-1\", \"us-west-2\"]; a coupled job (nodes) stays in one; default: the server's"`
	VCPUs        int      `json:"vcpus,omitempty" jsonschema:"minimum vCPUs per instance"`
	MemoryGiB    float64  `json:"memory_gib,omitempty" jsonschema:"minimum memory per instance, GiB"`
	GPUs         int      `json:"gpus,omitempty" jsonschema:"minimum GPUs per instance"`
	GPUModel     []string `json:"gpu_model,omitempty" jsonschema:"GPU models per instance, any of (case-insensitive): T4, A10G, L4, L40S, A100, H100, H200, V100, ..."`
	GPUMemoryGiB float64  `json:"gpu_memory_gib,omitempty" jsonschema:"minimum memory per GPU, GiB"`
	EFA          bool     `json:"efa,omitempty" jsonschema:"only types that support Elastic Fabric Adapter"`
	Arch         string   `json:"arch,omitempty" jsonschema:"architecture: x86_64, arm64 or any (default any: the architecture whose best set is cheaper; never both in one set)"`
	Families     []string `json:"families,omitempty" jsonschema:"only these families or types (globs: m7*, c6g)"`
	Exclude      []string `json:"exclude,omitempty" jsonschema:"exclude these families or types (globs)"`
	PreviousGen  bool     `json:"previous_gen,omitempty" jsonschema:"allow previous-generation types (default: current generation only)"`
	Burstable    bool     `json:"burstable,omitempty" jsonschema:"allow burstable t-family types (CPU credits: throttled or billed beyond baseline under sustained load)"`
	Count        int      `json:"count,omitempty" jsonschema:"job mode: independent instances, one job each (default 1)"`
	Hours        float64  `json:"hours,omitempty" jsonschema:"job length in hours on one instance without interruptions (default 1); not with work"`
	Work         string   `json:"work,omitempty" jsonschema:"throughput mode: a queue of work to drain, an amount with a unit, e.g. 5000vcpu-h or 800gpu-h"`
	Nodes        int      `json:"nodes,omitempty" jsonschema:"coupled mode: one job on this many instances at once (distributed training), at least 1"`
	Checkpoint   string   `json:"checkpoint,omitempty" jsonschema:"checkpoint interval, e.g. 30m or 1h, or none (the default)"`
	Restart      string   `json:"restart,omitempty" jsonschema:"wall time to get a new instance and resume after an interruption, e.g. 5m (default 10m; never 0)"`
	MaxPrice     float64  `json:"max_price,omitempty" jsonschema:"highest spot price per instance-hour, USD (default: none)"`
	MaxAZShare   float64  `json:"max_az_share,omitempty" jsonschema:"most of the capacity one AZ may carry, a fraction in (0, 1] (default 0.5)"`
	Runs         int      `json:"runs,omitempty" jsonschema:"replay runs of the plan over the cached price history (default 2000)"`
	Seed         uint64   `json:"seed,omitempty" jsonschema:"replay seed; the plan reports it (default 1)"`
	Product      string   `json:"product,omitempty" jsonschema:"product description (default Linux/UNIX)"`
	Window       string   `json:"window,omitempty" jsonschema:"statistics window, e.g. 30d (the default)"`
	Export       string   `json:"export,omitempty" jsonschema:"also return the chosen pools as launch configuration: ec2-fleet, asg or karpenter"`
	// LaunchTemplate and Name mirror --launch-template and --name.
	LaunchTemplate string `json:"launch_template,omitempty" jsonschema:"launch template name for export (default: a placeholder to replace)"`
	Name           string `json:"name,omitempty" jsonschema:"ASG or NodePool name for export"`
}

// recommendOut is recommend.Result's own JSON (as `spotscope recommend -o
// json` prints it) plus the export text when asked for.
type recommendOut struct {
	recommend.Result
	Export string `json:"export,omitempty" jsonschema:"the launch configuration (JSON or YAML) when export was given"`
}

var exportFormats = []string{"ec2-fleet", "asg", "karpenter"}

// profileFrom is the one place tool arguments become a recommend.Profile.
// given reports whether the call named an argument, so that, as on the
// command line, only the arguments given override a named profile.
func profileFrom(a recommendArgs, given func(arg string) bool, defaultRegions []string) (recommend.Profile, error) {
	p := recommend.Profile{
		VCPUs: a.VCPUs, MemoryGiB: a.MemoryGiB, GPUs: a.GPUs, GPUModels: a.GPUModel, GPUMemoryGiB: a.GPUMemoryGiB, EFA: a.EFA,
		Arch: a.Arch, Families: a.Families, Exclude: a.Exclude, PreviousGen: a.PreviousGen, Burstable: a.Burstable,
		Count: a.Count, Hours: a.Hours, Nodes: a.Nodes, MaxPrice: a.MaxPrice, MaxAZShare: a.MaxAZShare,
		Runs: a.Runs, Seed: a.Seed, Product: a.Product, Regions: a.Region,
	}
	var err error
	for _, d := range []struct {
		name, value string
		dst         *time.Duration
	}{
		{"checkpoint", a.Checkpoint, &p.Checkpoint}, {"restart", a.Restart, &p.Restart}, {"window", a.Window, &p.Window},
	} {
		if d.value == "" {
			continue
		}
		if *d.dst, err = recommend.ParseDuration(d.value); err != nil {
			return p, workspace.BadInput{Err: badArg(d.name, err)}
		}
	}
	if a.Work != "" {
		if p.Work, p.WorkUnit, err = recommend.ParseWork(a.Work); err != nil {
			return p, flagError(err)
		}
	}
	flagGiven := func(flag string) bool { return given(argOf(flag)) }
	if err := recommend.CheckGiven(p, flagGiven); err != nil {
		return p, flagError(err)
	}
	if a.Profile != "" {
		base, err := namedProfile(a.Profile)
		if err != nil {
			return p, err
		}
		p = recommend.Merge(base, p, flagGiven)
	}
	if p.Arch == "any" {
		p.Arch = ""
	}
	if len(p.Regions) == 0 {
		p.Regions = defaultRegions
	}
	p = p.WithDefaults()
	if err := p.Validate(); err != nil {
		return p, flagError(err)
	}
	return p, nil
}

// flagError is recommend's sentence for a bad value as bad input, with the
// tool's argument names for the CLI's flags.
func flagError(err error) error {
	return workspace.BadInput{Err: errors.New(flagsAsArgs(err.Error()))}
}

// argOf is the tool argument of a recommend flag name: snake_case, with
// the unit in the name where the flag leaves it implicit.
func argOf(flag string) string {
	switch flag {
	case recommend.FlagMemory:
		return "memory_gib"
	case recommend.FlagGPUMemory:
		return "gpu_memory_gib"
	case recommend.FlagRegions:
		return "region"
	case "family":
		return "families"
	}
	return strings.ReplaceAll(flag, "-", "_")
}

// namedProfile reads a workload profile from the user's profiles file, as
// `spotscope recommend --profile` does, with its sentence for a bad name.
func namedProfile(name string) (recommend.Profile, error) {
	path, err := recommend.ProfilesPath()
	if err != nil {
		return recommend.Profile{}, err
	}
	p, err := recommend.NamedProfile(path, name)
	if err != nil {
		return p, flagError(err)
	}
	return p, nil
}

// argsGiven is the set of argument names a call sent.
func argsGiven(req *mcp.CallToolRequest) func(string) bool {
	var fields map[string]json.RawMessage
	if req != nil && req.Params != nil {
		json.Unmarshal(req.Params.Arguments, &fields)
	}
	return func(arg string) bool { _, ok := fields[arg]; return ok }
}

var flagName = regexp.MustCompile(`--([a-z][a-z-]*)`)

// flagsAsArgs names the tool's arguments where recommend's messages name
// the CLI's flags ("--max-price" is max_price, "--memory" memory_gib).
func flagsAsArgs(msg string) string {
	return flagName.ReplaceAllStringFunc(msg, func(f string) string { return argOf(strings.TrimPrefix(f, "--")) })
}

func (s *server) recommend(ctx context.Context, req *mcp.CallToolRequest, a recommendArgs) (recommendOut, string, error) {
	if a.Export != "" && !contains(exportFormats, a.Export) {
		if h := hint(a.Export, exportFormats); h != "" {
			return recommendOut{}, "", workspace.Badf("invalid export %q%s", a.Export, h)
		}
		return recommendOut{}, "", workspace.Badf("invalid export %q (want ec2-fleet, asg or karpenter)", a.Export)
	}
	p, err := profileFrom(a, argsGiven(req), s.ws.Regions)
	if err != nil {
		return recommendOut{}, "", err
	}
	ws, err := s.regionsOr(ctx, p.Regions)
	if err != nil {
		return recommendOut{}, "", err
	}
	days := min(int(p.Window.Hours()/24)+1, awsapi.MaxDays)
	if err := ws.Refresh(ctx, nil, []string{p.Product}, days); err != nil {
		return recommendOut{}, "", argNames(err)
	}
	res, err := ws.RecommendSources(ctx, "").Recommend(ctx, p, recommend.Options{})
	var inputErr *recommend.InputError
	if errors.As(err, &inputErr) {
		return recommendOut{}, "", flagError(err)
	}
	var noMatch *recommend.NoMatchError
	if errors.As(err, &noMatch) {
		// No pool meets the profile: not bad input, but named in arguments.
		return recommendOut{}, "", errors.New(flagsAsArgs(err.Error()))
	}
	if err != nil {
		return recommendOut{}, "", err
	}
	out := recommendOut{Result: res}
	if a.Export != "" {
		var b strings.Builder
		if err := recommend.Export(&b, a.Export, res, recommend.ExportOptions{LaunchTemplate: a.LaunchTemplate, Name: a.Name}); err != nil {
			return recommendOut{}, "", err
		}
		out.Export = b.String()
	}
	return out, recommendSummary(out), nil
}

func recommendSummary(out recommendOut) string {
	r := out.Result
	if len(r.Pools) == 0 {
		return fmt.Sprintf("No pool was chosen in %s (%d candidates); see notes.", r.Region, r.Candidates)
	}
	var picks []string
	for _, c := range r.Pools {
		picks = append(picks, fmt.Sprintf("%d x %s in %s at $%s/h", c.Instances, c.InstanceType, c.AvailabilityZone, market.FormatPrice(c.Price)))
	}
	s := fmt.Sprintf("Recommended in %s (%s, %s mode) from %d candidates: %s. %s",
		r.Region, r.Architecture, r.Mode, r.Candidates, strings.Join(picks, "; "), planSentence(r.Plan))
	if out.Export != "" {
		s += "\n\n" + out.Export
	}
	return s
}

// planSentence states the plan against On-Demand in one or two sentences:
// the mode, both costs and durations, the replay's p95 and the savings.
func planSentence(pl recommend.Plan) string {
	est := ""
	if pl.OnDemandEstimated {
		est = " (estimated)"
	}
	od := fmt.Sprintf("On-Demand price unknown, %.4g h", pl.OnDemandHours)
	if pl.OnDemandCost != nil {
		od = fmt.Sprintf("$%.2f%s in %.4g h On-Demand", *pl.OnDemandCost, est, pl.OnDemandHours)
	}
	s := fmt.Sprintf("Plan (%s, %d instances at once): %s against $%.2f in %.4g h expected on spot, p95 $%.2f in %.4g h (%d replayed runs, seed %d)",
		pl.Mode, pl.Instances, od, pl.ExpectedCost, pl.ExpectedHours, pl.CostP95, pl.HoursP95, pl.Runs, pl.Seed)
	if pl.Savings != nil {
		s += fmt.Sprintf("; savings %.0f%%%s", 100**pl.Savings, est)
	}
	s += "."
	if pl.PNoInterruption != nil {
		s += fmt.Sprintf(" Chance of running through with no interruption: %.1f%%.", 100**pl.PNoInterruption)
	}
	return s
}

// profileDurations adds the durations recommend.Profile writes as strings
// (its MarshalJSON) to the inferred output schema.
func profileDurations(out *jsonschema.Schema) {
	prof := out.Properties["profile"]
	if prof == nil {
		return
	}
	for _, k := range []string{"checkpoint", "restart", "window"} {
		prof.Properties[k] = &jsonschema.Schema{Type: "string", Description: "a duration as the flags take it (30m, 1h, 30d, none)"}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
