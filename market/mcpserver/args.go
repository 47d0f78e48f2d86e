package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/spotscope/spotscope/market"

	"github.com/spotscope/spotscope/market/workspace"
)

// handler answers one tool call: the structured output and a short text
// summary for the agent's transcript.
type handler[In, Out any] func(ctx context.Context, req *mcp.CallToolRequest, in In) (out Out, summary string, err error)

// addTool registers a tool whose input and output schemas are inferred from
// In and Out (descriptions from the jsonschema tags). The SDK's typed
// AddTool would reject bad arguments with a schema validator's message; this
// wrapper decodes them itself so an agent reads one clear sentence ("unknown
// argument "regoin" (did you mean "region"?)"), and every error, bad input
// or not, becomes a tool result with isError set, never a protocol error.
//
// fix, when given, amends the inferred output schema where Out's JSON is
// custom (recommend.Profile writes its durations as strings).
func addTool[In, Out any](s *mcp.Server, name, description string, h handler[In, Out], fix ...func(out *jsonschema.Schema)) {
	in, err := jsonschema.For[In](nil)
	if err != nil {
		panic(fmt.Sprintf("tool %s: input schema: %v", name, err))
	}
	out, err := jsonschema.For[Out](nil)
	if err != nil {
		panic(fmt.Sprintf("tool %s: output schema: %v", name, err))
	}
	for _, f := range fix {
		f(out)
	}
	t := &mcp.Tool{Name: name, Description: description, InputSchema: in, OutputSchema: out}
	s.AddTool(t, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		var args In
		if err := decodeArgs(req.Params.Arguments, in, &args); err != nil {
			return errorResult(err), nil
		}
		v, summary, err := h(ctx, req, args)
		if err != nil {
			return errorResult(err), nil
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return errorResult(err), nil
		}
		return &mcp.CallToolResult{
			Content:           []mcp.Content{&mcp.TextContent{Text: summary}},
			StructuredContent: json.RawMessage(raw),
		}, nil
	})
}

// errorResult is a tool error: one line, as the CLI would print it.
func errorResult(err error) *mcp.CallToolResult {
	r := &mcp.CallToolResult{}
	r.SetError(errors.New(workspace.OneLine(err)))
	return r
}

// badArg names the argument an error is about.
func badArg(name string, err error) error { return fmt.Errorf("%s: %w", name, err) }

// decodeArgs reads a call's arguments into dst. Unknown names and values of
// the wrong JSON type are BadInput with the argument's name.
func decodeArgs(raw json.RawMessage, schema *jsonschema.Schema, dst any) error {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return workspace.Badf("the arguments must be a JSON object")
	}
	known := make([]string, 0, len(schema.Properties))
	for k := range schema.Properties {
		known = append(known, k)
	}
	sort.Strings(known)
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if _, ok := schema.Properties[k]; ok {
			continue
		}
		if len(known) == 0 {
			return workspace.Badf("unknown argument %q: this tool takes no arguments", k)
		}
		if h := hint(k, known); h != "" {
			return workspace.Badf("unknown argument %q%s", k, h)
		}
		return workspace.Badf("unknown argument %q (this tool takes: %s)", k, strings.Join(known, ", "))
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			// Embedded argument groups make it "selectArgs.types".
			if i := strings.LastIndexByte(field, '.'); i >= 0 {
				field = field[i+1:]
			}
			return workspace.Badf("argument %q must be %s, got %s", field, describe(te.Type), te.Value)
		}
		return workspace.BadInput{Err: err}
	}
	return nil
}

// describe names a Go type in JSON terms, for "must be ..." messages.
func describe(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64, reflect.Uint32:
		return "an integer"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return "an array of strings"
		}
		return "an array"
	}
	return "an object"
}

// hint is the "; did you mean x?" suffix for a misspelt name, from the
// same helpers (market.Closest, market.DidYouMean) the CLI and the
// workspace's checks use, so every suggestion reads alike; "" when no
// candidate is near.
func hint(name string, candidates []string) string {
	return market.DidYouMean(market.Closest(name, candidates, 3))
}
