// Command spotscope explores the AWS EC2 Spot market from the terminal: it
// fetches and caches spot price history, computes per-pool statistics,
// recommends capacity pools for a workload and opens an interactive TUI.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spotscope/spotscope/market/workspace"
)

// Set by GoReleaser through -ldflags; see versionString for go install builds.
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], newStdio())
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status: 0 success,
// 1 failure, 2 bad usage, 130 interrupted.
func run(ctx context.Context, args []string, io stdio) int {
	root := newRootCmd(io)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintf(io.err, "spotscope: %s\n", oneLine(err))
	var ue usageError
	switch {
	case errors.As(err, &ue), workspace.IsBadInput(err), strings.HasPrefix(err.Error(), "unknown command"):
		return 2
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		return 130
	}
	return 1
}

func versionString() string {
	v, c, d := version, commit, date
	if v == "dev" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					if len(s.Value) > 7 {
						c = s.Value[:7]
					}
				case "vcs.time":
					d = s.Value
				}
			}
		}
	}
	out := "spotscope " + v
	if c != "none" && c != "" {
		out += " (" + c + ")"
	}
	if d != "unknown" && d != "" {
		out += " built " + d
	}
	return out
}
