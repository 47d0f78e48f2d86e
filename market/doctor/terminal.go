package doctor

import (
	"os"

	"github.com/muesli/termenv"
	"golang.org/x/term"
)

// DetectTerminal describes f (normally os.Stdout). getenv is passed in rather
// than read here so the cmd layer decides which environment counts.
func DetectTerminal(f *os.File, getenv func(string) string) Terminal {
	t := Terminal{
		IsTTY:   term.IsTerminal(int(f.Fd())),
		NoColor: getenv("NO_COLOR") != "",
		Term:    getenv("TERM"),
	}
	if t.IsTTY {
		t.Width, t.Height, _ = term.GetSize(int(f.Fd()))
	}
	// ColorProfile, unlike EnvColorProfile, ignores NO_COLOR: the report shows
	// what the terminal can do and, separately, whether the user opted out.
	out := termenv.NewOutput(f, termenv.WithEnvironment(env(getenv)), termenv.WithProfile(termenv.Ascii))
	t.Profile = out.ColorProfile().Name()
	return t
}

type env func(string) string

func (e env) Getenv(k string) string { return e(k) }
func (e env) Environ() []string      { return nil }
