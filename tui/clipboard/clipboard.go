// Package clipboard sets the terminal's clipboard with OSC 52, which works
// over SSH and inside tmux (with set-clipboard on), where no system
// clipboard tool can reach.
package clipboard

import (
	"bytes"
	"encoding/base64"
	"io"
)

// OSC52 is the "set clipboard" sequence for data. BEL rather than ST ends
// it because more terminals (and tmux) accept BEL.
func OSC52(data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x1b]52;c;")
	b.WriteString(base64.StdEncoding.EncodeToString(data))
	b.WriteString("\x07")
	return b.Bytes()
}

// Copy writes data's sequence to the terminal in one Write, so other output
// cannot split it.
func Copy(w io.Writer, data []byte) error {
	_, err := w.Write(OSC52(data))
	return err
}
