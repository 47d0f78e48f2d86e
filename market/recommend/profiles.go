package recommend

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ProfilesPath is $XDG_CONFIG_HOME/spotscope/profiles.yaml, or
// ~/.config/spotscope/profiles.yaml when XDG_CONFIG_HOME is unset. It does not
// use os.UserConfigDir on purpose: on macOS that is ~/Library/Application
// Support, where CLI users do not look for a hand-edited YAML file.
func ProfilesPath() (string, error) {
	return profilesPath(os.Getenv, os.UserHomeDir)
}

func profilesPath(getenv func(string) string, home func() (string, error)) (string, error) {
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "spotscope", "profiles.yaml"), nil
	}
	h, err := home()
	if err != nil {
		return "", fmt.Errorf("profiles: no home directory: %w", err)
	}
	return filepath.Join(h, ".config", "spotscope", "profiles.yaml"), nil
}

// LoadProfiles reads a profiles file. A missing file is not an error: it
// returns no profiles, so a first run without configuration just works.
func LoadProfiles(path string) (map[string]Profile, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]Profile{}, nil
	}
	if err != nil {
		return nil, err
	}
	ps, err := ParseProfiles(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ps, nil
}

// ProfileNames returns the names in a stable order for listings.
func ProfileNames(ps map[string]Profile) []string {
	names := make([]string, 0, len(ps))
	for n := range ps {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// profileKeys are the YAML keys of one profile, each named like its flag.
var profileKeys = []string{"vcpus", "memory", "arch", "gpus", "families", "exclude", "count", "hours",
	"checkpoint", "restart", "max-price", "product", "regions", "window",
	"work", "nodes", "gpu-model", "gpu-memory", "efa", "previous-gen", "burstable", "max-az-share", "runs", "seed"}

// ParseProfiles reads the YAML document
//
//	profiles:
//	  NAME: {vcpus: 4, memory: 16GiB, checkpoint: 30m, ...}
//
// Unknown keys and bad values are errors naming the profile and the key, so a
// typo is never silently ignored.
func ParseProfiles(data []byte) (map[string]Profile, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("profiles: %v", err)
	}
	out := map[string]Profile{}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return out, nil // empty file
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("profiles: line %d: expected a mapping with a \"profiles\" key", root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "profiles" {
			return nil, fmt.Errorf("profiles: line %d: unknown top-level key %q (expected \"profiles\")", k.Line, k.Value)
		}
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			continue
		}
		if v.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("profiles: line %d: \"profiles\" must map names to profiles", v.Line)
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			nk, nv := v.Content[j], v.Content[j+1]
			name := nk.Value
			if strings.TrimSpace(name) == "" {
				return nil, fmt.Errorf("profiles: line %d: empty profile name", nk.Line)
			}
			if _, dup := out[name]; dup {
				return nil, fmt.Errorf("profile %q: line %d: defined twice", name, nk.Line)
			}
			p, err := parseProfile(name, nv)
			if err != nil {
				return nil, err
			}
			out[name] = p
		}
	}
	return out, nil
}

func parseProfile(name string, n *yaml.Node) (Profile, error) {
	p := Profile{Name: name}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return p, nil
	}
	if n.Kind != yaml.MappingNode {
		return p, fmt.Errorf("profile %q: line %d: expected a mapping of keys (%s)", name, n.Line, strings.Join(profileKeys, ", "))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		fail := func(format string, args ...any) error {
			return fmt.Errorf("profile %q: %s: line %d: %s", name, key, v.Line, fmt.Sprintf(format, args...))
		}
		if seen[key] {
			return p, fail("set twice")
		}
		seen[key] = true
		var err error
		switch key {
		case "vcpus":
			p.VCPUs, err = yamlInt(v)
		case "gpus":
			p.GPUs, err = yamlInt(v)
		case "count":
			p.Count, err = yamlInt(v)
		case "memory":
			var s string
			if s, err = yamlScalar(v); err == nil {
				p.MemoryGiB, err = ParseMemoryGiB(s)
			}
		case "arch":
			p.Arch, err = yamlScalar(v)
		case "product":
			p.Product, err = yamlScalar(v)
		case "families":
			p.Families, err = yamlList(v)
		case "exclude":
			p.Exclude, err = yamlList(v)
		case "regions":
			p.Regions, err = yamlList(v)
		case "hours":
			p.Hours, err = yamlHours(v)
		case "checkpoint":
			var s string
			if s, err = yamlScalar(v); err == nil {
				p.Checkpoint, err = ParseDuration(s)
			}
		case "restart":
			var s string
			if s, err = yamlScalar(v); err == nil {
				p.Restart, err = ParseDuration(s)
			}
			if err == nil && p.Restart == 0 {
				err = fmt.Errorf("a restart is never free: give the minutes it takes (omit the key for the default %s)", FormatDuration(DefaultRestart))
			}
		case "window":
			var s string
			if s, err = yamlScalar(v); err == nil {
				p.Window, err = ParseDuration(s)
			}
		case "max-price":
			var s string
			if s, err = yamlScalar(v); err == nil {
				p.MaxPrice, err = strconv.ParseFloat(strings.TrimPrefix(strings.TrimSpace(s), "$"), 64)
				if err != nil {
					err = fmt.Errorf("invalid price %q (USD per hour, e.g. 0.25)", s)
				}
			}
		case "work":
			var s string
			if s, err = yamlScalar(v); err == nil {
				p.Work, p.WorkUnit, err = ParseWork(s)
			}
		case "nodes":
			p.Nodes, err = yamlInt(v)
			if err == nil && p.Nodes < 1 {
				err = fmt.Errorf("invalid node count %q (>= 1)", v.Value)
			}
		case "runs":
			p.Runs, err = yamlInt(v)
			if err == nil && p.Runs < 1 {
				err = fmt.Errorf("invalid run count %q (>= 1)", v.Value)
			}
		case "seed":
			var s string
			if s, err = yamlScalar(v); err == nil {
				p.Seed, err = strconv.ParseUint(strings.TrimSpace(s), 10, 64)
			}
		case "gpu-model":
			p.GPUModels, err = yamlList(v)
		case "gpu-memory":
			var s string
			if s, err = yamlScalar(v); err == nil {
				p.GPUMemoryGiB, err = ParseMemoryGiB(s)
			}
		case "max-az-share":
			var s string
			if s, err = yamlScalar(v); err == nil {
				p.MaxAZShare, err = strconv.ParseFloat(strings.TrimSpace(s), 64)
				if err != nil || !(p.MaxAZShare > 0 && p.MaxAZShare <= 1) {
					err = fmt.Errorf("invalid share %q (a fraction > 0 and <= 1)", s)
				}
			}
		case "efa":
			p.EFA, err = yamlBool(v)
		case "previous-gen":
			p.PreviousGen, err = yamlBool(v)
		case "burstable":
			p.Burstable, err = yamlBool(v)
		default:
			return p, fmt.Errorf("profile %q: line %d: unknown key %q (known: %s)", name, k.Line, key, strings.Join(profileKeys, ", "))
		}
		if err != nil {
			return p, fail("%v", err)
		}
	}
	if err := p.Validate(); err != nil {
		// Validate names flags ("--vcpus"); in a file the key is the name.
		return p, fmt.Errorf("profile %q: %s", name, strings.TrimPrefix(err.Error(), "--"))
	}
	return p, nil
}

func yamlScalar(v *yaml.Node) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("expected a single value")
	}
	return v.Value, nil
}

func yamlBool(v *yaml.Node) (bool, error) {
	s, err := yamlScalar(v)
	if err != nil {
		return false, err
	}
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return false, fmt.Errorf("invalid boolean %q (true or false)", s)
	}
	return b, nil
}

func yamlInt(v *yaml.Node) (int, error) {
	s, err := yamlScalar(v)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("invalid whole number %q", s)
	}
	return n, nil
}

// yamlHours accepts a number of hours (8, 0.5) or a duration (8h, 90m, 2d).
func yamlHours(v *yaml.Node) (float64, error) {
	s, err := yamlScalar(v)
	if err != nil {
		return 0, err
	}
	h, err := ParseHours(s)
	if err == nil && h == 0 {
		// Omitting the key means the default; writing 0 is a mistake.
		return 0, fmt.Errorf("invalid job length %q (hours > 0)", s)
	}
	return h, err
}

// ParseHours reads a job length as hours ("8", "0.5") or a duration ("8h", "90m", "2d").
func ParseHours(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if h, err := strconv.ParseFloat(t, 64); err == nil && !strings.ContainsAny(t, "xXpP_") {
		if h < 0 || h != h || h > MaxHours {
			return 0, fmt.Errorf("invalid job length %q (hours > 0 and <= %g)", s, MaxHours)
		}
		return h, nil
	}
	d, err := ParseDuration(t)
	if err != nil {
		return 0, fmt.Errorf("invalid job length %q (use 8, 8h or 90m)", s)
	}
	return d.Hours(), nil
}

// yamlList accepts a sequence or a single comma-separated string, the way the
// flags do.
func yamlList(v *yaml.Node) ([]string, error) {
	var raw []string
	switch v.Kind {
	case yaml.ScalarNode:
		raw = strings.Split(v.Value, ",")
	case yaml.SequenceNode:
		for _, c := range v.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: expected a list of strings", c.Line)
			}
			raw = append(raw, strings.Split(c.Value, ",")...)
		}
	default:
		return nil, fmt.Errorf("expected a list of strings")
	}
	var out []string
	for _, s := range raw {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}
