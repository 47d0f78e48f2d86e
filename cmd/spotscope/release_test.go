package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// The Homebrew cask lists its man pages one by one (homebrew_casks.manpages
// takes no glob), so a new command's page is easy to forget: the release
// check found mcp and export missing, but CI does not run it. Every page
// `spotscope man` writes must be in the cask, and nothing else.
func TestCaskInstallsEveryManPage(t *testing.T) {
	e := newEnv(t, false)
	dir := t.TempDir()
	e.ok("man", "--dir", dir)
	pages, err := filepath.Glob(filepath.Join(dir, "*.1"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no man pages written: %v", err)
	}
	var want []string
	for _, p := range pages {
		want = append(want, "manpages/"+filepath.Base(p))
	}
	cfg, err := os.ReadFile(filepath.Join("..", "..", ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range regexp.MustCompile(`(?m)^\s+- (manpages/spotscope[^\s]*\.1)\s*$`).FindAllSubmatch(cfg, -1) {
		got = append(got, string(m[1]))
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("cask man pages:\n%q\nspotscope man writes:\n%q", got, want)
	}
}
