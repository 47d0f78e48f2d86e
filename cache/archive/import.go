package archive

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
)

// Error is a failure tied to one object of an archive: it names the
// object, what is wrong and the fix, on one line.
type Error struct {
	Object string
	Err    error
	Fix    string
}

func (e *Error) Error() string {
	s := e.Object + ": " + e.Err.Error()
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNotArchive is wrapped when a location holds no spotscope manifest.
var ErrNotArchive = errors.New("not a spotscope archive")

var errNotArchive = fmt.Errorf("%w (no readable %s)", ErrNotArchive, ManifestKey)

const fixExportAgain = "run spotscope export to this location again to rewrite it"

func manifestError(loc Location, err error) error {
	fix := fixExportAgain
	switch {
	case errors.Is(err, ErrNotArchive):
		fix = "point at the directory or s3:// prefix that spotscope export wrote"
	case errors.Is(err, errTooNew):
		fix = "upgrade spotscope"
	}
	return &Error{Object: loc.URL(ManifestKey), Err: err, Fix: fix}
}

// ReadManifest reads and checks loc's manifest.
func ReadManifest(ctx context.Context, loc Location) (*Manifest, error) {
	data, err := loc.Get(ctx, ManifestKey)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, manifestError(loc, errNotArchive)
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

// readFile gets f and checks its size and checksum against the manifest.
func readFile(ctx context.Context, loc Location, f File) ([]byte, error) {
	data, err := loc.Get(ctx, f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &Error{Object: loc.URL(f.Path), Err: errors.New("named by the manifest but missing"), Fix: fixExportAgain}
	}
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != f.Bytes || checksum(data) != f.SHA256 {
		return nil, &Error{Object: loc.URL(f.Path), Err: errors.New("corrupt: its size or SHA-256 differs from the manifest's"), Fix: fixExportAgain}
	}
	return data, nil
}

// readPartition reads and checks one partition: checksum, schema, and that
// every row belongs to the partition's region and month.
func readPartition(ctx context.Context, loc Location, p Partition, buf []row) ([]row, error) {
	data, err := readFile(ctx, loc, p.File)
	if err != nil {
		return nil, err
	}
	rows, err := decodeRows(buf, data)
	if err != nil {
		fix := fixExportAgain
		if errors.Is(err, errForeignSchema) {
			fix = "this file was not written by spotscope export; remove it or " + fixExportAgain
		}
		return nil, &Error{Object: loc.URL(p.Path), Err: err, Fix: fix}
	}
	if int64(len(rows)) != p.Rows {
		return nil, &Error{Object: loc.URL(p.Path), Err: fmt.Errorf("holds %d rows, the manifest says %d", len(rows), p.Rows), Fix: fixExportAgain}
	}
	start, err := time.Parse("2006-01", p.Month)
	if err != nil {
		return nil, &Error{Object: loc.URL(p.Path), Err: fmt.Errorf("bad month %q", p.Month), Fix: fixExportAgain}
	}
	lo, hi := start.UnixMilli(), start.AddDate(0, 1, 0).UnixMilli()
	for i := range rows {
		r := &rows[i]
		if r.Region != p.Region || r.Timestamp < lo || r.Timestamp >= hi {
			return nil, &Error{Object: loc.URL(p.Path),
				Err: fmt.Errorf("row %d (%s at %s) lies outside partition region=%s/month=%s", i, r.Region, time.UnixMilli(r.Timestamp).UTC().Format(time.RFC3339), p.Region, p.Month),
				Fix: fixExportAgain}
		}
	}
	return rows, nil
}

func readCoverage(ctx context.Context, loc Location, f File) (*coverageDoc, error) {
	data, err := readFile(ctx, loc, f)
	if err != nil {
		return nil, err
	}
	var doc coverageDoc
	if err := json.Unmarshal(data, &doc); err != nil || doc.Format != coverageFormat {
		return nil, &Error{Object: loc.URL(f.Path), Err: errors.New("not a spotscope coverage file"), Fix: fixExportAgain}
	}
	return &doc, nil
}

// ImportOptions describe an import.
type ImportOptions struct {
	Source   string // the location as the user gave it, for the provenance record
	Now      func() time.Time
	Progress func(Progress)
}

// ImportResult says what an import did.
type ImportResult struct {
	Partitions int
	Rows       int64 // rows read
	New        int   // records the cache did not have
	Zones      int   // zones the cache did not know
	Manifest   *Manifest
}

// decodedPart is one partition, read, checked and grouped for the cache,
// or the error that stopped reading.
type decodedPart struct {
	part  Partition
	rows  int
	batch *cache.Batch
	err   error
}

// decodeParts reads parts in order and sends each, then closes out; it
// stops at the first error (sent last) or when ctx is cancelled. It does
// all of an import's work that needs no cache, so that it runs while the
// cache stores the partition before.
func decodeParts(ctx context.Context, loc Location, parts []Partition, out chan<- decodedPart, read func(rows int)) {
	defer close(out)
	send := func(d decodedPart) bool {
		select {
		case out <- d:
			return true
		case <-ctx.Done():
			return false
		}
	}
	var rows []row           // reused from file to file
	var recs []market.Record // likewise
	for _, p := range parts {
		var err error
		if rows, err = readPartition(ctx, loc, p, rows); err != nil {
			send(decodedPart{err: err})
			return
		}
		recs = slices.Grow(recs[:0], len(rows))
		for _, r := range rows {
			recs = append(recs, market.Record{
				Pool:  market.Pool{Region: r.Region, AvailabilityZone: r.AvailabilityZone, InstanceType: r.InstanceType, Product: r.Product},
				Time:  time.UnixMilli(r.Timestamp).UTC(),
				Price: r.Price,
			})
		}
		b, err := cache.NewBatch(recs)
		if err != nil {
			send(decodedPart{err: &Error{Object: loc.URL(p.Path), Err: err, Fix: fixExportAgain}})
			return
		}
		read(len(rows))
		if !send(decodedPart{part: p, rows: len(rows), batch: b}) {
			return
		}
	}
}

// importBatch bounds the records stored in one transaction, so that a
// fetch in another process never waits on an import for long. A region of
// up to that many records is one transaction and writes each chunk once.
// A variable so that a test can make the demo region span transactions.
var importBatch int64 = 1 << 20

// ProvenancePrefix starts the cache document key under which each import
// records where its history came from (followed by the source location).
const ProvenancePrefix = "archive-import:"

// Provenance is the document an import stores in the cache.
type Provenance struct {
	Source       string    `json:"source"`
	ImportedAt   time.Time `json:"imported_at"`
	ExportedAt   time.Time `json:"exported_at"`
	ExportedBy   string    `json:"exported_by"`
	SourceHost   string    `json:"source_host"`
	SourceCache  string    `json:"source_cache"`
	Partitions   int       `json:"partitions"`
	Rows         int64     `json:"rows"`
	NewRecords   int       `json:"new_records"`
	ManifestHash string    `json:"manifest_sha256"`
}

// Import reads the archive at loc into st. Every partition is checked
// (checksum, schema, rows inside the partition) and stored in one
// transaction, so a file that fails adds nothing; records the cache has
// keep their stored price. Zones fill in AZ IDs the cache lacks. Coverage
// is merged only after every partition is in: it claims the cache knows
// those times. Importing the same archive twice adds nothing.
func Import(ctx context.Context, st *cache.Store, loc Location, o ImportOptions) (ImportResult, error) {
	var res ImportResult
	if o.Now == nil {
		o.Now = time.Now
	}
	raw, err := loc.Get(ctx, ManifestKey)
	if errors.Is(err, fs.ErrNotExist) {
		return res, manifestError(loc, errNotArchive)
	}
	if err != nil {
		return res, err
	}
	m, err := parseManifest(raw)
	if err != nil {
		return res, manifestError(loc, err)
	}
	res.Manifest = m
	var cov *coverageDoc
	if m.Coverage.Path != "" {
		if cov, err = readCoverage(ctx, loc, m.Coverage); err != nil {
			return res, err
		}
		byRegion := map[string][]market.Zone{}
		for _, z := range cov.Zones {
			byRegion[z.Region] = append(byRegion[z.Region], market.Zone{Region: z.Region, Name: z.Name, ID: z.ID, Type: z.Type, State: z.State})
		}
		for region, zs := range byRegion {
			n, err := st.AddZones(ctx, region, zs, o.Now())
			if err != nil {
				return res, err
			}
			res.Zones += n
		}
	}
	// Progress counts partitions read and checked; the last step is
	// reported only once everything is stored, so a finished bar means a
	// finished import. The reader runs on its own goroutine: mu orders the
	// calls.
	var mu sync.Mutex
	var readParts int
	var readRows int64
	progress := func(parts int, rows int64, final bool) {
		mu.Lock()
		defer mu.Unlock()
		readParts, readRows = readParts+parts, readRows+rows
		if o.Progress != nil && (final || readParts < len(m.Partitions)) {
			o.Progress(Progress{Done: readParts, Total: len(m.Partitions), Rows: readRows})
		}
	}
	progress(0, 0, len(m.Partitions) == 0)
	// Partitions are stored in transactions of whole files of one region
	// (a chunk spans two months, so a transaction per month would write
	// most chunks twice). Inside one, the chunks a month completes are
	// written as soon as it is added, while the reader decodes the next.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parts := slices.Clone(m.Partitions)
	slices.SortStableFunc(parts, func(a, b Partition) int {
		return cmp.Or(strings.Compare(a.Region, b.Region), strings.Compare(a.Month, b.Month))
	})
	decoded := make(chan decodedPart, 1)
	go decodeParts(ctx, loc, parts, decoded, func(rows int) { progress(1, int64(rows), false) })
	var tx *cache.Ingest
	var txParts []Partition
	var txRows int64
	defer func() {
		if tx != nil {
			tx.Rollback()
		}
	}()
	failed := func(p Partition, err error) error {
		return &Error{Object: loc.URL(p.Path), Err: err, Fix: "nothing of this file was imported; " + fixExportAgain}
	}
	commit := func() error {
		if tx == nil {
			return nil
		}
		n, err := tx.Commit()
		tx = nil
		if err != nil {
			return failed(txParts[len(txParts)-1], err)
		}
		res.New += n
		res.Rows += txRows
		res.Partitions += len(txParts)
		txParts, txRows = nil, 0
		return nil
	}
	for d := range decoded {
		if d.err != nil {
			// The whole files read before it are kept.
			if err := commit(); err != nil {
				return res, err
			}
			return res, d.err
		}
		if tx != nil && (txParts[0].Region != d.part.Region || txRows+int64(d.rows) > importBatch) {
			if err := commit(); err != nil {
				return res, err
			}
		}
		if tx == nil {
			if tx, err = st.BeginImport(ctx); err != nil {
				return res, failed(d.part, err)
			}
		}
		txParts, txRows = append(txParts, d.part), txRows+int64(d.rows)
		if err := tx.AddBatch(d.batch); err != nil {
			return res, failed(d.part, err)
		}
		// Later partitions of the region start at the month's end: the
		// chunks that end before it are complete.
		end, err := time.Parse("2006-01", d.part.Month)
		if err != nil {
			return res, failed(d.part, err) // readPartition checked it
		}
		if err := tx.Flush(end.AddDate(0, 1, 0)); err != nil {
			return res, failed(d.part, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if err := commit(); err != nil {
		return res, err
	}
	progress(0, 0, true)
	if cov != nil {
		for _, c := range cov.Coverage {
			if err := st.AddCoverage(ctx, c.Region, c.Product, c.Scope, market.Interval{Start: c.Start, End: c.End}); err != nil {
				return res, err
			}
		}
	}
	prov, err := json.Marshal(Provenance{
		Source: o.Source, ImportedAt: o.Now().UTC(), ExportedAt: m.CreatedAt, ExportedBy: m.CreatedBy,
		SourceHost: m.SourceHost, SourceCache: m.Source, Partitions: res.Partitions, Rows: res.Rows,
		NewRecords: res.New, ManifestHash: checksum(raw),
	})
	if err != nil {
		return res, err
	}
	return res, st.PutDoc(ctx, ProvenancePrefix+o.Source, prov, o.Now())
}

// isTemp reports a local temporary file an interrupted Dir.Put left.
func isTemp(k string) bool {
	b := path.Base(k)
	return strings.HasPrefix(b, ".") && strings.Contains(b, ".tmp-") &&
		(strings.HasPrefix(k, "region=") || !strings.Contains(k, "/"))
}
