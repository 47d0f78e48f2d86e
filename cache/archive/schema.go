package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
)

// row is one record as a Parquet row: the columns issue 12 fixes, in the
// order analysts see them. Strings are dictionary-encoded (a partition has
// a few zones, types and products), timestamps delta-encoded (a pool's
// records are sorted by time), and the whole file zstd-compressed, which
// together keep the archive near 3 bytes a record.
type row struct {
	Region           string `parquet:"region,dict"`
	AvailabilityZone string `parquet:"availability_zone,dict"`
	// Optional: null when the cache never learned the zone's ID, rather
	// than an empty string an engine would count as a value.
	AvailabilityZoneID string  `parquet:"availability_zone_id,optional,dict"`
	InstanceType       string  `parquet:"instance_type,dict"`
	Product            string  `parquet:"product,dict"`
	Price              float64 `parquet:"price,dict"`
	// UTC (isAdjustedToUTC) milliseconds since the epoch.
	Timestamp int64 `parquet:"timestamp,timestamp(millisecond),delta"`
}

var rowSchema = parquet.SchemaOf(row{})

// encodeRows writes rows as one Parquet file. The output depends only on
// the rows (no clock, no host), so an unchanged partition encodes to the
// same bytes and the same checksum, which is how an incremental export
// knows to skip it.
func encodeRows(rows []row) ([]byte, error) {
	return encode(len(rows), func(i int) row { return rows[i] })
}

// encode writes the n rows at(0), ..., at(n-1), a batch at a time, so the
// caller need not hold them all as rows.
func encode(n int, at func(int) row) ([]byte, error) {
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[row](&buf, rowSchema, parquet.Compression(&parquet.Zstd))
	batch := make([]row, 0, 4096)
	for i := 0; i < n; i++ {
		batch = append(batch, at(i))
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := w.Write(batch); err != nil {
				return nil, err
			}
			batch = batch[:0]
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// errForeignSchema marks a Parquet file that is readable but not laid out
// as a spotscope archive partition.
var errForeignSchema = errors.New("foreign schema")

// decodeRows reads a whole partition file into buf (reused when large
// enough; the import reads file after file). It checks the schema first, so a
// file of another layout is refused by name instead of being read with
// columns silently zeroed.
func decodeRows(buf []row, data []byte) (rows []row, err error) {
	// The Parquet library can panic on a malformed file; a damaged
	// archive must give an error naming the file, never a crash.
	defer func() {
		if r := recover(); r != nil {
			rows, err = nil, fmt.Errorf("not a readable Parquet file: %v", r)
		}
	}()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a readable Parquet file: %w", err)
	}
	if err := checkSchema(f.Schema()); err != nil {
		return nil, err
	}
	// A bound on the allocation below: even run-length encoding of
	// constant columns needs a byte per thousand rows.
	if f.NumRows() < 0 || f.NumRows() > 1000*int64(len(data)) {
		return nil, fmt.Errorf("not a readable Parquet file: it declares %d rows in %d bytes", f.NumRows(), len(data))
	}
	rows = slices.Grow(buf[:0], int(f.NumRows()))[:f.NumRows()]
	// Column by column rather than through a row reader: strings are
	// interned (a partition has a few dozen distinct values per column,
	// and a row reader would allocate five strings per row), which makes
	// reading several times faster.
	intern := map[string]string{}
	// Rows are sorted by pool, so a column mostly repeats its previous
	// value: compare with that before hashing.
	str := func(last *string, v parquet.Value) string {
		if v.IsNull() {
			return ""
		}
		b := v.ByteArray()
		if string(b) == *last {
			return *last
		}
		s, ok := intern[string(b)]
		if !ok {
			s = string(b)
			intern[s] = s
		}
		*last = s
		return s
	}
	var region, az, azID, typ, product string
	set := map[string]column{
		"region":               {func(r *row, v parquet.Value) { r.Region = str(&region, v) }, func(d, s *row) { d.Region = s.Region }},
		"availability_zone":    {func(r *row, v parquet.Value) { r.AvailabilityZone = str(&az, v) }, func(d, s *row) { d.AvailabilityZone = s.AvailabilityZone }},
		"availability_zone_id": {func(r *row, v parquet.Value) { r.AvailabilityZoneID = str(&azID, v) }, func(d, s *row) { d.AvailabilityZoneID = s.AvailabilityZoneID }},
		"instance_type":        {func(r *row, v parquet.Value) { r.InstanceType = str(&typ, v) }, func(d, s *row) { d.InstanceType = s.InstanceType }},
		"product":              {func(r *row, v parquet.Value) { r.Product = str(&product, v) }, func(d, s *row) { d.Product = s.Product }},
		"price":                {func(r *row, v parquet.Value) { r.Price = v.Double() }, func(d, s *row) { d.Price = s.Price }},
		"timestamp":            {func(r *row, v parquet.Value) { r.Timestamp = v.Int64() }, func(d, s *row) { d.Timestamp = s.Timestamp }},
	}
	vals := make([]parquet.Value, 4096)
	base := 0
	for _, rg := range f.RowGroups() {
		n := int(rg.NumRows())
		if base+n > len(rows) {
			return nil, fmt.Errorf("row groups hold more rows than the file declares")
		}
		for _, cc := range rg.ColumnChunks() {
			name := rg.Schema().Fields()[cc.Column()].Name()
			col, ok := set[name]
			if !ok {
				continue // an extra column
			}
			if err := readColumn(cc, vals, rows[base:base+n], col); err != nil {
				return nil, fmt.Errorf("column %s: %w", name, err)
			}
		}
		base += n
	}
	if base != len(rows) {
		return nil, fmt.Errorf("file declares %d rows but holds %d", len(rows), base)
	}
	return rows, nil
}

// column sets one field of a row: from a Parquet value, or by copying it
// from another row.
type column struct {
	set  func(r *row, v parquet.Value)
	copy func(dst, src *row)
}

// readColumn sets col's field of every row from one column chunk, in row
// order; the chunk must hold exactly len(rows) values.
func readColumn(cc parquet.ColumnChunk, buf []parquet.Value, rows []row, col column) error {
	pages := cc.Pages()
	defer pages.Close()
	i := 0
	// The distinct values of the current dictionary, converted once.
	var dict parquet.Dictionary
	var distinct []row
	for {
		p, err := pages.ReadPage()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		// A dictionary-encoded page without nulls is a list of indices
		// into a few dozen values: convert those once, then copy a field
		// per row instead of building and converting a Value per row.
		if d := p.Dictionary(); d != nil && p.NumNulls() == 0 {
			if idx := p.Data(); idx.Kind() == encoding.Int32 && int64(len(idx.Int32())) == p.NumValues() {
				if d != dict {
					dict, distinct = d, slices.Grow(distinct[:0], d.Len())[:d.Len()]
					for j := range distinct {
						col.set(&distinct[j], d.Index(int32(j)))
					}
				}
				ids := idx.Int32()
				if i+len(ids) > len(rows) {
					parquet.Release(p)
					return fmt.Errorf("more values than rows")
				}
				for _, j := range ids {
					if j < 0 || int(j) >= len(distinct) {
						parquet.Release(p)
						return fmt.Errorf("dictionary index %d out of %d values", j, len(distinct))
					}
					col.copy(&rows[i], &distinct[j])
					i++
				}
				parquet.Release(p)
				continue
			}
		}
		vals := p.Values()
		for {
			n, err := vals.ReadValues(buf)
			if i+n > len(rows) {
				parquet.Release(p)
				return fmt.Errorf("more values than rows")
			}
			for _, v := range buf[:n] {
				col.set(&rows[i], v)
				i++
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				parquet.Release(p)
				return err
			}
		}
		parquet.Release(p)
	}
	if i != len(rows) {
		return fmt.Errorf("%d values for %d rows", i, len(rows))
	}
	return nil
}

// checkSchema accepts a file that has every column of rowSchema with the
// same physical and logical type and repetition; extra columns are
// ignored.
func checkSchema(got *parquet.Schema) error {
	for _, want := range rowSchema.Fields() {
		var g parquet.Field
		for _, f := range got.Fields() {
			if f.Name() == want.Name() {
				g = f
				break
			}
		}
		if g == nil {
			return fmt.Errorf("%w: no column %q", errForeignSchema, want.Name())
		}
		if !g.Leaf() || g.Type().Kind() != want.Type().Kind() ||
			fmt.Sprint(g.Type().LogicalType()) != fmt.Sprint(want.Type().LogicalType()) ||
			g.Optional() != want.Optional() || g.Repeated() {
			return fmt.Errorf("%w: column %q is %s, want %s", errForeignSchema, want.Name(), describe(g), describe(want))
		}
	}
	return nil
}

func describe(n parquet.Node) string {
	s := n.Type().String()
	if n.Optional() {
		s = "optional " + s
	}
	return s
}

// monthOf is the partition month of a record time.
func monthOf(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01") }
