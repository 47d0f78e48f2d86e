package mcpserver

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTypeScriptClient runs an independent client, the official TypeScript
// SDK's stdio client (testdata/node/client.mjs), against `spotscope mcp
// --demo` built from source. It needs node and `npm ci` in testdata/node
// (.ci/run does it).
func TestTypeScriptClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: skipping the TypeScript SDK end-to-end test")
	}
	if _, err := os.Stat(filepath.Join("testdata", "node", "node_modules", "@modelcontextprotocol", "sdk")); err != nil {
		t.Skip("testdata/node/node_modules is missing: run `npm ci --prefix market/mcpserver/testdata/node` to enable the TypeScript SDK end-to-end test")
	}
	openDemo(t) // prepares the shared demo cache
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "spotscope")
	build := exec.Command("go", "build", "-o", bin, "github.com/spotscope/spotscope/cmd/spotscope")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The CLI keeps the demo cache in <cache-dir>/demo: reuse the one
	// the package's tests prepared.
	cacheDir := filepath.Join(tmp, "cache")
	os.MkdirAll(cacheDir, 0o700)
	if err := os.Symlink(demoDir, filepath.Join(cacheDir, "demo")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "node", "client.mjs"), bin, "mcp", "--demo", "--cache-dir", cacheDir)
	cmd.Env = append(os.Environ(), "AWS_EC2_METADATA_DISABLED=true")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("client: %v\n%s", err, stderr.String())
	}
	var report struct {
		Tools []string
		Calls map[string]struct {
			IsError    bool
			Text       string
			Structured map[string]any
		}
		Resources []struct {
			URI   string
			Bytes int
		}
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("report %q: %v", out, err)
	}
	if want := []string{"history", "prices", "recommend", "regions", "stats"}; !slices.Equal(report.Tools, want) {
		t.Errorf("tools %v, want %v", report.Tools, want)
	}
	for name, c := range report.Calls {
		wantErr := strings.HasPrefix(name, "bad_")
		if c.IsError != wantErr || c.Text == "" || (!wantErr && c.Structured == nil) {
			t.Errorf("%s: isError %v, text %q, structured %v", name, c.IsError, c.Text, c.Structured != nil)
		}
	}
	if got := report.Calls["bad_argument"].Text; got != `unknown argument "regoin"; did you mean region?` {
		t.Errorf("bad argument: %q", got)
	}
	if pools, _ := report.Calls["prices"].Structured["pools"].([]any); len(pools) != 3 {
		t.Errorf("prices: %d pools, want 3", len(pools))
	}
	if exp, _ := report.Calls["recommend"].Structured["export"].(string); !strings.Contains(exp, "MixedInstancesPolicy") {
		t.Errorf("recommend export is not an ASG configuration: %.200q", exp)
	}
	plan, _ := report.Calls["recommend_coupled"].Structured["plan"].(map[string]any)
	if plan["mode"] != "coupled" || plan["p_no_interruption"] == nil || !strings.Contains(report.Calls["recommend_coupled"].Text, "Plan (coupled") {
		t.Errorf("coupled recommend: plan %v, text %q", plan, report.Calls["recommend_coupled"].Text)
	}
	if got := report.Calls["bad_nodes"].Text; got != "nodes must be >= 1 (instances one coupled job needs at once)" {
		t.Errorf("bad nodes: %q", got)
	}
	if rows, _ := report.Calls["stats"].Structured["pools"].([]any); len(rows) == 0 || rows[0].(map[string]any)["gap_hours"] == nil || rows[0].(map[string]any)["as_of"] == nil {
		t.Errorf("stats rows lack gap_hours or as_of: %v", rows)
	}
	if len(report.Resources) != 3 {
		t.Errorf("resources %v", report.Resources)
	}
	for _, r := range report.Resources {
		if r.Bytes == 0 {
			t.Errorf("resource %s is empty", r.URI)
		}
	}
}
