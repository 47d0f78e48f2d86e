package recommend

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"30m", 30 * time.Minute, false},
		{"1h30m", 90 * time.Minute, false},
		{"none", 0, false},
		{"None", 0, false},
		{"0", 0, false},
		{"30d", 30 * 24 * time.Hour, false},
		{"1d12h", 36 * time.Hour, false},
		{"1.5d", 36 * time.Hour, false},
		{" 2h ", 2 * time.Hour, false},
		{"3x", 0, true},
		{"", 0, true},
		{"-1h", 0, true},
		{"d", 0, true},
		{"1d-1h", 0, true},
		{"1e3d", 0, true},
		{"99999999999d", 0, true},
		{"30", 0, true}, // a bare number is ambiguous
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, err=%v", tt.in, got, err, tt.want, tt.err)
		}
	}
	_, err := ParseDuration("3x")
	if err == nil || err.Error() != `invalid duration "3x" (use 30m, 1h or none)` {
		t.Errorf("message: %v", err)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "none", 30 * time.Minute: "30m", time.Hour: "1h", 90 * time.Minute: "1h30m", 30 * 24 * time.Hour: "30d", 90 * time.Second: "1m30s"} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
		if back, err := ParseDuration(want); err != nil || back != d {
			t.Errorf("round trip %q: %v %v", want, back, err)
		}
	}
}

func TestParseMemoryGiB(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
		err  bool
	}{
		{"16", 16, false}, {"16GiB", 16, false}, {"16 GiB", 16, false}, {"16G", 16, false}, {"0.5", 0.5, false},
		{"512MiB", 0.5, false}, {"512M", 0.5, false}, {"1TiB", 1024, false},
		{"", 0, true}, {"-1", 0, true}, {"x", 0, true}, {"NaN", 0, true}, {"0x10", 0, true},
	} {
		got, err := ParseMemoryGiB(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseMemoryGiB(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestParseHours(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
		err  bool
	}{{"8", 8, false}, {"0.5", 0.5, false}, {"8h", 8, false}, {"90m", 1.5, false}, {"2d", 48, false}, {"x", 0, true}, {"-1", 0, true}, {"20000", 0, true}} {
		got, err := ParseHours(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseHours(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		p    Profile
		want string
	}{
		{Profile{}, ""},
		{batch, ""},
		{Profile{VCPUs: -1}, "--vcpus must be >= 0"},
		{Profile{MemoryGiB: -1}, "--memory must be a number of GiB >= 0"},
		{Profile{Arch: "sparc"}, `--arch: invalid architecture "sparc" (use x86_64, arm64 or any)`},
		{Profile{GPUs: -2}, "--gpus must be >= 0"},
		{Profile{Count: -1}, "--count must be >= 1"},
		{Profile{Hours: -1}, "--hours must be > 0 and <= 10000"},
		{Profile{Checkpoint: -time.Minute}, "--checkpoint must not be negative"},
		{Profile{Restart: -time.Minute}, "--restart must not be negative"},
		{Profile{MaxPrice: -0.1}, "--max-price must be a USD price >= 0 (0 = no limit)"},
		{Profile{Window: time.Minute}, "--window must be at least 1h"},
		{Profile{Families: []string{"m5["}}, `--families: invalid pattern "m5["`},
		{Profile{Exclude: []string{"["}}, `--exclude: invalid pattern "["`},
		{Profile{Product: "Linux"}, `--product: unknown product "Linux"`},
		{Profile{Regions: []string{"mars-1"}}, `--region: unknown region "mars-1"`},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", tt.p, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Validate(%+v) = %v, want %q", tt.p, err, tt.want)
		}
	}
}

func TestMerge(t *testing.T) {
	base := batch
	flags := Profile{VCPUs: 8, Count: 3, Checkpoint: 0, Regions: []string{"us-east-1"}, MaxPrice: 9}
	set := map[string]bool{FlagVCPUs: true, FlagCheckpoint: true, FlagRegions: true}
	got := Merge(base, flags, func(f string) bool { return set[f] })
	want := batch
	want.VCPUs, want.Checkpoint, want.Regions = 8, 0, []string{"us-east-1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Merge = %+v, want %+v", got, want)
	}
	all := Merge(base, flags, func(string) bool { return true })
	if all.Name != "batch" || all.MaxPrice != 9 || all.MemoryGiB != 0 {
		t.Errorf("every flag set: %+v", all)
	}
}

func TestProfilesPath(t *testing.T) {
	home := func() (string, error) { return "/home/u", nil }
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if p, _ := profilesPath(env(map[string]string{"XDG_CONFIG_HOME": "/x"}), home); p != "/x/spotscope/profiles.yaml" {
		t.Error(p)
	}
	if p, _ := profilesPath(env(nil), home); p != "/home/u/.config/spotscope/profiles.yaml" {
		t.Error(p)
	}
	// A relative XDG_CONFIG_HOME is invalid per the spec and ignored.
	if p, _ := profilesPath(env(map[string]string{"XDG_CONFIG_HOME": "rel"}), home); p != "/home/u/.config/spotscope/profiles.yaml" {
		t.Error(p)
	}
	if _, err := profilesPath(env(nil), func() (string, error) { return "", errors.New("no home") }); err == nil {
		t.Error("want error without home")
	}
}

func TestExampleProfilesParse(t *testing.T) {
	ps, err := LoadProfiles(filepath.Join("..", "..", "docs", "profiles.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := ProfileNames(ps); !reflect.DeepEqual(got, []string{"batch-8h", "ci-no-checkpoint", "gpu-training", "render-queue"}) {
		t.Fatalf("names %v", got)
	}
	want := Profile{Name: "batch-8h", VCPUs: 4, MemoryGiB: 16, Arch: "x86_64", Count: 10, Hours: 8, Checkpoint: 30 * time.Minute,
		Restart: 5 * time.Minute, Regions: []string{"sa-east-1"}, Exclude: []string{"x2*"}, MaxAZShare: 0.5}
	if !reflect.DeepEqual(ps["batch-8h"], want) {
		t.Errorf("batch-8h = %+v\nwant %+v", ps["batch-8h"], want)
	}
	ci := ps["ci-no-checkpoint"]
	if ci.Checkpoint != 0 || ci.MaxPrice != 0.5 || ci.Window != 14*24*time.Hour || len(ci.Families) != 5 || ci.Hours != 1.5 {
		t.Errorf("ci = %+v", ci)
	}
	if g := ps["gpu-training"]; g.GPUs != 1 || g.Nodes != 4 || g.Hours != 48 || g.Checkpoint != 30*time.Minute || g.Restart != 15*time.Minute ||
		!reflect.DeepEqual(g.GPUModels, []string{"A10G", "L4"}) || g.GPUMemoryGiB != 20 || g.Runs != 2000 || g.Seed != 7 || g.Mode() != ModeCoupled {
		t.Errorf("gpu = %+v", g)
	}
	if q := ps["render-queue"]; q.Work != 5000 || q.WorkUnit != WorkVCPUHours || q.Count != 20 || q.Mode() != ModeThroughput || q.Burstable || q.PreviousGen {
		t.Errorf("queue = %+v", q)
	}
}

func TestParseProfilesErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"profiles:\n  a:\n    vpcus: 4\n", `profile "a": line 3: unknown key "vpcus"`},
		{"profiles:\n  a:\n    work: 5000\n", `profile "a": work: line 3: invalid --work "5000"`},
		{"profiles:\n  a:\n    nodes: 0\n", `profile "a": nodes: line 3: invalid node count "0"`},
		{"profiles:\n  a:\n    max-az-share: 2\n", `profile "a": max-az-share: line 3: invalid share "2"`},
		{"profiles:\n  a:\n    efa: maybe\n", `profile "a": efa: line 3: invalid boolean "maybe"`},
		{"profiles:\n  a:\n    restart: 0\n", `profile "a": restart: line 3: a restart is never free`},
		{"profiles:\n  a:\n    nodes: 2\n    count: 3\n", `profile "a": nodes is one coupled job`},
		{"profiles:\n  a:\n    vcpus: four\n", `profile "a": vcpus: line 3: invalid whole number "four"`},
		{"profiles:\n  a:\n    checkpoint: 3x\n", `profile "a": checkpoint: line 3: invalid duration "3x" (use 30m, 1h or none)`},
		{"profiles:\n  a:\n    memory: lots\n", `profile "a": memory: line 3: invalid memory size "lots"`},
		{"profiles:\n  a:\n    vcpus: -4\n", `profile "a": vcpus must be >= 0`},
		{"profiles:\n  a:\n    arch: sparc\n", `profile "a": arch: invalid architecture "sparc"`},
		{"profiles:\n  a:\n    max-price: cheap\n", `profile "a": max-price: line 3: invalid price "cheap"`},
		{"profiles:\n  a:\n    regions: {x: 1}\n", `profile "a": regions: line 3: expected a list of strings`},
		{"profiles:\n  a:\n    vcpus: [1]\n", `profile "a": vcpus: line 3: expected a single value`},
		{"profiles:\n  a:\n    vcpus: 1\n    vcpus: 2\n", `profile "a": vcpus: line 4: set twice`},
		{"profile:\n  a: {}\n", `unknown top-level key "profile"`},
		{"- a\n", `expected a mapping`},
		{"profiles: [a]\n", `"profiles" must map names to profiles`},
		{"profiles:\n  a: 3\n", `profile "a": line 2: expected a mapping`},
		{"profiles: {a: {vcpus: 1}\n", `profiles: yaml:`},
	}
	for _, tt := range tests {
		_, err := ParseProfiles([]byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseProfiles(%q) = %v, want %q", tt.yaml, err, tt.want)
		}
	}
	for _, ok := range []string{"", "profiles:\n", "profiles:\n  empty:\n", "# only a comment\n"} {
		if _, err := ParseProfiles([]byte(ok)); err != nil {
			t.Errorf("ParseProfiles(%q): %v", ok, err)
		}
	}
}

func TestLoadProfilesMissingFile(t *testing.T) {
	ps, err := LoadProfiles(filepath.Join(t.TempDir(), "none.yaml"))
	if err != nil || len(ps) != 0 {
		t.Errorf("%v %v", ps, err)
	}
	path := filepath.Join(t.TempDir(), "p.yaml")
	if err := os.WriteFile(path, []byte("profiles:\n  a:\n    bogus: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadProfiles(path); err == nil || !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("error should name the file: %v", err)
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"30m", "1h30m", "none", "0", "30d", "1.5d12h", "3x", "-1h", "1d-1h", "9223372036854775807ns", "1e9d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if d != 0 || !strings.HasPrefix(err.Error(), "invalid duration ") {
				t.Fatalf("%q: %v %v", s, d, err)
			}
			return
		}
		if d < 0 {
			t.Fatalf("%q: negative %v", s, d)
		}
		back, err := ParseDuration(FormatDuration(d))
		if err != nil || back != d {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, d, FormatDuration(d), back, err)
		}
	})
}

func FuzzParseProfiles(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "..", "docs", "profiles.example.yaml")); err == nil {
		f.Add(b)
	}
	f.Add([]byte("profiles:\n  a:\n    vcpus: 4\n    checkpoint: 30m\n"))
	f.Add([]byte("profiles: {a: {memory: 1TiB, regions: us-east-1}}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := ParseProfiles(b)
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(err.Error(), "yaml:") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		for name, p := range ps {
			if p.Name != name {
				t.Fatalf("name %q vs %q", p.Name, name)
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("parsed profile %q does not validate: %v", name, err)
			}
		}
	})
}

func TestParseWork(t *testing.T) {
	for _, tt := range []struct {
		in   string
		v    float64
		unit string
		ok   bool
	}{
		{"5000vcpu-h", 5000, WorkVCPUHours, true}, {"800 GPU-h", 800, WorkGPUHours, true}, {"1.5gpu-hours", 1.5, WorkGPUHours, true},
		{"5000", 0, "", false}, {"-5vcpu-h", 0, "", false}, {"0gpu-h", 0, "", false}, {"5000cpu-h", 0, "", false},
		{"NaNvcpu-h", 0, "", false}, {"1e9vcpu-h", 0, "", false}, {"0x10vcpu-h", 0, "", false}, {"vcpu-h", 0, "", false},
	} {
		v, unit, err := ParseWork(tt.in)
		if (err == nil) != tt.ok || v != tt.v || unit != tt.unit {
			t.Errorf("ParseWork(%q) = %v %q %v", tt.in, v, unit, err)
		}
	}
}

func FuzzParseWork(f *testing.F) {
	for _, s := range []string{"5000vcpu-h", "800gpu-h", "1.5gpu-hours", "5000", "-1vcpu-h", "1e400gpu-h", "Infvcpu-h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, unit, err := ParseWork(s)
		if err != nil {
			if v != 0 || unit != "" || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "--work") {
				t.Fatalf("%q: %v %q %v", s, v, unit, err)
			}
			return
		}
		if !(v > 0 && v <= MaxWork) || (unit != WorkVCPUHours && unit != WorkGPUHours) {
			t.Fatalf("%q: %v %q", s, v, unit)
		}
		back, u2, err := ParseWork(FormatWork(v, unit))
		if err != nil || back != v || u2 != unit {
			t.Fatalf("%q -> %v %s -> %q -> %v %v", s, v, unit, FormatWork(v, unit), back, err)
		}
		if (Profile{Work: v, WorkUnit: unit}).Validate() != nil {
			t.Fatalf("%q parses but does not validate", s)
		}
	})
}
