package main

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/market/recommend"
	"github.com/spotscope/spotscope/market/session"
	"github.com/spotscope/spotscope/tui/output"
)

type recommendFlags struct {
	p                           recommend.Profile
	memory, checkpoint, restart string
	window, hours               string
	named, awsProfile, export   string
	placementScores             bool
	launchTemplate, exportName  string
	work, gpuMemory             string
}

func newRecommendCmd(g *globals) *cobra.Command {
	var f recommendFlags
	cmd := &cobra.Command{
		Use:   "recommend",
		Short: "Recommend spot capacity pools for a workload, with expected costs and reasons",
		Long: `Rank every capacity pool that fits the workload by the expected cost of the work, counting
the work interruptions throw away, with stated penalties for price instability and low
placement scores, and spread the capacity over several AZs (at most --max-az-share in one)
and families, in one region and one architecture.

The unit of work: a job of --hours on each of --count instances (the default; an instance is
never credited for capacity the job does not use), a queue of --work vCPU- or GPU-hours, or
one job coupled over --nodes instances. Every answer has a plan: the whole workload's
On-Demand cost and time against spot, with p50/p95 from a replay of the cached prices.
Current-generation, non-burstable types only unless --previous-gen / --burstable.

Named workload profiles live in $XDG_CONFIG_HOME/spotscope/profiles.yaml
(~/.config/spotscope/profiles.yaml); flags override them. In this command --profile names
a workload profile; use --aws-profile (or AWS_PROFILE) for the AWS profile.`,
		Example: `  spotscope recommend --region us-east-1 --vcpus 4 --memory 16 --count 10 --hours 8 --checkpoint 30m
  spotscope recommend --profile training --export karpenter > nodepool.yaml
  spotscope recommend -r us-east-1,us-west-2 --gpus 1 --gpu-model a10g --nodes 4 --hours 48 --checkpoint 30m
  spotscope recommend -r us-east-1 --work 5000vcpu-h --count 20 --checkpoint 1h
  spotscope recommend --demo --vcpus 2 --memory 4 --count 6 --hours 3 --checkpoint none -o json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRecommend(cmd, g, &f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.p.VCPUs, recommend.FlagVCPUs, 0, "minimum vCPUs per instance")
	fl.StringVar(&f.memory, recommend.FlagMemory, "", "minimum memory per instance, GiB (e.g. 16, 512MiB)")
	fl.StringVar(&f.p.Arch, recommend.FlagArch, "any", "architecture: x86_64, arm64 or any")
	fl.IntVar(&f.p.GPUs, recommend.FlagGPUs, 0, "minimum GPUs per instance")
	fl.StringSliceVar(&f.p.Families, "family", nil, "only these families or types (globs: m7*, c6g); repeatable")
	fl.StringSliceVar(&f.p.Exclude, recommend.FlagExclude, nil, "exclude families or types (globs); repeatable")
	fl.IntVar(&f.p.Count, recommend.FlagCount, 1, "instances needed at once")
	fl.StringVar(&f.hours, recommend.FlagHours, "1", "job length in hours on one instance without interruptions")
	fl.StringVar(&f.checkpoint, recommend.FlagCheckpoint, "none", "checkpoint interval (30m, 1h) or none")
	fl.StringVar(&f.restart, recommend.FlagRestart, recommend.FormatDuration(recommend.DefaultRestart), "wall time to get a new instance and resume after an interruption (never free)")
	fl.StringVar(&f.work, recommend.FlagWork, "", "throughput mode: a queue of work to drain, e.g. 5000vcpu-h or 800gpu-h")
	fl.IntVar(&f.p.Nodes, recommend.FlagNodes, 0, "coupled mode: one job on N instances at once (distributed training)")
	fl.StringSliceVar(&f.p.GPUModels, recommend.FlagGPUModel, nil, "GPU model per instance (T4, A10G, L4, L40S, A100, H100, ...); repeatable, case-insensitive")
	fl.StringVar(&f.gpuMemory, recommend.FlagGPUMemory, "", "minimum memory per GPU, GiB")
	fl.BoolVar(&f.p.EFA, recommend.FlagEFA, false, "only types that support Elastic Fabric Adapter")
	fl.BoolVar(&f.p.PreviousGen, recommend.FlagPrevGen, false, "allow previous-generation types")
	fl.BoolVar(&f.p.Burstable, recommend.FlagBurstable, false, "allow burstable t-family types (CPU credits: throttled or billed beyond baseline under sustained load)")
	fl.Float64Var(&f.p.MaxAZShare, recommend.FlagMaxAZShare, recommend.DefaultMaxAZShare, "most of the capacity one AZ may carry, a fraction in (0, 1]")
	fl.IntVar(&f.p.Runs, recommend.FlagRuns, recommend.DefaultRuns, "replay runs of the plan over the cached price history")
	fl.Uint64Var(&f.p.Seed, recommend.FlagSeed, recommend.DefaultSeed, "replay seed (the plan reports it)")
	fl.Float64Var(&f.p.MaxPrice, recommend.FlagMaxPrice, 0, "highest spot price per instance-hour, USD (0: none)")
	fl.StringVar(&f.p.Product, recommend.FlagProduct, market.LinuxUNIX, "product description")
	fl.StringVar(&f.window, recommend.FlagWindow, "30d", "statistics window")
	fl.StringVar(&f.named, "profile", "", "named workload profile from the profiles file")
	fl.StringVar(&f.awsProfile, "aws-profile", "", "AWS shared-config profile (default: AWS_PROFILE)")
	fl.BoolVar(&f.placementScores, "placement-scores", false, "also ask AWS for spot placement scores (needs ec2:GetSpotPlacementScores)")
	fl.StringVar(&f.export, "export", "", "print the chosen pools as launch configuration: ec2-fleet, asg or karpenter")
	fl.StringVar(&f.launchTemplate, "launch-template", "", "launch template name for --export (default: a placeholder to replace)")
	fl.StringVar(&f.exportName, "name", "", "ASG or NodePool name for --export")
	return cmd
}

func (f *recommendFlags) profile(cmd *cobra.Command, regions []string) (recommend.Profile, error) {
	p := f.p
	var err error
	if f.memory != "" {
		if p.MemoryGiB, err = recommend.ParseMemoryGiB(f.memory); err != nil {
			return p, usagef("--memory: %v", err)
		}
	}
	if p.Hours, err = recommend.ParseHours(f.hours); err != nil {
		return p, usagef("--hours: %v", err)
	}
	if p.Checkpoint, err = recommend.ParseDuration(f.checkpoint); err != nil {
		return p, usagef("--checkpoint: %v", err)
	}
	if p.Restart, err = recommend.ParseDuration(f.restart); err != nil {
		return p, usagef("--restart: %v", err)
	}
	if p.Window, err = recommend.ParseDuration(f.window); err != nil {
		return p, usagef("--window: %v", err)
	}
	if f.work != "" {
		if p.Work, p.WorkUnit, err = recommend.ParseWork(f.work); err != nil {
			return p, usageError{err}
		}
	}
	if f.gpuMemory != "" {
		if p.GPUMemoryGiB, err = recommend.ParseMemoryGiB(f.gpuMemory); err != nil {
			return p, usagef("--%s: %v", recommend.FlagGPUMemory, err)
		}
	}
	// Zero means "default" inside a profile, so an explicit 0 on the
	// command line would silently become the default: refuse it instead.
	if err := recommend.CheckGiven(p, cmd.Flags().Changed); err != nil {
		return p, usageError{err}
	}
	if p.Arch == "any" {
		p.Arch = ""
	}
	p.Regions = regions
	changed := func(name string) bool {
		if name == recommend.FlagFamilies {
			name = "family"
		}
		if name == recommend.FlagRegions {
			return len(regions) > 0
		}
		return cmd.Flags().Changed(name)
	}
	base := recommend.Profile{}
	if f.named != "" {
		path, err := recommend.ProfilesPath()
		if err != nil {
			return p, err
		}
		if base, err = recommend.NamedProfile(path, f.named); err != nil {
			return p, usageError{err}
		}
	} else {
		// Without a named profile the flags' defaults are the profile.
		changed = func(string) bool { return true }
	}
	p = recommend.Merge(base, p, changed).WithDefaults()
	if err := p.Validate(); err != nil {
		// The profile file's key is "families"; the flag is --family.
		return p, usagef("%s", strings.Replace(err.Error(), "--"+recommend.FlagFamilies, "--family", 1))
	}
	return p, nil
}

func runRecommend(cmd *cobra.Command, g *globals, f *recommendFlags) error {
	switch f.export {
	case "", "ec2-fleet", "asg", "karpenter":
	default:
		return usagef("invalid --export %q (want ec2-fleet, asg or karpenter)", f.export)
	}
	if f.awsProfile != "" {
		g.profile = f.awsProfile
	}
	ctx := cmd.Context()
	a, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	p, err := f.profile(cmd, a.Regions)
	if err != nil {
		return err
	}
	if len(p.Regions) == 0 {
		if err := a.NeedRegions(); err != nil {
			return err
		}
		p.Regions = a.Regions
	}
	a.Regions = p.Regions
	days := min(int(p.Window.Hours()/24)+1, awsapi.MaxDays)
	if err := a.Refresh(ctx, nil, []string{p.Product}, days); err != nil {
		return err
	}
	s, err := recommendSession(ctx, a, f.placementScores, p)
	if err != nil {
		return err
	}
	res, err := s.Recommend(ctx, p, recommend.Options{})
	var ie *recommend.InputError
	if errors.As(err, &ie) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	if f.export != "" {
		return recommend.Export(g.io.out, f.export, res, recommend.ExportOptions{LaunchTemplate: f.launchTemplate, Name: f.exportName})
	}
	return writeRecommendation(g, res)
}

// recommendSession is the recommender's sources for a profile: placement
// scores, when asked for, are for its first region.
func recommendSession(ctx context.Context, a *app, withPlacement bool, p recommend.Profile) (*session.Session, error) {
	region := ""
	if withPlacement && len(p.Regions) > 0 {
		region = p.Regions[0]
	}
	return a.RecommendSources(ctx, region), nil
}

func writeRecommendation(g *globals, res recommend.Result) error {
	cols := []string{"set", "region", "availability_zone", "availability_zone_id", "instance_type", "architecture", "vcpus", "memory_gib",
		"gpus", "gpu_name", "gpu_memory_gib", "current_generation", "burstable", "product",
		"last", "twap", "cv", "p95", "interruption", "placement_score", "on_demand", "on_demand_estimated",
		"expected_cost_per_vcpu_hour", "expected_cost_per_gpu_hour", "expected_job_cost", "expected_job_cost_pessimistic", "rank_flips",
		"instances", "share", "score"}
	rep := output.Report{Columns: cols, JSON: res}
	add := func(set string, c recommend.Choice) {
		ps, od := "", ""
		if c.PlacementScore != nil {
			ps = strconv.Itoa(*c.PlacementScore)
		}
		if c.OnDemand != nil {
			od = num(*c.OnDemand)
		}
		rep.Rows = append(rep.Rows, []string{set, c.Region, c.AvailabilityZone, c.AvailabilityZoneID, c.InstanceType, c.Architecture,
			strconv.Itoa(c.VCPUs), num(c.MemoryGiB), strconv.Itoa(c.GPUs), c.GPUName, num(c.GPUMemoryGiB),
			strconv.FormatBool(c.CurrentGeneration), strconv.FormatBool(c.Burstable), c.Product,
			num(c.Last), num(c.TWAP), num(c.CV), num(c.P95), c.Interruption.Bucket, ps, od,
			strconv.FormatBool(c.OnDemandEstimated), num(c.ExpectedCostPerVCPUHour), num(c.ExpectedCostPerGPUHour), num(c.ExpectedJobCost),
			num(c.PessimisticJobCost), strconv.FormatBool(c.RankFlips), strconv.Itoa(c.Instances), num(c.Share), num(c.Score)})
	}
	for _, c := range res.Pools {
		add("chosen", c)
	}
	for _, c := range res.Alternatives {
		add("alternative", c)
	}
	if g.format != output.Table {
		return output.Write(g.io.out, g.format, rep)
	}
	return writeRecommendationTable(g.io.out, res)
}
