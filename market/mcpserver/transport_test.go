package mcpserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A line that is not JSON-RPC gets the protocol's error, and the session
// answers the next request.
func TestStdioAnswersMalformedLines(t *testing.T) {
	ws := openDemo(t)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- New(ws, Options{}).Run(ctx, Stdio(inR, outW)) }()
	lines := bufio.NewScanner(outR)
	lines.Buffer(nil, 1<<22)
	next := func() map[string]any {
		t.Helper()
		if !lines.Scan() {
			t.Fatalf("no reply: %v", lines.Err())
		}
		var m map[string]any
		if err := json.Unmarshal(lines.Bytes(), &m); err != nil {
			t.Fatalf("reply %q is not JSON: %v", lines.Text(), err)
		}
		return m
	}
	send := func(s string) {
		t.Helper()
		if _, err := io.WriteString(inW, s+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
	if m := next(); m["id"] != 1.0 || m["result"] == nil {
		t.Fatalf("initialize: %v", m)
	}
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	for _, tc := range []struct {
		line string
		code float64
	}{{`{"jsonrpc":"2.0","id":2,"method":`, -32700}, {`not json at all`, -32700}, {`{"id":3}`, -32600}, {`[]`, -32600}} {
		send(tc.line)
		m := next()
		e, _ := m["error"].(map[string]any)
		if e == nil || e["code"] != tc.code || m["id"] != nil {
			t.Errorf("%s: reply %v, want error %v with a null id", tc.line, m, tc.code)
		}
	}
	send(`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"regions","arguments":{}}}`)
	if m := next(); m["id"] != 4.0 || m["result"] == nil {
		t.Fatalf("regions after the malformed lines: %v", m)
	}
	inW.Close()
	if err := <-done; err != nil && err != io.EOF && !strings.Contains(err.Error(), "closed") {
		t.Errorf("server ended with %v", err)
	}
}

func TestCheckHTTP(t *testing.T) {
	for _, tc := range []struct {
		o    HTTPOptions
		want string // "" = accepted
	}{
		{HTTPOptions{Addr: "127.0.0.1:8765"}, ""},
		{HTTPOptions{Addr: "localhost:0"}, ""},
		{HTTPOptions{Addr: "[::1]:8765"}, ""},
		{HTTPOptions{Addr: ":8765"}, "listens beyond this machine"},
		{HTTPOptions{Addr: "0.0.0.0:8765"}, "listens beyond this machine"},
		{HTTPOptions{Addr: "10.0.0.5:8765", AllowRemote: true}, "needs a bearer token: set SPOTSCOPE_MCP_TOKEN"},
		{HTTPOptions{Addr: "0.0.0.0:8765", AllowRemote: true, Token: "s3cret-token"}, ""},
		{HTTPOptions{Addr: "8765"}, "want host:port"},
		{HTTPOptions{Addr: "127.0.0.1:1", Origins: []string{"example.com"}}, "--allow-origin"},
	} {
		err := CheckHTTP(tc.o)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.o, err, tc.want)
		}
		if err != nil && tc.o.Token != "" && strings.Contains(err.Error(), tc.o.Token) {
			t.Errorf("the error names the token: %v", err)
		}
	}
}

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func TestHTTPChecksOriginAndToken(t *testing.T) {
	ws := openDemo(t)
	const token = "tok-3f9a1c7e5b2d"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(HTTPHandler(New(ws, Options{Logger: logger}), HTTPOptions{Token: token, Origins: []string{"https://ok.example"}, Logger: logger}))
	defer srv.Close()

	post := func(origin, auth string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		origin, auth string
		want         int
	}{
		{"http://evil.example", "Bearer " + token, http.StatusForbidden},
		{"null", "Bearer " + token, http.StatusForbidden},
		{"", "", http.StatusUnauthorized},
		{"", "Bearer wrong", http.StatusUnauthorized},
		{"", token, http.StatusUnauthorized},
	} {
		if got := post(tc.origin, tc.auth); got != tc.want {
			t.Errorf("origin %q auth %q: status %d, want %d", tc.origin, tc.auth, got, tc.want)
		}
	}
	for _, origin := range []string{"", "http://localhost:6274", "http://127.0.0.1:3000", "https://ok.example"} {
		if got := post(origin, "Bearer "+token); got == http.StatusForbidden || got == http.StatusUnauthorized {
			t.Errorf("origin %q with the token: status %d", origin, got)
		}
	}

	// A body that is not JSON-RPC gets the protocol's error.
	for body, code := range map[string]float64{`garbage{`: -32700, `{"id":1}`: -32600} {
		req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Error struct{ Code float64 }
		}
		err = json.NewDecoder(resp.Body).Decode(&m)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusBadRequest || m.Error.Code != code {
			t.Errorf("POST %s: status %d, error %v (%v); want 400 and %v", body, resp.StatusCode, m.Error.Code, err, code)
		}
	}

	// A real client over streamable HTTP with the token.
	ctx := context.Background()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx,
		&mcp.StreamableClientTransport{Endpoint: srv.URL, HTTPClient: &http.Client{Transport: bearer{token}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	var out pricesOut
	structured(t, cs, "prices", call(t, cs, "prices", `{"types":["c5.large"],"limit":2}`), &out)
	if len(out.Pools) != 2 {
		t.Errorf("prices over HTTP: %d pools", len(out.Pools))
	}
	if strings.Contains(logs.String(), token) {
		t.Error("the server logged the bearer token")
	}
}
