package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/spotscope/spotscope/market/mcpserver"
	"github.com/spotscope/spotscope/market/workspace"
)

func newMCPCmd(g *globals) *cobra.Command {
	var httpAddr string
	var allowRemote, allowFetch bool
	var origins []string
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve the cache, statistics and recommender to AI agents (Model Context Protocol)",
		Long: `Serve spotscope over the Model Context Protocol, on stdin/stdout by default, so an assistant
(Claude Desktop, Claude Code, Cursor, VS Code) can ask for prices, statistics, history and
recommendations. Tools: regions, prices, stats, history, recommend, and with --allow-fetch
also fetch. Resources: the cache summary, docs/statistics.md and docs/recommendations.md.

Without --allow-fetch the server never calls AWS and opens the cache read-only, so an agent
cannot spend the account's API budget; several servers and a TUI can share one cache.

--http ADDR serves streamable HTTP instead, on loopback only unless --allow-remote, which
needs a bearer token in ` + mcpserver.TokenEnv + `. Browser origins other than loopback are refused.`,
		Example: `  spotscope mcp --demo
  spotscope mcp --region us-east-1
  spotscope mcp --region us-east-1 --allow-fetch
  spotscope mcp --http 127.0.0.1:8765`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ho := mcpserver.HTTPOptions{Addr: httpAddr, AllowRemote: allowRemote, Token: g.io.getenv(mcpserver.TokenEnv), Origins: origins}
			if httpAddr != "" {
				if err := mcpserver.CheckHTTP(ho); err != nil {
					return usageError{err}
				}
			} else if allowRemote {
				return usagef("--allow-remote applies to --http only")
			}
			if allowFetch && (g.demo || g.offline) {
				return usagef("--allow-fetch calls AWS; it cannot run with --demo or --offline")
			}
			ctx := cmd.Context()
			dir, err := g.cacheDirectory()
			if err != nil {
				return err
			}
			ws, err := workspace.Open(ctx, workspace.Options{
				Dir: dir, Demo: g.demo, Offline: g.offline || !allowFetch, ReadOnly: !allowFetch,
				Regions: g.regions, Profile: g.profile, MaxAge: g.age, Now: g.io.now, Getenv: g.io.getenv, Notes: g.io.err,
			})
			if err != nil {
				return err
			}
			defer ws.Close()
			server := mcpserver.New(ws, mcpserver.Options{AllowFetch: allowFetch, Version: versionString()})
			if httpAddr == "" {
				err := server.Run(ctx, mcpserver.Stdio(g.io.in, g.io.out))
				if errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			return serveHTTP(ctx, g, server, ho)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&httpAddr, "http", "", "serve streamable HTTP on this address (e.g. 127.0.0.1:8765) instead of stdio")
	fl.BoolVar(&allowRemote, "allow-remote", false, "with --http, listen beyond loopback (needs a bearer token in "+mcpserver.TokenEnv+")")
	fl.BoolVar(&allowFetch, "allow-fetch", false, "let agents fetch from AWS (the fetch tool, and reads refreshing stale data)")
	fl.StringSliceVar(&origins, "allow-origin", nil, "with --http, browser origins to accept besides loopback (scheme://host:port)")
	return cmd
}

func serveHTTP(ctx context.Context, g *globals, server *mcp.Server, o mcpserver.HTTPOptions) error {
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	auth := "no token"
	if o.Token != "" {
		auth = "bearer token from " + mcpserver.TokenEnv
	}
	// The address and how clients authenticate; never the token itself.
	fmt.Fprintf(g.io.err, "spotscope: MCP over streamable HTTP on http://%s/ (%s)\n", ln.Addr(), auth)
	hs := &http.Server{Handler: mcpserver.HTTPHandler(server, o), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		return nil
	}
}
