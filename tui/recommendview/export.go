package recommendview

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/spotscope/spotscope/market/recommend"
)

type exportKind struct {
	format string // a recommend.Format* constant
	name   string
	slug   string
	ext    string
}

var formats = []exportKind{
	{format: recommend.FormatEC2Fleet, name: "EC2 Fleet JSON", slug: "ec2-fleet", ext: "json"},
	{format: recommend.FormatASG, name: "ASG JSON", slug: "asg", ext: "json"},
	{format: recommend.FormatKarpenter, name: "Karpenter NodePool YAML", slug: "karpenter-nodepool", ext: "yaml"},
}

// export starts writing the current result; the write happens in a command.
func (m Model) export(clipboard bool) (Model, tea.Cmd) {
	if m.result == nil || len(m.result.Pools) == 0 {
		m.setStatus("nothing to export: run a recommendation first", true)
		return m, nil
	}
	k := formats[m.format]
	res := *m.result
	if clipboard {
		if m.opts.Clipboard == nil {
			m.setStatus("clipboard not available; press w to write a file", true)
			return m, nil
		}
		return m, osc52Cmd(m.opts.Clipboard, k, res)
	}
	return m, fileCmd(m.opts.ExportDir, m.opts.Now(), k, res)
}

// osc52 is the OSC 52 "set clipboard" sequence. BEL rather than ST ends it
// because more terminals (and tmux) accept BEL.
func osc52(data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x1b]52;c;")
	b.WriteString(base64.StdEncoding.EncodeToString(data))
	b.WriteString("\x07")
	return b.Bytes()
}

func osc52Cmd(w io.Writer, k exportKind, res recommend.Result) tea.Cmd {
	return func() tea.Msg {
		var buf bytes.Buffer
		if err := recommend.Export(&buf, k.format, res, recommend.ExportOptions{}); err != nil {
			return exportedMsg{err: err}
		}
		// One Write, so the sequence is not split by other output.
		if _, err := w.Write(osc52(buf.Bytes())); err != nil {
			return exportedMsg{err: err}
		}
		return exportedMsg{status: fmt.Sprintf("copied %s (%d bytes) to the clipboard via OSC 52", k.name, buf.Len())}
	}
}

func fileCmd(dir string, now time.Time, k exportKind, res recommend.Result) tea.Cmd {
	return func() tea.Msg {
		var buf bytes.Buffer
		if err := recommend.Export(&buf, k.format, res, recommend.ExportOptions{}); err != nil {
			return exportedMsg{err: err}
		}
		if dir == "" {
			dir = "."
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return exportedMsg{err: err}
		}
		path, err := writeNew(dir, fmt.Sprintf("spotscope-%s-%s", k.slug, now.UTC().Format("20060102-150405")), k.ext, buf.Bytes())
		if err != nil {
			return exportedMsg{err: err}
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		return exportedMsg{status: fmt.Sprintf("wrote %s to %s", k.name, path)}
	}
}

// writeNew never overwrites: two exports in the same second get -2, -3, ...
func writeNew(dir, stem, ext string, data []byte) (string, error) {
	for i := 1; i < 100; i++ {
		name := stem + "." + ext
		if i > 1 {
			name = fmt.Sprintf("%s-%d.%s", stem, i, ext)
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return path, err
	}
	return "", fmt.Errorf("too many exports named %s in %s", stem, dir)
}
