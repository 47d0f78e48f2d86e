package recommend

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spotscope/spotscope/market"
)

// Export formats.
const (
	FormatEC2Fleet  = "ec2-fleet"
	FormatASG       = "asg"
	FormatKarpenter = "karpenter"
)

// Formats lists the export formats for flag help and validation.
var Formats = []string{FormatEC2Fleet, FormatASG, FormatKarpenter}

// Placeholders the user must replace; they are loud on purpose so a pasted
// configuration fails at AWS rather than launching with a wrong template.
const (
	PlaceholderLaunchTemplate = "REPLACE-ME-launch-template"
	PlaceholderNodeClass      = "REPLACE-ME-node-class"
)

// ExportOptions name the resources the exported configuration refers to.
type ExportOptions struct {
	LaunchTemplate string // launch template name; "" = PlaceholderLaunchTemplate
	Name           string // ASG or NodePool name; "" = "spotscope-" + profile name
	NodeClass      string // Karpenter EC2NodeClass; "" = PlaceholderNodeClass
	FleetType      string // EC2 Fleet type; "" = maintain
}

func (o ExportOptions) withDefaults(r Result) ExportOptions {
	if o.LaunchTemplate == "" {
		o.LaunchTemplate = PlaceholderLaunchTemplate
	}
	if o.NodeClass == "" {
		o.NodeClass = PlaceholderNodeClass
	}
	if o.Name == "" {
		o.Name = "spotscope"
		if n := sanitizeName(r.Profile.Name); n != "" {
			o.Name += "-" + n
		}
	}
	if o.FleetType == "" {
		// maintain replaces interrupted instances, which is what a job that
		// needs Count machines until it finishes wants; request would let the
		// fleet shrink with every interruption. Delete the fleet when done.
		o.FleetType = "maintain"
	}
	return o
}

// sanitizeName keeps a name valid for Kubernetes (DNS label) and ASG names.
func sanitizeName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || r == '_' || r == ' ' || r == '.':
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// Export writes r's diversified set (Result.Pools) as a launch configuration.
func Export(w io.Writer, format string, r Result, opts ExportOptions) error {
	if len(r.Pools) == 0 {
		return fmt.Errorf("export: the result has no pools")
	}
	opts = opts.withDefaults(r)
	switch format {
	case FormatEC2Fleet:
		return writeJSON(w, fleetConfig(r, opts))
	case FormatASG:
		return writeJSON(w, asgConfig(r, opts))
	case FormatKarpenter:
		_, err := io.WriteString(w, karpenterYAML(r, opts))
		return err
	}
	return fmt.Errorf("--format: unknown export format %q (use %s)", format, strings.Join(Formats, ", "))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

type launchTemplateSpec struct {
	LaunchTemplateName string `json:"LaunchTemplateName"`
	Version            string `json:"Version"`
}

type fleetOverride struct {
	InstanceType     string `json:"InstanceType"`
	AvailabilityZone string `json:"AvailabilityZone"`
	MaxPrice         string `json:"MaxPrice,omitempty"`
}

type fleetJSON struct {
	SpotOptions struct {
		AllocationStrategy           string `json:"AllocationStrategy"`
		InstanceInterruptionBehavior string `json:"InstanceInterruptionBehavior"`
	} `json:"SpotOptions"`
	LaunchTemplateConfigs []struct {
		LaunchTemplateSpecification launchTemplateSpec `json:"LaunchTemplateSpecification"`
		Overrides                   []fleetOverride    `json:"Overrides"`
	} `json:"LaunchTemplateConfigs"`
	TargetCapacitySpecification struct {
		TotalTargetCapacity       int    `json:"TotalTargetCapacity"`
		OnDemandTargetCapacity    int    `json:"OnDemandTargetCapacity"`
		SpotTargetCapacity        int    `json:"SpotTargetCapacity"`
		DefaultTargetCapacityType string `json:"DefaultTargetCapacityType"`
	} `json:"TargetCapacitySpecification"`
	Type string `json:"Type"`
}

func fleetConfig(r Result, o ExportOptions) fleetJSON {
	var f fleetJSON
	f.SpotOptions.AllocationStrategy = "price-capacity-optimized"
	f.SpotOptions.InstanceInterruptionBehavior = "terminate"
	f.LaunchTemplateConfigs = make([]struct {
		LaunchTemplateSpecification launchTemplateSpec `json:"LaunchTemplateSpecification"`
		Overrides                   []fleetOverride    `json:"Overrides"`
	}, 1)
	lt := &f.LaunchTemplateConfigs[0]
	lt.LaunchTemplateSpecification = launchTemplateSpec{o.LaunchTemplate, "$Latest"}
	for _, c := range r.Pools {
		ov := fleetOverride{InstanceType: c.InstanceType, AvailabilityZone: c.AvailabilityZone}
		if r.Profile.MaxPrice > 0 {
			ov.MaxPrice = market.FormatPrice(r.Profile.MaxPrice)
		}
		lt.Overrides = append(lt.Overrides, ov)
	}
	n := count(r)
	f.TargetCapacitySpecification.TotalTargetCapacity = n
	f.TargetCapacitySpecification.SpotTargetCapacity = n
	f.TargetCapacitySpecification.DefaultTargetCapacityType = "spot"
	f.Type = o.FleetType
	return f
}

func count(r Result) int {
	if r.Profile.Nodes > 0 {
		return r.Profile.Nodes // one coupled job on all of them
	}
	if r.Profile.Count > 0 {
		return r.Profile.Count
	}
	n := 0
	for _, c := range r.Pools {
		n += c.Instances
	}
	return max(n, 1)
}

type asgJSON struct {
	AutoScalingGroupName string `json:"AutoScalingGroupName"`
	MixedInstancesPolicy struct {
		LaunchTemplate struct {
			LaunchTemplateSpecification launchTemplateSpec `json:"LaunchTemplateSpecification"`
			Overrides                   []asgOverride      `json:"Overrides"`
		} `json:"LaunchTemplate"`
		InstancesDistribution struct {
			OnDemandBaseCapacity                int    `json:"OnDemandBaseCapacity"`
			OnDemandPercentageAboveBaseCapacity int    `json:"OnDemandPercentageAboveBaseCapacity"`
			SpotAllocationStrategy              string `json:"SpotAllocationStrategy"`
			SpotMaxPrice                        string `json:"SpotMaxPrice,omitempty"`
		} `json:"InstancesDistribution"`
	} `json:"MixedInstancesPolicy"`
	MinSize           int      `json:"MinSize"`
	MaxSize           int      `json:"MaxSize"`
	DesiredCapacity   int      `json:"DesiredCapacity"`
	AvailabilityZones []string `json:"AvailabilityZones"`
}

type asgOverride struct {
	InstanceType string `json:"InstanceType"`
}

func asgConfig(r Result, o ExportOptions) asgJSON {
	var a asgJSON
	a.AutoScalingGroupName = o.Name
	a.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification = launchTemplateSpec{o.LaunchTemplate, "$Latest"}
	// An ASG cannot pin a type to an AZ: it takes the types and the AZs
	// separately and balances across AZs itself.
	a.MixedInstancesPolicy.LaunchTemplate.Overrides = []asgOverride{}
	for _, t := range distinct(r.Pools, func(c Choice) string { return c.InstanceType }, false) {
		a.MixedInstancesPolicy.LaunchTemplate.Overrides = append(a.MixedInstancesPolicy.LaunchTemplate.Overrides, asgOverride{t})
	}
	d := &a.MixedInstancesPolicy.InstancesDistribution
	d.SpotAllocationStrategy = "price-capacity-optimized"
	if r.Profile.MaxPrice > 0 {
		d.SpotMaxPrice = market.FormatPrice(r.Profile.MaxPrice)
	}
	n := count(r)
	// MinSize 0 lets the group be scaled in when the job is done; the desired
	// capacity keeps Count running until then.
	a.MinSize, a.MaxSize, a.DesiredCapacity = 0, n, n
	a.AvailabilityZones = distinct(r.Pools, func(c Choice) string { return c.AvailabilityZone }, true)
	return a
}

// distinct returns the values in the set's order (best pool first), or sorted.
func distinct(cs []Choice, f func(Choice) string, sorted bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cs {
		if v := f(c); !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	if sorted {
		sort.Strings(out)
	}
	return out
}

// kubeArch is the Kubernetes name of an EC2 architecture.
func kubeArch(a string) string {
	switch a {
	case "x86_64":
		return "amd64"
	case "arm64":
		return "arm64"
	}
	return ""
}

// karpenterYAML writes the NodePool by hand so the comments survive; every
// string goes through JSON quoting, which is valid YAML.
func karpenterYAML(r Result, o ExportOptions) string {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	list := func(vs []string) string {
		qs := make([]string, len(vs))
		for i, v := range vs {
			qs[i] = q(v)
		}
		return "[" + strings.Join(qs, ", ") + "]"
	}
	types := distinct(r.Pools, func(c Choice) string { return c.InstanceType }, false)
	zones := distinct(r.Pools, func(c Choice) string { return c.AvailabilityZone }, true)
	// Karpenter may pick the largest listed type for every node, so the
	// cap that still lets it reach Count nodes is Count times that size.
	maxVCPUs := 0
	for _, c := range r.Pools {
		maxVCPUs = max(maxVCPUs, c.VCPUs)
	}
	vcpus := count(r) * maxVCPUs
	var b strings.Builder
	fmt.Fprintf(&b, "# Karpenter NodePool generated by spotscope for profile %s in %s.\n", q(r.Profile.Name), r.Region)
	b.WriteString("# Zones are this account's AZ names; replace the nodeClassRef placeholder before applying.\n")
	b.WriteString("apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n")
	fmt.Fprintf(&b, "  name: %s\n", q(o.Name))
	b.WriteString("spec:\n  template:\n    spec:\n      nodeClassRef:\n")
	b.WriteString("        group: karpenter.k8s.aws\n        kind: EC2NodeClass\n")
	fmt.Fprintf(&b, "        name: %s\n", q(o.NodeClass))
	b.WriteString("      requirements:\n")
	b.WriteString("        - key: karpenter.sh/capacity-type\n          operator: In\n          values: [\"spot\"]\n")
	fmt.Fprintf(&b, "        - key: node.kubernetes.io/instance-type\n          operator: In\n          values: %s\n", list(types))
	fmt.Fprintf(&b, "        - key: topology.kubernetes.io/zone\n          operator: In\n          values: %s\n", list(zones))
	// One architecture, so one image family boots every node.
	if arch := kubeArch(r.Architecture); arch != "" {
		fmt.Fprintf(&b, "        - key: kubernetes.io/arch\n          operator: In\n          values: %s\n", list([]string{arch}))
	}
	if r.Profile.MaxPrice > 0 {
		fmt.Fprintf(&b, "  # --max-price %g has no NodePool field: the types above already passed it at recommendation time.\n", r.Profile.MaxPrice)
	}
	b.WriteString("  # Remove only empty nodes: consolidating an underused node would restart a running batch job.\n")
	b.WriteString("  disruption:\n    consolidationPolicy: WhenEmpty\n    consolidateAfter: 5m\n")
	if vcpus > 0 {
		fmt.Fprintf(&b, "  # %d nodes of the largest listed type; Karpenter launches nothing beyond this.\n", count(r))
		fmt.Fprintf(&b, "  limits:\n    cpu: %s\n", q(fmt.Sprint(vcpus)))
	}
	return b.String()
}
