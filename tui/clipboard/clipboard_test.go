package clipboard

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestCopy(t *testing.T) {
	var buf bytes.Buffer
	data := []byte("region,instance_type\nsa-east-1,m5.large\n")
	if err := Copy(&buf, data); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	if !strings.HasPrefix(s, "\x1b]52;c;") || !strings.HasSuffix(s, "\x07") {
		t.Fatalf("not an OSC 52 sequence: %q", s)
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(s, "\x1b]52;c;"), "\x07"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("payload %q (%v), want %q", got, err, data)
	}
}
