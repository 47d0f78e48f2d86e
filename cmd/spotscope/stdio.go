package main

import (
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/spotscope/spotscope/market/workspace"
)

// stdio is the process's streams and what they are connected to, injected so
// tests can run every command against buffers and pretend to be a terminal.
type stdio struct {
	in       io.Reader
	out, err io.Writer
	inTTY    bool
	outTTY   bool
	errTTY   bool
	getenv   func(string) string
	now      func() time.Time
}

func newStdio() stdio {
	return stdio{
		in: os.Stdin, out: os.Stdout, err: os.Stderr,
		inTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		outTTY: term.IsTerminal(int(os.Stdout.Fd())),
		errTTY: term.IsTerminal(int(os.Stderr.Fd())),
		getenv: os.Getenv,
		now:    time.Now,
	}
}

// oneLine keeps errors to the single line users and scripts expect.
func oneLine(err error) string { return workspace.OneLine(err) }
