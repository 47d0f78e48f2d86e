package archive

import (
	"context"
	"testing"
)

func TestRoundTripDemoDir(t *testing.T) {
	ctx := context.Background()
	src := demoStore(t)
	want := takeSnapshot(t, src)
	loc := Dir(t.TempDir())
	res, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != want.Records || res.Manifest.Rows != want.Records || res.Written != res.Partitions || res.Partitions == 0 {
		t.Fatalf("export: %+v, want %d rows in fresh partitions", res, want.Records)
	}
	dst := openStore(t)
	ir, err := Import(ctx, dst, loc, ImportOptions{Source: string(loc), Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if ir.New != int(want.Records) || ir.Rows != want.Records {
		t.Fatalf("import: %+v, want %d new", ir, want.Records)
	}
	sameSnapshot(t, takeSnapshot(t, dst), want)
	t.Logf("%d records, %d partitions, %d bytes: %.2f bytes/record", res.Rows, res.Partitions, res.Bytes, float64(res.Bytes)/float64(res.Rows))
}
