package mcpserver

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TokenEnv names the environment variable holding the bearer token that
// --http requires with --allow-remote (and honours on loopback when set).
const TokenEnv = "SPOTSCOPE_MCP_TOKEN"

// HTTPOptions configure the streamable HTTP transport.
type HTTPOptions struct {
	// Addr is host:port. A host that is not loopback needs AllowRemote.
	Addr        string
	AllowRemote bool
	// Token is the bearer token every request must carry; required with
	// AllowRemote. It is compared in constant time and never logged.
	Token string
	// Origins are the browser origins allowed besides loopback ones
	// (scheme://host[:port]).
	Origins []string
	Logger  *slog.Logger
}

// CheckHTTP refuses an address a remote client could reach unless remote
// access was asked for, and remote access without a token.
func CheckHTTP(o HTTPOptions) error {
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return fmt.Errorf("--http %q: want host:port, e.g. 127.0.0.1:8765", o.Addr)
	}
	if !isLoopback(host) && !o.AllowRemote {
		return fmt.Errorf("--http %q listens beyond this machine: use 127.0.0.1:PORT, or add --allow-remote with a bearer token in %s", o.Addr, TokenEnv)
	}
	if o.AllowRemote && o.Token == "" {
		return fmt.Errorf("--allow-remote needs a bearer token: set %s to a long random secret", TokenEnv)
	}
	for _, origin := range o.Origins {
		if u, err := url.Parse(origin); err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" {
			return fmt.Errorf("--allow-origin %q: want scheme://host[:port]", origin)
		}
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// HTTPHandler serves server over streamable HTTP behind two checks: an
// Origin header (sent by browsers) must be a loopback origin or one of
// o.Origins, so a web page cannot drive the server through DNS rebinding;
// and with a token, every request must carry "Authorization: Bearer
// <token>". The SDK's own localhost protection (a loopback connection must
// name a loopback Host) stays on.
func HTTPHandler(server *mcp.Server, o HTTPOptions) http.Handler {
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{Logger: o.Logger})
	allowed := map[string]bool{}
	for _, origin := range o.Origins {
		allowed[strings.ToLower(strings.TrimSuffix(origin, "/"))] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" && !allowedOrigin(origin, allowed) {
			http.Error(w, "origin not allowed", http.StatusForbidden)
			return
		}
		if o.Token != "" && !bearerMatches(r.Header.Get("Authorization"), o.Token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="spotscope"`)
			http.Error(w, "missing or wrong bearer token", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost && !answerMalformed(w, r) {
			return
		}
		h.ServeHTTP(w, r)
	})
}

// maxBody bounds a POSTed message read here (the SDK applies its own limit
// to what it reads).
const maxBody = 8 << 20

// answerMalformed reads a POST's body; when it is not a JSON-RPC message it
// answers with the protocol's error (as the stdio transport does, instead
// of the SDK's plain-text 400) and reports false. Otherwise it puts the body
// back for the SDK.
func answerMalformed(w http.ResponseWriter, r *http.Request) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	r.Body.Close()
	if err != nil {
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
		return false
	}
	if msg := bytes.TrimSpace(body); len(msg) > 0 {
		if code, why := check(msg); code != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			w.Write(errorLine(code, why))
			return false
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return true
}

func allowedOrigin(origin string, allowed map[string]bool) bool {
	if allowed[strings.ToLower(origin)] {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return isLoopback(u.Hostname())
}

func bearerMatches(header, token string) bool {
	got, ok := strings.CutPrefix(header, "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}
