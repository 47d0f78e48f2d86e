package advisor

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
)

type fileRow struct {
	S *float64 `json:"s"`
	R *float64 `json:"r"`
}

type file struct {
	GlobalRate    string                                   `json:"global_rate"`
	Ranges        []fileRange                              `json:"ranges"`
	InstanceTypes map[string]fileSpec                      `json:"instance_types"`
	SpotAdvisor   map[string]map[string]map[string]fileRow `json:"spot_advisor"`
}

// parseReference is Parse as it was written with encoding/json: the
// oracle decode.go is held to.
func parseReference(b []byte) (*Data, error) {
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("advisor: %w", err)
	}
	if len(f.SpotAdvisor) == 0 {
		return nil, errors.New("advisor: no spot_advisor rows")
	}
	ranges, err := parseRanges(f.Ranges)
	if err != nil {
		return nil, err
	}
	d := &Data{
		globalRate: f.GlobalRate,
		ranges:     ranges,
		specs:      make(map[string]Spec, len(f.InstanceTypes)),
		rows:       make(map[string]map[string]map[string]row, len(f.SpotAdvisor)),
	}
	for name, s := range f.InstanceTypes {
		if s.Cores < 0 || s.RAMGB < 0 || s.Cores > 1e6 || s.RAMGB > 1e9 {
			return nil, fmt.Errorf("advisor: instance type %q: bad spec", name)
		}
		d.specs[name] = Spec{Cores: int(math.Round(s.Cores)), RAMGB: s.RAMGB, EMR: s.EMR}
	}
	for region, byOS := range f.SpotAdvisor {
		m := make(map[string]map[string]row, len(byOS))
		for os, byType := range byOS {
			t := make(map[string]row, len(byType))
			for name, r := range byType {
				if r.S == nil || r.R == nil {
					return nil, fmt.Errorf("advisor: %s %s %s: missing s or r", region, os, name)
				}
				b := *r.R
				if b != math.Trunc(b) || b < 0 || int(b) >= len(ranges) {
					return nil, fmt.Errorf("advisor: %s %s %s: bucket %v out of range", region, os, name, b)
				}
				// Savings above 100% would mean a negative spot price; far
				// below zero is possible (spot above On-Demand), -62 is seen.
				s := math.Round(*r.S)
				if s > 100 || s < -1000 {
					return nil, fmt.Errorf("advisor: %s %s %s: savings %v out of range", region, os, name, *r.S)
				}
				t[name] = row{savings: int(s), bucket: int(b)}
			}
			m[os] = t
		}
		d.rows[region] = m
	}
	return d, nil
}

// FuzzDecodeMatchesEncodingJSON: on any input, Parse accepts exactly what
// the encoding/json reference accepts, with the same data.
func FuzzDecodeMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{
		small,
		`{"spot_advisor":{"r":{"Linux":{"t":{"s":-5,"r":2}}}}}`,
		`{"ranges":[{"index":1,"max":5},{"index":0,"max":3}],"spot_advisor":{"r":{"Windows":{"t":{"s":1e3,"r":1}}}}}`,
		// case-insensitive field names, unknown fields, nulls, escapes
		`{"Spot_Advisor":{"r\u0031":{"Linux":{"t":{"S":5,"R":0,"x":[1,{"y":"z"}]}}}},"GLOBAL_RATE":"a\"b","extra":null}`,
		`{"spot_advisor":{"r":{"Linux":{"t":{"s":null,"r":1}}}}}`,
		`{"spot_advisor":{"r":null,"q":{"Linux":null}}}`,
		// repeated keys: fields merge, map values replace
		`{"ranges":[{"label":"a","max":5},{"max":9}],"ranges":[{"max":6}],"spot_advisor":{"r":{"Linux":{"t":{"s":1,"r":0}}}}}`,
		`{"spot_advisor":{"r":{"Linux":{"t":{"s":1,"r":0}}}},"spot_advisor":{"q":{"Linux":{"u":{"s":2,"r":1}}}}}`,
		`{"instance_types":{"t":{"cores":2,"emr":true},"t":{"ram_gb":4}},"spot_advisor":{"r":{"Linux":{"t":{"s":1,"r":0}}}}}`,
		// what encoding/json refuses
		`{"ranges":[{"index":1.0,"max":5}],"spot_advisor":{"r":{"Linux":{"t":{"s":1,"r":0}}}}}`,
		`{"spot_advisor":{"r":{"Linux":{"t":{"s":1e400,"r":0}}}}}`,
		`{"spot_advisor":{"r":{"Linux":{"t":{"s":01,"r":0}}}}}`,
		`{"global_rate":5,"spot_advisor":{"r":{"Linux":{"t":{"s":1,"r":0}}}}}`,
		`{"spot_advisor":{"r":{"Linux":{"t":{"s":1,"r":0}}}}} x`,
		"{\"spot_advisor\":{\"r\xff\":{\"Linux\":{\"t\":{\"s\":1,\"r\":0}}}}}",
		"{\"spot_advisor\":{\"r\x01\":{}}}",
		`null`, `[]`, ``, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Add(embeddedJSON)
	f.Fuzz(func(t *testing.T, b []byte) {
		want, werr := parseReference(b)
		got, err := Parse(b)
		if (werr == nil) != (err == nil) {
			t.Fatalf("encoding/json: %v; decode: %v", werr, err)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("decoded %+v\nencoding/json %+v", got, want)
		}
	})
}
