package dataset

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spotscope/spotscope/market"
)

// ZoneMap ties the AZ names of the account that recorded a file to this
// account's names. AZ names are shuffled per account; AZ IDs are not. A
// record's ID comes from the file (AvailabilityZoneId) or from FileIDs
// (--zone-map name=id), and Local turns it into this account's name.
// Records whose name cannot be tied to an ID keep their name and are
// counted in Untied, so the import can say so.
type ZoneMap struct {
	// FileIDs maps the file's AZ names to AZ IDs.
	FileIDs map[string]string
	// Local is this account's zones (from the cache), by region.
	Local map[string][]market.Zone
	// Untied counts records per AZ name that no ID was known for.
	Untied map[string]int
}

func (m *ZoneMap) local(region, name, id string) (string, error) {
	if id == "" {
		id = m.FileIDs[name]
	}
	if id == "" {
		if m.Untied == nil {
			m.Untied = map[string]int{}
		}
		m.Untied[name]++
		return name, nil
	}
	zones := m.Local[region]
	if len(zones) == 0 {
		return "", fmt.Errorf("AZ %s (ID %s) cannot be tied to this account's names: the cache has no AZ map of %s "+
			"(run spotscope fetch --region %s once, then import again)", name, id, region, region)
	}
	for _, z := range zones {
		if z.ID == id {
			return z.Name, nil
		}
	}
	var ids []string
	for _, z := range zones {
		ids = append(ids, z.ID)
	}
	return "", fmt.Errorf("AZ %s has ID %s, which is not a zone of %s (its zones: %s)", name, id, region, strings.Join(ids, ", "))
}

// UntiedNames lists the AZ names no ID was known for, sorted.
func (m *ZoneMap) UntiedNames() []string {
	names := make([]string, 0, len(m.Untied))
	for n := range m.Untied {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParseZoneMap parses --zone-map: "name=id,name=id" ("sa-east-1a=sae1-az2"),
// or "@FILE" holding the same pairs separated by commas or newlines ('#'
// starts a comment).
func ParseZoneMap(s string) (map[string]string, error) {
	if file, ok := strings.CutPrefix(s, "@"); ok {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var lines []string
		for _, l := range strings.Split(string(data), "\n") {
			l, _, _ = strings.Cut(l, "#")
			lines = append(lines, l)
		}
		s = strings.Join(lines, ",")
	}
	out := map[string]string{}
	ids := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		name, id, ok := strings.Cut(pair, "=")
		name, id = strings.TrimSpace(name), strings.TrimSpace(id)
		if !ok || name == "" || id == "" {
			return nil, fmt.Errorf("invalid pair %q (want name=id, e.g. us-east-1a=use1-az4)", pair)
		}
		if _, err := market.RegionOfZone(name); err != nil {
			return nil, fmt.Errorf("invalid pair %q: %w", pair, err)
		}
		if prev, dup := out[name]; dup && prev != id {
			return nil, fmt.Errorf("%s is mapped twice (%s and %s)", name, prev, id)
		}
		if prev, dup := ids[id]; dup && prev != name {
			return nil, fmt.Errorf("%s is the ID of two names (%s and %s)", id, prev, name)
		}
		out[name], ids[id] = id, name
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no name=id pairs")
	}
	return out, nil
}
