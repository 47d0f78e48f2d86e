package ec2fake

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

func (h *handler) getSpotPlacementScores(w *bytes.Buffer, _ string, form url.Values) *apiError {
	types := listParam(form, "InstanceType")
	if len(types) == 0 {
		for k := range form {
			if strings.HasPrefix(k, "InstanceRequirementsWithMetadata.") {
				return invalidParam("InstanceRequirementsWithMetadata is not supported by this fake; specify InstanceType.N")
			}
		}
		return invalidParam("Specify at least one instance type (InstanceType.N); we recommend at least three")
	}
	capStr := form.Get("TargetCapacity")
	if capStr == "" {
		return &apiError{http.StatusBadRequest, "MissingParameter", "The request must contain the parameter TargetCapacity"}
	}
	capacity, err := strconv.Atoi(capStr)
	if err != nil || capacity < 1 || capacity > 2_000_000_000 {
		return invalidParam("Invalid value '%s' for TargetCapacity", capStr)
	}
	switch u := form.Get("TargetCapacityUnitType"); u {
	case "", "units", "vcpu", "memory-mib":
	default:
		return invalidParam("Invalid value '%s' for TargetCapacityUnitType", u)
	}
	if v := form.Get("MaxResults"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 10 || n > 1000 {
			return invalidParam("Invalid value '%s' for MaxResults. Specify a value between 10 and 1000.", v)
		}
	}
	single, _ := strconv.ParseBool(form.Get("SingleAvailabilityZone"))
	regions := listParam(form, "RegionName")
	if len(regions) == 0 {
		regions = h.idx.names
	}
	type score struct {
		region, azID string
		score        int
	}
	var scores []score
	for _, r := range regions {
		if !single {
			scores = append(scores, score{r, "", clampScore(h.opts.PlacementScore(r, "", types, capacity))})
			continue
		}
		for _, z := range h.idx.region(r).zones {
			scores = append(scores, score{r, z.ID, clampScore(h.opts.PlacementScore(r, z.ID, types, capacity))})
		}
	}
	sort.SliceStable(scores, func(i, j int) bool {
		a, b := scores[i], scores[j]
		if a.score != b.score {
			return a.score > b.score
		}
		if a.region != b.region {
			return a.region < b.region
		}
		return a.azID < b.azID
	})
	// AWS answers with the top 10 only, however many are asked for.
	scores = scores[:min(len(scores), 10)]
	w.WriteString("<spotPlacementScoreSet>")
	for _, s := range scores {
		w.WriteString("<item><region>")
		escape(w, s.region)
		w.WriteString("</region>")
		if s.azID != "" {
			w.WriteString("<availabilityZoneId>")
			escape(w, s.azID)
			w.WriteString("</availabilityZoneId>")
		}
		fmt.Fprintf(w, "<score>%d</score></item>", s.score)
	}
	w.WriteString("</spotPlacementScoreSet>")
	return nil
}

func clampScore(s int) int { return min(max(s, 1), 10) }

// hashScore is a stable stand-in for AWS's capacity model: the same request
// configuration scores the same in every run, different ones differ, and
// fewer than three instance types score low, as AWS documents.
func hashScore(region, azID string, types []string, capacity int) int {
	ts := slices.Clone(types)
	sort.Strings(ts)
	f := fnv.New32a()
	fmt.Fprintf(f, "%s|%s|%s|%d", region, azID, strings.Join(ts, ","), capacity)
	s := int(f.Sum32()%10) + 1
	if len(ts) < 3 {
		s = min(s, 3)
	}
	return s
}
