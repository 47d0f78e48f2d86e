package mcpserver

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/spotscope/spotscope/market/workspace"
)

// demoDir holds one demo cache for the package's tests: preparing it
// imports 400,000 records, so it is done once.
var (
	demoOnce sync.Once
	demoDir  string
	demoErr  error
)

func TestMain(m *testing.M) {
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	code := m.Run()
	for _, d := range []string{demoDir, big.dir} {
		if d != "" {
			os.RemoveAll(d)
		}
	}
	os.Exit(code)
}

// openDemo opens the shared demo cache read-only, as `spotscope mcp --demo`
// does.
func openDemo(t testing.TB) *workspace.Workspace {
	t.Helper()
	demoOnce.Do(func() {
		if demoDir, demoErr = os.MkdirTemp("", "mcpserver-demo"); demoErr != nil {
			return
		}
		var ws *workspace.Workspace
		if ws, demoErr = workspace.Open(context.Background(), workspace.Options{Dir: demoDir, Demo: true}); demoErr == nil {
			ws.Close()
		}
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	ws, err := workspace.Open(context.Background(), workspace.Options{Dir: demoDir, Demo: true, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// connect runs a server over ws and returns a client session to it over
// the SDK's in-memory transport.
func connect(t testing.TB, ws *workspace.Workspace, o Options, co *mcp.ClientOptions) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := New(ws, o).Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, co).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// call calls a tool with JSON arguments and fails on a protocol error.
func call(t testing.TB, cs *mcp.ClientSession, name, args string) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: rawArgs(args)})
	if err != nil {
		t.Fatalf("%s %s: protocol error %v", name, args, err)
	}
	return res
}

// rawArgs passes JSON arguments through as they are ("" for none).
func rawArgs(args string) any {
	if args == "" {
		return nil
	}
	return json.RawMessage(args)
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// structured decodes a result's structured content into v after checking it
// against the tool's output schema.
func structured(t testing.TB, cs *mcp.ClientSession, name string, res *mcp.CallToolResult, v any) {
	t.Helper()
	if res.IsError {
		t.Fatalf("%s: tool error %q", name, text(res))
	}
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	schema := toolSchema(t, cs, name, false)
	var inst any
	if err := json.Unmarshal(raw, &inst); err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("%s: structured content does not match the output schema: %v", name, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatal(err)
	}
}

var schemaCache sync.Map

// toolSchema resolves a listed tool's input or output schema.
func toolSchema(t testing.TB, cs *mcp.ClientSession, name string, input bool) *jsonschema.Resolved {
	t.Helper()
	key := struct {
		cs    *mcp.ClientSession
		name  string
		input bool
	}{cs, name, input}
	if r, ok := schemaCache.Load(key); ok {
		return r.(*jsonschema.Resolved)
	}
	tools, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range tools.Tools {
		if tool.Name != name {
			continue
		}
		s := tool.OutputSchema
		if input {
			s = tool.InputSchema
		}
		raw, _ := json.Marshal(s)
		var js jsonschema.Schema
		if err := json.Unmarshal(raw, &js); err != nil {
			t.Fatalf("%s: schema does not parse: %v", name, err)
		}
		r, err := js.Resolve(nil)
		if err != nil {
			t.Fatalf("%s: schema does not resolve: %v", name, err)
		}
		schemaCache.Store(key, r)
		return r
	}
	t.Fatalf("no tool %q", name)
	return nil
}
