package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"
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
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[row](&buf, rowSchema, parquet.Compression(&parquet.Zstd))
	if _, err := w.Write(rows); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// errForeignSchema marks a Parquet file that is readable but not laid out
// as a spotscope archive partition.
var errForeignSchema = errors.New("foreign schema")

// decodeRows reads a whole partition file. It checks the schema first, so a
// file of another layout is refused by name instead of being read with
// columns silently zeroed.
func decodeRows(data []byte) ([]row, error) {
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a readable Parquet file: %w", err)
	}
	if err := checkSchema(f.Schema()); err != nil {
		return nil, err
	}
	r := parquet.NewGenericReader[row](f)
	defer r.Close()
	rows := make([]row, f.NumRows())
	n := 0
	for n < len(rows) {
		k, err := r.Read(rows[n:])
		n += k
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading rows: %w", err)
		}
	}
	if n != len(rows) {
		return nil, fmt.Errorf("file declares %d rows but holds %d", len(rows), n)
	}
	return rows, nil
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
