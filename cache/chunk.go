package cache

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// chunkSpanMS is the calendar span of one chunk. 30 days keeps a region's
// row count low (a 90-day window reads about four chunks per pool, a
// region scan a few rows per pool) while an hourly fetch rewrites only a
// few hundred bytes per pool. Changing it needs a migration that re-chunks.
const chunkSpanMS = 30 * 24 * 3600 * 1000

// chunkFormat is the first byte of every chunk blob, so a future encoding
// can live beside this one.
const chunkFormat = 1

// entry is one record of a pool inside the store: Unix milliseconds and
// integer micro-dollars.
type entry struct {
	ms    int64
	micro int64
}

// chunkStart is the start of the chunk holding ms; floor division keeps
// times before 1970 in their own chunks instead of sharing chunk 0.
func chunkStart(ms int64) int64 {
	q := ms / chunkSpanMS
	if ms%chunkSpanMS < 0 {
		q--
	}
	return q * chunkSpanMS
}

// toMicro is exact for AWS's six-decimal prices: float64(k)/1e6 is the
// correctly rounded value of the decimal k/10^6, the same float64 that
// ParsePrice produced from the wire string.
func toMicro(p float64) int64 { return int64(math.Round(p * 1e6)) }

func fromMicro(m int64) float64 { return float64(m) / 1e6 }

// encodeChunk writes entries, which must be sorted with strictly
// increasing times: format byte, count, first time and price as zigzag
// varints, then per entry the time delta (uvarint, > 0) and the price delta
// (zigzag varint). Prices change rarely and by small steps, so most
// records take 2 to 4 bytes.
func encodeChunk(dst []byte, es []entry) []byte {
	dst = append(dst, chunkFormat)
	dst = binary.AppendUvarint(dst, uint64(len(es)))
	if len(es) == 0 {
		return dst
	}
	dst = binary.AppendVarint(dst, es[0].ms)
	dst = binary.AppendVarint(dst, es[0].micro)
	for i := 1; i < len(es); i++ {
		dst = binary.AppendUvarint(dst, uint64(es[i].ms-es[i-1].ms))
		dst = binary.AppendVarint(dst, es[i].micro-es[i-1].micro)
	}
	return dst
}

var errBadChunk = errors.New("corrupt price chunk")

// decodeChunk appends the entries of data to dst. It never trusts the
// blob: counts are bounded by its length and times must increase, so a
// damaged file gives an error instead of a panic or a huge allocation.
func decodeChunk(dst []entry, data []byte) ([]entry, error) {
	if len(data) == 0 || data[0] != chunkFormat {
		return dst, fmt.Errorf("%w: unknown format", errBadChunk)
	}
	p := data[1:]
	n, k := binary.Uvarint(p)
	if k <= 0 {
		return dst, fmt.Errorf("%w: bad count", errBadChunk)
	}
	p = p[k:]
	if n == 0 {
		if len(p) != 0 {
			return dst, fmt.Errorf("%w: trailing bytes", errBadChunk)
		}
		return dst, nil
	}
	// Every entry takes at least two bytes.
	if n > uint64(len(p))/2 {
		return dst, fmt.Errorf("%w: count %d exceeds data", errBadChunk, n)
	}
	ms, k := binary.Varint(p)
	if k <= 0 {
		return dst, fmt.Errorf("%w: bad time", errBadChunk)
	}
	p = p[k:]
	micro, k := binary.Varint(p)
	if k <= 0 {
		return dst, fmt.Errorf("%w: bad price", errBadChunk)
	}
	p = p[k:]
	dst = append(dst, entry{ms, micro})
	for i := uint64(1); i < n; i++ {
		dt, k := binary.Uvarint(p)
		if k <= 0 || dt == 0 || dt > math.MaxInt64 || ms > math.MaxInt64-int64(dt) {
			return dst, fmt.Errorf("%w: bad time delta", errBadChunk)
		}
		p = p[k:]
		dp, k := binary.Varint(p)
		if k <= 0 {
			return dst, fmt.Errorf("%w: bad price delta", errBadChunk)
		}
		p = p[k:]
		ms += int64(dt)
		micro += dp
		dst = append(dst, entry{ms, micro})
	}
	if len(p) != 0 {
		return dst, fmt.Errorf("%w: trailing bytes", errBadChunk)
	}
	return dst, nil
}

// mergeEntries merges sorted, deduplicated old with add (any order,
// possibly with duplicates). On an equal time the entry written later
// wins: add beats old, and within add the later element beats the earlier,
// so a corrected price from AWS replaces the stored one. It returns the
// merged entries and how many times were not in old. With no old entries
// the result is add itself, deduplicated in place.
func mergeEntries(old, add []entry, keepOld bool) ([]entry, int) {
	// Fetched pages and archives arrive sorted: check before sorting.
	byTime := func(a, b entry) int { return cmp.Compare(a.ms, b.ms) }
	if !slices.IsSortedFunc(add, byTime) {
		slices.SortStableFunc(add, byTime)
	}
	// Keep the last of each run of equal times.
	w := 0
	for i := range add {
		if w > 0 && add[w-1].ms == add[i].ms {
			add[w-1] = add[i]
			continue
		}
		add[w] = add[i]
		w++
	}
	add = add[:w]
	if len(old) == 0 {
		return add, len(add)
	}
	out := make([]entry, 0, len(old)+len(add))
	added := 0
	i, j := 0, 0
	for i < len(old) || j < len(add) {
		switch {
		case j == len(add) || (i < len(old) && old[i].ms < add[j].ms):
			out = append(out, old[i])
			i++
		case i == len(old) || add[j].ms < old[i].ms:
			out = append(out, add[j])
			added++
			j++
		default: // same time: the newer write wins, unless told to keep
			if keepOld {
				out = append(out, old[i])
			} else {
				out = append(out, add[j])
			}
			i++
			j++
		}
	}
	return out, added
}
