package mcpserver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Stdio is the SDK's newline-delimited stdio transport with one change: a
// line that is not a JSON-RPC message gets the protocol's error (-32700
// parse error, -32600 invalid request) and the session goes on. The SDK's
// own transport ends the session there, as a decoder cannot resync a JSON
// stream; MCP's stdio framing is one message per line, so a line can be
// answered and skipped.
func Stdio(in io.Reader, out io.Writer) mcp.Transport {
	w := &lockedWriter{w: out}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(filterLines(in, pw, w))
	}()
	return &mcp.IOTransport{Reader: pr, Writer: w}
}

// lockedWriter serialises the SDK's writes (one message per Write) and the
// filter's error replies, so lines never interleave.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) Close() error { return nil }

// filterLines copies the JSON-RPC messages of in to pass, one per line, and
// answers the lines that are not messages on reply.
func filterLines(in io.Reader, pass io.Writer, reply io.Writer) error {
	r := bufio.NewReader(in)
	for {
		line, err := r.ReadBytes('\n')
		if msg := bytes.TrimSpace(line); len(msg) > 0 {
			if code, why := check(msg); code != 0 {
				if _, werr := reply.Write(errorLine(code, why)); werr != nil {
					return werr
				}
			} else if _, werr := pass.Write(append(msg, '\n')); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// JSON-RPC 2.0 error codes.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
)

// check reports why a line is not a JSON-RPC message (or a batch of them).
func check(line []byte) (code int, why string) {
	if !json.Valid(line) {
		return codeParseError, "Parse error: the line is not valid JSON"
	}
	msgs := []json.RawMessage{line}
	if line[0] == '[' {
		if err := json.Unmarshal(line, &msgs); err != nil || len(msgs) == 0 {
			return codeInvalidRequest, "Invalid Request: an empty or malformed batch"
		}
	}
	for _, m := range msgs {
		if _, err := jsonrpc.DecodeMessage(m); err != nil {
			return codeInvalidRequest, fmt.Sprintf("Invalid Request: %v", err)
		}
	}
	return 0, ""
}

func errorLine(code int, msg string) []byte {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": nil, "error": map[string]any{"code": code, "message": msg}})
	return append(b, '\n')
}
