package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/spotscope/spotscope/market/demo"
)

func TestMCPUsageErrors(t *testing.T) {
	e := newEnv(t, true)
	e.getenv["SPOTSCOPE_MCP_TOKEN"] = ""
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"mcp", "--http", "0.0.0.0:8765"}, "listens beyond this machine"},
		{[]string{"mcp", "--http", ":8765"}, "add --allow-remote"},
		{[]string{"mcp", "--http", "10.1.2.3:8765", "--allow-remote"}, "needs a bearer token: set SPOTSCOPE_MCP_TOKEN"},
		{[]string{"mcp", "--allow-remote"}, "--allow-remote applies to --http only"},
		{[]string{"mcp", "--demo", "--allow-fetch"}, "--allow-fetch calls AWS"},
		{[]string{"mcp", "--http", "localhost"}, "want host:port"},
		{[]string{"mcp", "extra"}, "takes no arguments"},
	} {
		code, _, errs := e.run(tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("spotscope %v: exit %d, stderr %q; want 2 and one line with %q", tc.args, code, errs, tc.want)
		}
	}
}

// `spotscope mcp --demo` serves stdio: an initialize and a tool call on
// stdin get their answers on stdout, and the end of stdin ends the server.
func TestMCPServesStdio(t *testing.T) {
	e := newEnv(t, false)
	in := strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"prices","arguments":{"types":["c5.large"]}}}`,
		`this is not JSON`,
	}, "\n") + "\n"
	var out, errb bytes.Buffer
	io := stdio{in: strings.NewReader(in), out: &out, err: &errb, now: demo.End, getenv: func(k string) string { return e.getenv[k] }}
	if code := run(context.Background(), []string{"--demo", "mcp"}, io); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	replies := map[any]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("stdout line %q is not JSON-RPC: %v", line, err)
		}
		replies[m["id"]] = m
	}
	res, _ := replies[2.0]["result"].(map[string]any)
	if res == nil || res["isError"] == true || !strings.Contains(toJSON(res["structuredContent"]), `"instance_type":"c5.large"`) {
		t.Errorf("prices reply: %v", replies[2.0])
	}
	if e, _ := replies[nil]["error"].(map[string]any); e == nil || e["code"] != -32700.0 {
		t.Errorf("no parse error for the malformed line: %v", replies[nil])
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
