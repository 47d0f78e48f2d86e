package recommendview

// Stand-ins for market/recommend functions that are not committed yet.
// TODO(recommendview): replace with recommend.ParseDuration, Profile.Validate
// and recommend.Export when they land.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spotscope/spotscope/market/recommend"
)

func parseDur(s string) (time.Duration, error) {
	if s == "" || strings.EqualFold(s, "none") || s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (e.g. 30m, 2h, none)", s)
	}
	return d, nil
}

func validateProfile(p recommend.Profile) error {
	if p.Checkpoint > 0 && p.Hours > 0 && p.Checkpoint.Hours() > p.Hours {
		return errors.New("checkpoint: longer than the job")
	}
	return nil
}

type exportFormat string

const (
	formatFleet     exportFormat = "ec2-fleet"
	formatASG       exportFormat = "asg"
	formatKarpenter exportFormat = "karpenter"
)

func exportResult(w io.Writer, f exportFormat, r recommend.Result) error {
	return json.NewEncoder(w).Encode(map[string]any{"format": f, "pools": r.Pools})
}
