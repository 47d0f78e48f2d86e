package ec2fake

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/spotscope/spotscope/market"
)

var instanceTypeFilterNames = []string{
	"instance-type", "supported-usage-class", "processor-info.supported-architecture",
	"current-generation", "vcpu-info.default-vcpus", "memory-info.size-in-mib",
	"burstable-performance-supported", "network-info.efa-supported",
}

func usageClasses(t market.InstanceType) []string {
	if t.SpotSupported {
		return []string{"on-demand", "spot"}
	}
	return []string{"on-demand"}
}

func (h *handler) describeInstanceTypes(w *bytes.Buffer, region string, form url.Values) *apiError {
	fs, aerr := parseFilters(form, instanceTypeFilterNames...)
	if aerr != nil {
		return aerr
	}
	pageSize := 100
	if v := form.Get("MaxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 || n > 100 {
			return invalidParam("Invalid value '%s' for MaxResults. Specify a value between 5 and 100.", v)
		}
		pageSize = n
	}
	ri := h.idx.region(region)
	names := listParam(form, "InstanceType")
	for _, n := range names {
		if !slices.ContainsFunc(ri.catalog, func(t market.InstanceType) bool { return t.Name == n }) {
			return invalidParam("The following supplied instance types do not exist: [%s]", n)
		}
	}
	var match []market.InstanceType
	for _, t := range ri.catalog {
		if len(names) > 0 && !contains(names, t.Name) {
			continue
		}
		ok := true
		for _, f := range fs {
			switch f.name {
			case "instance-type":
				ok = matchAny(f.values, t.Name)
			case "supported-usage-class":
				ok = anyMatch(f.values, usageClasses(t))
			case "processor-info.supported-architecture":
				ok = anyMatch(f.values, t.Architectures)
			case "current-generation":
				ok = matchAny(f.values, strconv.FormatBool(t.CurrentGeneration))
			case "vcpu-info.default-vcpus":
				ok = matchAny(f.values, strconv.Itoa(t.VCPUs))
			case "memory-info.size-in-mib":
				ok = matchAny(f.values, strconv.FormatInt(t.MemoryMiB, 10))
			case "burstable-performance-supported":
				ok = matchAny(f.values, strconv.FormatBool(t.Burstable))
			case "network-info.efa-supported":
				ok = matchAny(f.values, strconv.FormatBool(t.EFA))
			}
			if !ok {
				break
			}
		}
		if ok {
			match = append(match, t)
		}
	}
	hash := queryHash(region, form)
	off := 0
	if tok := form.Get("NextToken"); tok != "" {
		var err error
		if off, err = decodeOffsetToken(tok, hash); err != nil || off > len(match) {
			return &apiError{http.StatusBadRequest, "InvalidNextToken", "The specified NextToken is not valid."}
		}
	}
	end := min(off+pageSize, len(match))
	w.WriteString("<instanceTypeSet>")
	for _, t := range match[off:end] {
		writeInstanceType(w, t)
	}
	w.WriteString("</instanceTypeSet>")
	if end < len(match) {
		fmt.Fprintf(w, "<nextToken>%s</nextToken>", encodeOffsetToken(hash, end))
	}
	return nil
}

func anyMatch(patterns, values []string) bool {
	for _, v := range values {
		if matchAny(patterns, v) {
			return true
		}
	}
	return false
}

func encodeOffsetToken(hash uint64, off int) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "off1:%016x:%d", hash, off))
}

func decodeOffsetToken(tok string, hash uint64) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, err
	}
	var h uint64
	var off int
	if n, err := fmt.Sscanf(string(raw), "off1:%016x:%d", &h, &off); err != nil || n != 2 || off < 0 {
		return 0, fmt.Errorf("malformed token")
	}
	if h != hash {
		return 0, fmt.Errorf("token from another query")
	}
	return off, nil
}

func writeInstanceType(w *bytes.Buffer, t market.InstanceType) {
	w.WriteString("<item><instanceType>")
	escape(w, t.Name)
	fmt.Fprintf(w, "</instanceType><currentGeneration>%t</currentGeneration><burstablePerformanceSupported>%t</burstablePerformanceSupported><supportedUsageClasses>", t.CurrentGeneration, t.Burstable)
	for _, u := range usageClasses(t) {
		fmt.Fprintf(w, "<item>%s</item>", u)
	}
	w.WriteString("</supportedUsageClasses><processorInfo><supportedArchitectures>")
	for _, a := range t.Architectures {
		w.WriteString("<item>")
		escape(w, a)
		w.WriteString("</item>")
	}
	fmt.Fprintf(w, "</supportedArchitectures></processorInfo><vCpuInfo><defaultVCpus>%d</defaultVCpus></vCpuInfo>", t.VCPUs)
	fmt.Fprintf(w, "<memoryInfo><sizeInMiB>%d</sizeInMiB></memoryInfo>", t.MemoryMiB)
	fmt.Fprintf(w, "<networkInfo><efaSupported>%t</efaSupported></networkInfo>", t.EFA)
	if t.GPUs > 0 {
		w.WriteString("<gpuInfo><gpus><item><name>")
		escape(w, t.GPUName)
		w.WriteString("</name><manufacturer>")
		escape(w, t.GPUManufacturer)
		fmt.Fprintf(w, "</manufacturer><count>%d</count><memoryInfo><sizeInMiB>%d</sizeInMiB></memoryInfo></item></gpus>", t.GPUs, t.GPUMemoryMiB/int64(t.GPUs))
		fmt.Fprintf(w, "<totalGpuMemoryInMiB>%d</totalGpuMemoryInMiB></gpuInfo>", t.GPUMemoryMiB)
	}
	w.WriteString("</item>")
}

var zoneFilterNames = []string{"zone-name", "zone-id", "region-name", "state", "zone-type", "opt-in-status"}

func (h *handler) describeAvailabilityZones(w *bytes.Buffer, region string, form url.Values) *apiError {
	fs, aerr := parseFilters(form, zoneFilterNames...)
	if aerr != nil {
		return aerr
	}
	ri := h.idx.region(region)
	names, ids := listParam(form, "ZoneName"), listParam(form, "ZoneId")
	for _, n := range names {
		if !slices.ContainsFunc(ri.zones, func(z market.Zone) bool { return z.Name == n }) {
			return invalidParam("Invalid availability zone: [%s]", n)
		}
	}
	for _, id := range ids {
		if !slices.ContainsFunc(ri.zones, func(z market.Zone) bool { return z.ID == id }) {
			return invalidParam("Invalid availability zone ID: [%s]", id)
		}
	}
	w.WriteString("<availabilityZoneInfo>")
	for _, z := range ri.zones {
		if len(names) > 0 && !contains(names, z.Name) || len(ids) > 0 && !contains(ids, z.ID) {
			continue
		}
		ok := true
		for _, f := range fs {
			v := map[string]string{"zone-name": z.Name, "zone-id": z.ID, "region-name": z.Region,
				"state": z.State, "zone-type": z.Type, "opt-in-status": "opt-in-not-required"}[f.name]
			if ok = matchAny(f.values, v); !ok {
				break
			}
		}
		if !ok {
			continue
		}
		w.WriteString("<item><zoneName>")
		escape(w, z.Name)
		w.WriteString("</zoneName><zoneState>")
		escape(w, z.State)
		w.WriteString("</zoneState><regionName>")
		escape(w, z.Region)
		w.WriteString("</regionName><zoneId>")
		escape(w, z.ID)
		w.WriteString("</zoneId><zoneType>")
		escape(w, z.Type)
		w.WriteString("</zoneType><optInStatus>opt-in-not-required</optInStatus><groupName>")
		escape(w, z.Region)
		w.WriteString("</groupName><networkBorderGroup>")
		escape(w, z.Region)
		w.WriteString("</networkBorderGroup><messageSet/></item>")
	}
	w.WriteString("</availabilityZoneInfo>")
	return nil
}

func (h *handler) describeRegions(w *bytes.Buffer, _ string, form url.Values) *apiError {
	fs, aerr := parseFilters(form, "region-name", "endpoint", "opt-in-status")
	if aerr != nil {
		return aerr
	}
	names := listParam(form, "RegionName")
	for _, n := range names {
		if !contains(h.idx.names, n) {
			return invalidParam("Invalid region: %s", n)
		}
	}
	w.WriteString("<regionInfo>")
	for _, r := range h.idx.names {
		if len(names) > 0 && !contains(names, r) {
			continue
		}
		endpoint := "ec2." + r + ".amazonaws.com"
		ok := true
		for _, f := range fs {
			v := map[string]string{"region-name": r, "endpoint": endpoint, "opt-in-status": "opt-in-not-required"}[f.name]
			if ok = matchAny(f.values, v); !ok {
				break
			}
		}
		if ok {
			w.WriteString("<item><regionName>")
			escape(w, r)
			w.WriteString("</regionName><regionEndpoint>")
			escape(w, endpoint)
			w.WriteString("</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>")
		}
	}
	w.WriteString("</regionInfo>")
	return nil
}
