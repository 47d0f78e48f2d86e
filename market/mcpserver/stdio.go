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

// Stdio is the SDK's newline-delimited stdio transport with two changes.
// A line that is not a JSON-RPC message gets the protocol's error (-32700
// parse error, -32600 invalid request) and the session goes on: the SDK's
// own transport ends the session there, as a decoder cannot resync a JSON
// stream, but MCP's stdio framing is one message per line, so a line can be
// answered and skipped. And the end of input ends the session only once
// every request read has been answered, so `spotscope mcp < requests.jsonl`
// prints every answer.
func Stdio(in io.Reader, out io.Writer) mcp.Transport {
	w := &lockedWriter{w: out, pending: map[string]bool{}}
	w.answered = sync.NewCond(&w.mu)
	pr, pw := io.Pipe()
	go func() {
		err := filterLines(in, pw, w)
		w.drain()
		pw.CloseWithError(err)
	}()
	return &mcp.IOTransport{Reader: pr, Writer: w}
}

// lockedWriter serialises the SDK's writes (one message per Write) and the
// filter's error replies, so lines never interleave, and tracks which
// requests still await their response.
type lockedWriter struct {
	mu       sync.Mutex
	w        io.Writer
	pending  map[string]bool // request ids read but not yet answered
	answered *sync.Cond
	failed   bool // a write failed: nothing more will be answered
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.w.Write(p)
	for _, m := range envelopes(p) {
		if m.Method == "" && len(m.ID) > 0 {
			delete(l.pending, idKey(m.ID))
		}
	}
	l.failed = l.failed || err != nil
	l.answered.Broadcast()
	return n, err
}

func (l *lockedWriter) Close() error { return nil }

// expect notes the requests of a line passed on to the SDK.
func (l *lockedWriter) expect(line []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range envelopes(line) {
		if m.Method != "" && len(m.ID) > 0 {
			l.pending[idKey(m.ID)] = true
		}
	}
}

// drain waits until every request read has been answered.
func (l *lockedWriter) drain() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.pending) > 0 && !l.failed {
		l.answered.Wait()
	}
}

// envelope is the part of a JSON-RPC message that tells a request (method
// and id) from a response (id only).
type envelope struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
}

// idKey is an id in one spelling, so a request's 2.0 meets its response's 2.
func idKey(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// envelopes reads the messages of one line: one object or a batch.
func envelopes(line []byte) []envelope {
	line = bytes.TrimSpace(line)
	var ms []envelope
	if len(line) > 0 && line[0] == '[' {
		json.Unmarshal(line, &ms)
		return ms
	}
	var m envelope
	if json.Unmarshal(line, &m) == nil {
		ms = append(ms, m)
	}
	return ms
}

// filterLines copies the JSON-RPC messages of in to pass, one per line, and
// answers the lines that are not messages on reply.
func filterLines(in io.Reader, pass io.Writer, reply *lockedWriter) error {
	r := bufio.NewReader(in)
	for {
		line, err := r.ReadBytes('\n')
		if msg := bytes.TrimSpace(line); len(msg) > 0 {
			if code, why := check(msg); code != 0 {
				if _, werr := reply.Write(errorLine(code, why)); werr != nil {
					return werr
				}
			} else {
				reply.expect(msg)
				if _, werr := pass.Write(append(msg, '\n')); werr != nil {
					return werr
				}
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
