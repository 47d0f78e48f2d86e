package archive

import (
	"reflect"
	"testing"
)

func TestEncodeDecodeRows(t *testing.T) {
	var rows []row
	for i := range 10000 {
		r := row{Region: "eu-west-1", AvailabilityZone: "eu-west-1a", InstanceType: "m5.large", Product: "Linux/UNIX",
			Price: float64(i%97) / 1e6, Timestamp: 1_600_000_000_000 + int64(i)*1000}
		if i%3 == 0 {
			r.AvailabilityZoneID = "euw1-az1" // the others have none: null
		}
		if i > 5000 {
			r.InstanceType = "c5.xlarge"
		}
		rows = append(rows, r)
	}
	data, err := encodeRows(rows)
	if err != nil {
		t.Fatal(err)
	}
	again, err := encodeRows(rows)
	if err != nil || string(again) != string(data) {
		t.Fatal("encoding is not deterministic: an unchanged partition would be uploaded again")
	}
	got, err := decodeRows(nil, data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rows) {
		t.Fatal("rows differ after a round trip")
	}
	for _, bad := range [][]byte{nil, []byte("PAR1"), data[:len(data)-9]} {
		if _, err := decodeRows(nil, bad); err == nil {
			t.Errorf("%d bytes of garbage decoded", len(bad))
		}
	}
}

func FuzzDecodeRows(f *testing.F) {
	data, err := encodeRows([]row{{Region: "r", AvailabilityZone: "a", InstanceType: "t", Product: "p", Price: 1, Timestamp: 2}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeRows(nil, b) // must not panic
	})
}
