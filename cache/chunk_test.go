package cache

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func TestChunkRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		es   []entry
	}{
		{"empty", nil},
		{"one", []entry{{1577836800000, 34500}}},
		{"zero price", []entry{{1, 0}, {2, 0}, {3, 5}, {4, 0}}},
		{"big jumps", []entry{{-5e12, 0}, {0, 1e12}, {1, 0}, {math.MaxInt64 / 2, 1e12}, {math.MaxInt64 - 1, -1e12}}},
		{"before 1970", []entry{{-86400000, 12}, {-1, 13}}},
		{"equal prices", []entry{{10, 7}, {20, 7}, {30, 7}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := encodeChunk(nil, tc.es)
			got, err := decodeChunk(nil, data)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.es) {
				t.Errorf("round trip %v -> %v", tc.es, got)
			}
		})
	}
}

func TestMicroExact(t *testing.T) {
	for _, p := range []float64{0, 0.0001, 0.0345, 0.034500, 1.66, 0.987600, 3.456789, 999999.999999} {
		if got := fromMicro(toMicro(p)); got != p {
			t.Errorf("%v -> %d -> %v", p, toMicro(p), got)
		}
	}
}

func TestMergeEntries(t *testing.T) {
	for _, tc := range []struct {
		name      string
		old, add  []entry
		want      []entry
		wantAdded int
	}{
		{"into empty, unsorted", nil, []entry{{3, 1}, {1, 2}, {2, 3}}, []entry{{1, 2}, {2, 3}, {3, 1}}, 3},
		{"duplicates in batch, later wins", nil, []entry{{1, 1}, {1, 2}, {2, 0}, {1, 3}}, []entry{{1, 3}, {2, 0}}, 2},
		{"duplicates of stored", []entry{{1, 1}, {5, 5}}, []entry{{5, 5}, {1, 1}}, []entry{{1, 1}, {5, 5}}, 0},
		{"new price for stored time", []entry{{1, 1}, {5, 5}}, []entry{{5, 6}}, []entry{{1, 1}, {5, 6}}, 0},
		{"interleaved", []entry{{2, 2}, {4, 4}}, []entry{{5, 5}, {1, 1}, {3, 3}}, []entry{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, added := mergeEntries(tc.old, slices.Clone(tc.add), false)
			if !slices.Equal(got, tc.want) || added != tc.wantAdded {
				t.Errorf("merge = %v, %d; want %v, %d", got, added, tc.want, tc.wantAdded)
			}
		})
	}
}

func TestChunkStart(t *testing.T) {
	for _, ms := range []int64{0, 1, chunkSpanMS - 1, chunkSpanMS, -1, -chunkSpanMS, -chunkSpanMS - 1, 1592870664000} {
		c := chunkStart(ms)
		if c > ms || ms >= c+chunkSpanMS || c%chunkSpanMS != 0 {
			t.Errorf("chunkStart(%d) = %d", ms, c)
		}
	}
}

func TestDecodeChunkRejects(t *testing.T) {
	valid := encodeChunk(nil, []entry{{10, 1}, {20, 2}})
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"unknown format", append([]byte{9}, valid[1:]...)},
		{"truncated", valid[:len(valid)-1]},
		{"trailing", append(slices.Clone(valid), 0)},
		{"huge count", []byte{chunkFormat, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0}},
		{"zero delta", encodeChunk(nil, []entry{{10, 1}, {10, 2}})},
		{"time overflow", encodeChunk(nil, []entry{{math.MaxInt64 - 1, 1}, {math.MaxInt64, 2}, {math.MinInt64, 0}})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decodeChunk(nil, tc.data); !errors.Is(err, errBadChunk) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func FuzzDecodeChunk(f *testing.F) {
	f.Add(encodeChunk(nil, nil))
	f.Add(encodeChunk(nil, []entry{{1577836800000, 34500}, {1577836900000, 0}, {1577937900000, 1e9}}))
	f.Add([]byte{chunkFormat, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := decodeChunk(nil, data)
		if err != nil {
			return
		}
		// Whatever decodes is strictly increasing and re-encodes to itself.
		for i := 1; i < len(es); i++ {
			if es[i].ms <= es[i-1].ms {
				t.Fatalf("times not increasing: %v", es)
			}
		}
		again, err := decodeChunk(nil, encodeChunk(nil, es))
		if err != nil || !slices.Equal(again, es) {
			t.Fatalf("re-encode: %v %v", again, err)
		}
	})
}
