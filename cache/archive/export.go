// Package archive is spotscope's team archive: the cache's price history as
// Hive-partitioned, zstd-compressed Parquet (region=<region>/month=<YYYY-MM>/
// part-<checksum>.parquet) on a local directory or an S3 prefix, with a
// coverage file and a manifest, readable by DuckDB, Athena, Spark and Trino,
// and importable back into any cache. See docs/archive.md.
//
// Writes are ordered so that the manifest is always consistent: new files
// first under content-addressed names, then the manifest, then the removal
// of files no manifest names. An export interrupted anywhere leaves the
// previous manifest and every file it names intact.
package archive

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
)

// Progress reports a long export or import, once per partition.
type Progress struct {
	Done, Total int   // partitions
	Rows        int64 // rows read or written so far
}

// ExportOptions select what is exported.
type ExportOptions struct {
	Regions      []string  // empty: every region the cache holds records of
	Since, Until time.Time // [Since, Until); zero: unbounded
	Now          func() time.Time
	CreatedBy    string // the spotscope version, for the manifest
	Progress     func(Progress)
}

// ExportResult says what an export did.
type ExportResult struct {
	Rows       int64 // rows read from the cache
	Partitions int   // partitions of the selection
	Written    int   // partition files written
	Unchanged  int   // partitions whose content had not changed
	Bytes      int64 // bytes of partition files written
	Removed    int   // files no longer named by the manifest, removed
	Manifest   *Manifest
}

// Export writes the cache's history to loc. Partitions already in the
// archive are merged with the cache (a record the archive has and the cache
// lacks, say one pruned since, is kept; the cache wins on the same pool and
// time), so an export never loses history. Only partitions whose merged
// content differs from the manifest's are written.
func Export(ctx context.Context, st *cache.Store, loc Location, o ExportOptions) (ExportResult, error) {
	var res ExportResult
	if o.Now == nil {
		o.Now = time.Now
	}
	old, err := previousManifest(ctx, loc)
	if err != nil {
		return res, err
	}
	info, err := st.Info(ctx)
	if err != nil {
		return res, err
	}
	parts := map[partKey]Partition{}
	oldParts := map[partKey]Partition{}
	if old != nil {
		// Only files that are really there count as archived: a manifest
		// whose file went missing (deleted by hand, or by a concurrent
		// export's clean-up) is repaired by rewriting that month.
		keys, err := loc.List(ctx)
		if err != nil {
			return res, err
		}
		present := map[string]bool{}
		for _, k := range keys {
			present[k] = true
		}
		for _, p := range old.Partitions {
			parts[p.key()] = p
			if present[p.Path] {
				oldParts[p.key()] = p
			}
		}
	}
	type job struct {
		months *monthReader
		region string
		month  string
		lo     int64 // ms
	}
	var jobs []job
	for _, ri := range info.Regions {
		if ri.Records == 0 || (len(o.Regions) > 0 && !slices.Contains(o.Regions, ri.Region)) {
			continue
		}
		lo, hi := ri.Oldest.UnixMilli(), ri.Newest.UnixMilli()
		if !o.Since.IsZero() {
			lo = max(lo, o.Since.UnixMilli())
		}
		if !o.Until.IsZero() {
			hi = min(hi, o.Until.UnixMilli()-1)
		}
		zones, err := st.Zones(ctx, ri.Region)
		if err != nil {
			return res, err
		}
		ids := map[string]string{}
		for _, z := range zones {
			ids[z.Name] = z.ID
		}
		mr := &monthReader{st: st, region: ri.Region, hi: hi, zoneIDs: ids, until: math.MinInt64}
		for m := monthStart(lo); m <= hi; m = nextMonth(m) {
			jobs = append(jobs, job{mr, ri.Region, monthOf(m), max(lo, m)})
		}
	}
	// The cache is read here, in order; encoding, comparing and writing
	// run on exportWorkers goroutines, so a slow upload or the encoder
	// overlaps with the next month's scan. mu guards res, parts and firstErr.
	var mu sync.Mutex
	var firstErr error
	done := 0
	report := func() {
		if o.Progress != nil {
			o.Progress(Progress{Done: done, Total: len(jobs), Rows: res.Rows})
		}
	}
	report()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, exportWorkers)
	var wg sync.WaitGroup
	for _, j := range jobs {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop {
			break
		}
		cur, err := j.months.next(ctx, j.month, j.lo)
		if err != nil {
			mu.Lock()
			firstErr = cmp.Or(firstErr, err)
			mu.Unlock()
			break
		}
		prev, had := oldParts[partKey{j.region, j.month}]
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			var w written
			var err error
			if len(cur.recs) > 0 {
				w, err = writeMonth(ctx, loc, j.region, j.month, cur, prev, had)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				return
			}
			res.Rows += int64(len(cur.recs))
			if len(cur.recs) > 0 {
				res.Partitions++
			}
			switch {
			case w.changed:
				res.Written++
				res.Bytes += w.part.Bytes
				parts[w.part.key()] = w.part
			case len(cur.recs) > 0:
				res.Unchanged++
			}
			done++
			report()
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return res, firstErr
	}

	cov, err := exportCoverage(ctx, st, loc, old, o)
	if err != nil {
		return res, err
	}
	m := &Manifest{Format: Format, Version: Version, CreatedAt: o.Now().UTC(), CreatedBy: o.CreatedBy,
		Source: st.Path(), Coverage: cov}
	m.SourceHost, _ = os.Hostname()
	for _, p := range parts {
		m.Partitions = append(m.Partitions, p)
		m.Rows += p.Rows
	}
	slices.SortFunc(m.Partitions, func(a, b Partition) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Month, b.Month))
	})
	res.Manifest = m
	if old != nil && res.Written == 0 && old.Coverage == cov {
		// Nothing changed: the manifest stays as it was, so a scheduled
		// export of a quiet cache writes nothing at all.
		res.Manifest = old
	} else {
		data, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return res, err
		}
		if err := loc.Put(ctx, ManifestKey, append(data, '\n')); err != nil {
			return res, fmt.Errorf("writing %s: %w", loc.URL(ManifestKey), err)
		}
	}
	res.Removed, err = removeUnnamed(ctx, loc, res.Manifest)
	return res, err
}

// exportWorkers is how many months are encoded and written at once: two
// keep both cores of a small machine busy, and bound memory to a few
// months.
const exportWorkers = 2

// written is what writeMonth did.
type written struct {
	changed bool // the month's file was written
	part    Partition
}

// writeMonth encodes one month of the cache, merges it with the archived
// month when they differ, and writes the file unless the result is what
// the archive already holds.
func writeMonth(ctx context.Context, loc Location, region, name string, cur month, prev Partition, had bool) (written, error) {
	n, pools := len(cur.recs), cur.count
	first, last := cur.recs[0].ms, cur.recs[0].ms
	for _, r := range cur.recs {
		first, last = min(first, r.ms), max(last, r.ms)
	}
	data, err := encode(n, cur.row)
	if err != nil {
		return written{}, fmt.Errorf("encoding %s %s: %w", region, name, err)
	}
	sum := checksum(data)
	if had && prev.SHA256 != sum {
		// The cache's rows differ from the archive's: merge, and see
		// whether the union is still what the archive holds.
		archived, err := readPartition(ctx, loc, prev, nil)
		if err != nil {
			return written{}, err
		}
		rows := mergeRows(archived, cur.rows())
		n, pools = len(rows), countPools(rows)
		for _, r := range rows {
			first, last = min(first, r.Timestamp), max(last, r.Timestamp)
		}
		if data, err = encodeRows(rows); err != nil {
			return written{}, fmt.Errorf("encoding %s %s: %w", region, name, err)
		}
		sum = checksum(data)
	}
	if had && prev.SHA256 == sum {
		return written{}, nil
	}
	key := partitionKey(region, name, sum)
	if err := loc.Put(ctx, key, data); err != nil {
		return written{}, fmt.Errorf("writing %s: %w", loc.URL(key), err)
	}
	return written{changed: true, part: Partition{
		Region: region, Month: name, File: fileOf(key, data),
		Rows: int64(n), Pools: pools, First: time.UnixMilli(first).UTC(), Last: time.UnixMilli(last).UTC(),
	}}, nil
}

// previousManifest reads the manifest at loc; nil when loc holds no
// archive yet. A location holding other objects and no manifest is
// refused: export would mix its files into someone else's data.
func previousManifest(ctx context.Context, loc Location) (*Manifest, error) {
	data, err := loc.Get(ctx, ManifestKey)
	if errors.Is(err, fs.ErrNotExist) {
		keys, err := loc.List(ctx)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			// doctor's probe object, if a denied delete left it, is ours too.
			if !ownedKey(k) && !isTemp(k) && k != probeKey {
				return nil, &Error{Object: loc.URL(""), Err: fmt.Errorf("holds %s and no %s, so it is not a spotscope archive", k, ManifestKey),
					Fix: "export to an empty directory or prefix, or to one an earlier export wrote"}
			}
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m, err := parseManifest(data)
	if err != nil {
		return nil, manifestError(loc, err)
	}
	return m, nil
}

// scanMonths is how many months one cache scan reads. Each 30-day chunk
// of the cache straddles two months, so a scan per month would decode most
// chunks twice; a scan per window decodes them about once, while memory
// stays bounded by a window of one region.
const scanMonths = 6

// monthReader hands out one region's months in order, reading them from
// the cache a window at a time. Records are held as recs, which have no
// pointers for the garbage collector to scan, against a table of the
// region's pools.
type monthReader struct {
	st      *cache.Store
	region  string
	hi      int64 // last ms to export, inclusive
	zoneIDs map[string]string
	until   int64 // the buffered months end here (exclusive)
	pools   []row // pool i's columns, without price and time
	months  map[string][]rec
	counts  map[string]int // pools per month
}

// rec is one record of a month: its pool's index in monthReader.pools.
type rec struct {
	pool  int32
	ms    int64
	price float64
}

// month is one partition's content as monthReader returns it.
type month struct {
	recs  []rec // sorted by pool and time
	pools []row
	count int // distinct pools
}

func (m month) row(i int) row {
	r := m.pools[m.recs[i].pool]
	r.Price, r.Timestamp = m.recs[i].price, m.recs[i].ms
	return r
}

func (m month) rows() []row {
	out := make([]row, len(m.recs))
	for i := range out {
		out[i] = m.row(i)
	}
	return out
}

// next returns the month starting at lo (the month's start, or the
// export's lower bound inside it).
func (r *monthReader) next(ctx context.Context, name string, lo int64) (month, error) {
	if lo >= r.until {
		r.until = time.UnixMilli(monthStart(lo)).UTC().AddDate(0, scanMonths, 0).UnixMilli()
		r.months, r.counts = map[string][]rec{}, map[string]int{}
		hi := min(r.hi, r.until-1)
		err := r.st.ScanSeries(ctx, cache.Filter{Regions: []string{r.region}}, time.UnixMilli(lo), time.UnixMilli(hi),
			func(p market.Pool, pts []market.Point) error {
				pool := int32(len(r.pools))
				r.pools = append(r.pools, row{Region: p.Region, AvailabilityZone: p.AvailabilityZone,
					AvailabilityZoneID: r.zoneIDs[p.AvailabilityZone], InstanceType: p.InstanceType, Product: p.Product})
				// Points are sorted: the month changes rarely, so its name
				// is computed only when a point leaves the current one.
				var m string
				var mEnd int64 = math.MinInt64
				for _, pt := range pts {
					t := pt.Time.UnixMilli()
					if t < lo { // the record in effect at lo belongs to an earlier month
						continue
					}
					if t >= mEnd {
						m, mEnd = monthOf(t), nextMonth(monthStart(t))
						r.counts[m]++
					}
					r.months[m] = append(r.months[m], rec{pool, t, pt.Price})
				}
				return nil
			})
		if err != nil {
			return month{}, err
		}
	}
	recs := r.months[name]
	delete(r.months, name)
	return month{recs, r.pools, r.counts[name]}, nil
}

// comparePool orders rows as the cache scans them: AZ, type, product.
func comparePool(a, b *row) int {
	return cmp.Or(cmp.Compare(a.AvailabilityZone, b.AvailabilityZone),
		cmp.Compare(a.InstanceType, b.InstanceType), cmp.Compare(a.Product, b.Product))
}

func compareRows(a, b *row) int {
	return cmp.Or(comparePool(a, b), cmp.Compare(a.Timestamp, b.Timestamp))
}

// mergeRows merges two sorted partitions; on the same pool and time the
// cache's row (b) wins.
func mergeRows(a, b []row) []row {
	out := make([]row, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch c := compareRows(&a[i], &b[j]); {
		case c < 0:
			out = append(out, a[i])
			i++
		case c > 0:
			out = append(out, b[j])
			j++
		default:
			out = append(out, b[j])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

func countPools(rows []row) int {
	n := 0
	for i := range rows {
		if i == 0 || comparePool(&rows[i-1], &rows[i]) != 0 {
			n++
		}
	}
	return n
}

// exportCoverage writes the coverage file when it changed and returns its
// entry. Coverage is the union of the archive's and the cache's (clipped
// to the export's window), like the partitions.
func exportCoverage(ctx context.Context, st *cache.Store, loc Location, old *Manifest, o ExportOptions) (File, error) {
	doc := coverageDoc{Format: coverageFormat}
	if old != nil && old.Coverage.Path != "" {
		prev, err := readCoverage(ctx, loc, old.Coverage)
		if err != nil {
			return File{}, err
		}
		doc = *prev
	}
	spans, err := st.AllCoverage(ctx, o.Regions...)
	if err != nil {
		return File{}, err
	}
	for _, s := range spans {
		if !o.Since.IsZero() && s.Start.Before(o.Since) {
			s.Start = o.Since
		}
		if !o.Until.IsZero() && s.End.After(o.Until) {
			s.End = o.Until
		}
		if s.End.After(s.Start) {
			doc.Coverage = append(doc.Coverage, coverageEntry{s.Region, s.Product, s.Scope, s.Start.UTC(), s.End.UTC()})
		}
	}
	doc.Coverage = mergeCoverage(doc.Coverage)
	info, err := st.Info(ctx)
	if err != nil {
		return File{}, err
	}
	zones := map[[2]string]zoneEntry{}
	for _, z := range doc.Zones {
		zones[[2]string{z.Region, z.Name}] = z
	}
	for _, ri := range info.Regions {
		if len(o.Regions) > 0 && !slices.Contains(o.Regions, ri.Region) {
			continue
		}
		zs, err := st.Zones(ctx, ri.Region)
		if err != nil {
			return File{}, err
		}
		for _, z := range zs {
			zones[[2]string{z.Region, z.Name}] = zoneEntry{z.Region, z.Name, z.ID, z.Type, z.State}
		}
	}
	doc.Zones = doc.Zones[:0]
	for _, z := range zones {
		doc.Zones = append(doc.Zones, z)
	}
	slices.SortFunc(doc.Zones, func(a, b zoneEntry) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Name, b.Name))
	})
	data, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return File{}, err
	}
	f := fileOf(coverageKey(checksum(data)), data)
	if old != nil && old.Coverage == f {
		return f, nil
	}
	if err := loc.Put(ctx, f.Path, data); err != nil {
		return File{}, fmt.Errorf("writing %s: %w", loc.URL(f.Path), err)
	}
	return f, nil
}

// mergeCoverage sorts entries and merges the overlapping and touching
// intervals of each key, as the cache stores them.
func mergeCoverage(es []coverageEntry) []coverageEntry {
	slices.SortFunc(es, func(a, b coverageEntry) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Product, b.Product),
			cmp.Compare(a.Scope, b.Scope), a.Start.Compare(b.Start))
	})
	var out []coverageEntry
	for _, e := range es {
		if n := len(out); n > 0 {
			l := &out[n-1]
			if l.Region == e.Region && l.Product == e.Product && l.Scope == e.Scope && !e.Start.After(l.End) {
				if e.End.After(l.End) {
					l.End = e.End
				}
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// removeUnnamed deletes the files an export owns that m does not name:
// the previous versions of rewritten partitions, and leftovers of an
// interrupted export.
func removeUnnamed(ctx context.Context, loc Location, m *Manifest) (int, error) {
	named := map[string]bool{m.Coverage.Path: true}
	for _, p := range m.Partitions {
		named[p.Path] = true
	}
	keys, err := loc.List(ctx)
	if err != nil {
		return 0, err
	}
	var drop []string
	for _, k := range keys {
		if (ownedKey(k) || isTemp(k)) && !named[k] {
			drop = append(drop, k)
		}
	}
	if len(drop) == 0 {
		return 0, nil
	}
	if err := loc.Delete(ctx, drop); err != nil {
		return 0, fmt.Errorf("removing replaced files: %w", err)
	}
	return len(drop), nil
}

func monthStart(ms int64) int64 {
	t := time.UnixMilli(ms).UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).UnixMilli()
}

func nextMonth(ms int64) int64 {
	return time.UnixMilli(ms).UTC().AddDate(0, 1, 0).UnixMilli()
}
