package mcpserver

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/spotscope/spotscope/market/workspace"
)

func schemaFor[T any](t testing.TB) *jsonschema.Schema {
	s, err := jsonschema.For[T](nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Tool arguments are user input: whatever an agent sends, decoding either
// succeeds or says what is wrong in one line, as BadInput.
func FuzzDecodeArgs(f *testing.F) {
	for _, s := range []string{`{}`, `null`, `[]`, `"x"`, `{"types":["c5.large"],"limit":3}`, `{"limit":"x"}`, `{"types":[1]}`,
		`{"regoin":1}`, `{"vcpus":1e400}`, `{"memory_gib":-0}`, `{"window":"7d","at":"2020-01-01T00:00:00Z"}`, `{"selectArgs":{}}`} {
		f.Add(s)
	}
	schemas := []struct {
		schema *jsonschema.Schema
		dst    func() any
	}{
		{schemaFor[pricesArgs](f), func() any { return new(pricesArgs) }},
		{schemaFor[statsArgs](f), func() any { return new(statsArgs) }},
		{schemaFor[historyArgs](f), func() any { return new(historyArgs) }},
		{schemaFor[recommendArgs](f), func() any { return new(recommendArgs) }},
		{schemaFor[regionsArgs](f), func() any { return new(regionsArgs) }},
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if !json.Valid([]byte(raw)) {
			return // the SDK rejects invalid JSON before a tool sees it
		}
		for _, s := range schemas {
			err := decodeArgs(json.RawMessage(raw), s.schema, s.dst())
			if err == nil {
				continue
			}
			if !workspace.IsBadInput(err) {
				t.Fatalf("%s: %v is not BadInput", raw, err)
			}
			if strings.Contains(workspace.OneLine(err), "\n") || err.Error() == "" {
				t.Fatalf("%s: message %q", raw, err)
			}
		}
	})
}

// Every line is either passed on as a JSON-RPC message or answered with an
// error that is itself valid JSON-RPC.
func FuzzStdioLineCheck(f *testing.F) {
	for _, s := range []string{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, `{"id":1}`, `[]`, `[{"jsonrpc":"2.0","method":"x"}]`, `garbage`, `{"jsonrpc":"2.0","id":[1],"method":"x"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.TrimSpace(line) == "" {
			return
		}
		code, why := check([]byte(strings.TrimSpace(line)))
		if code == 0 {
			return
		}
		var m struct {
			JSONRPC string `json:"jsonrpc"`
			Error   struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		out := errorLine(code, why)
		if err := json.Unmarshal(out, &m); err != nil || m.JSONRPC != "2.0" || m.Error.Code != code || !strings.HasSuffix(string(out), "\n") || strings.Count(string(out), "\n") != 1 {
			t.Fatalf("reply %q to %q", out, line)
		}
	})
}
