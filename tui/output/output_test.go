package output

import (
	"bytes"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	r := Report{
		Columns: []string{"instance_type", "last"},
		Rows:    [][]string{{"m5.large", "0.0345"}, {"c5.xlarge", "0.1"}},
		JSON:    []map[string]any{{"instance_type": "m5.large", "last": 0.0345}},
	}
	tests := []struct {
		f    Format
		want string
	}{
		{Table, "INSTANCE TYPE  LAST\nm5.large       0.0345\nc5.xlarge      0.1\n"},
		{CSV, "instance_type,last\nm5.large,0.0345\nc5.xlarge,0.1\n"},
		{JSON, "[\n  {\n    \"instance_type\": \"m5.large\",\n    \"last\": 0.0345\n  }\n]\n"},
	}
	for _, tc := range tests {
		var buf bytes.Buffer
		if err := Write(&buf, tc.f, r); err != nil {
			t.Fatal(err)
		}
		if buf.String() != tc.want {
			t.Errorf("%s:\n%q\nwant\n%q", tc.f, buf.String(), tc.want)
		}
	}
	var buf bytes.Buffer
	Write(&buf, Table, Report{Columns: []string{"a"}, Empty: "no pools match"})
	if buf.String() != "no pools match\n" {
		t.Errorf("empty table = %q", buf.String())
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"table": Table, "JSON": JSON, " csv ": CSV} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("yaml"); err == nil || !strings.Contains(err.Error(), "--output") {
		t.Errorf("ParseFormat(yaml) err = %v", err)
	}
}
