package archive

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// exportedDir returns a directory holding an export of the demo cache and
// its manifest.
func exportedDir(t *testing.T) (Dir, *Manifest) {
	t.Helper()
	loc := Dir(t.TempDir())
	res, err := Export(context.Background(), demoStore(t), loc, ExportOptions{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	return loc, res.Manifest
}

// rewrite replaces partition i's file with data and, when fixManifest is
// set, makes the manifest agree with its checksum, so the damage is found
// by reading the file rather than by the checksum.
func rewrite(t *testing.T, loc Dir, m *Manifest, i int, data []byte, fixManifest bool) string {
	t.Helper()
	p := &m.Partitions[i]
	if err := os.WriteFile(loc.file(p.Path), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if fixManifest {
		old := loc.file(p.Path)
		p.File = fileOf(partitionKey(p.Region, p.Month, checksum(data)), data)
		if err := os.Rename(old, loc.file(p.Path)); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(m)
		if err := os.WriteFile(loc.file(ManifestKey), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return p.Path
}

func TestImportRefusesBadArchives(t *testing.T) {
	ctx := context.Background()
	type foreign struct {
		Region string  `parquet:"region"`
		Price  float32 `parquet:"price"`
	}
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, loc Dir, m *Manifest) string // returns the object to name
		want   string
	}{
		{"no manifest", func(t *testing.T, loc Dir, m *Manifest) string {
			os.Remove(loc.file(ManifestKey))
			return ManifestKey
		}, "not a spotscope archive"},
		{"someone else's json", func(t *testing.T, loc Dir, m *Manifest) string {
			os.WriteFile(loc.file(ManifestKey), []byte(`{"format":"delta"}`), 0o644)
			return ManifestKey
		}, "not a spotscope archive"},
		{"newer version", func(t *testing.T, loc Dir, m *Manifest) string {
			m.Version = Version + 1
			b, _ := json.Marshal(m)
			os.WriteFile(loc.file(ManifestKey), b, 0o644)
			return ManifestKey
		}, "upgrade spotscope"},
		{"manifest pointing outside", func(t *testing.T, loc Dir, m *Manifest) string {
			m.Partitions[0].Path = "../../etc/passwd"
			b, _ := json.Marshal(m)
			os.WriteFile(loc.file(ManifestKey), b, 0o644)
			return ManifestKey
		}, "outside the archive layout"},
		{"corrupt partition", func(t *testing.T, loc Dir, m *Manifest) string {
			data, _ := os.ReadFile(loc.file(m.Partitions[3].Path))
			data[len(data)/2] ^= 0xff
			return rewrite(t, loc, m, 3, data, false)
		}, "corrupt"},
		{"truncated partition with a matching manifest", func(t *testing.T, loc Dir, m *Manifest) string {
			data, _ := os.ReadFile(loc.file(m.Partitions[3].Path))
			return rewrite(t, loc, m, 3, data[:len(data)/2], true)
		}, "not a readable Parquet file"},
		{"foreign schema", func(t *testing.T, loc Dir, m *Manifest) string {
			var buf strings.Builder
			w := parquet.NewGenericWriter[foreign](&buf)
			w.Write([]foreign{{"sa-east-1", 1}})
			w.Close()
			return rewrite(t, loc, m, 3, []byte(buf.String()), true)
		}, "foreign schema"},
		{"missing partition", func(t *testing.T, loc Dir, m *Manifest) string {
			os.Remove(loc.file(m.Partitions[3].Path))
			return m.Partitions[3].Path
		}, "missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc, m := exportedDir(t)
			object := tc.damage(t, loc, m)
			dst := openStore(t)
			res, err := Import(ctx, dst, loc, ImportOptions{Source: string(loc)})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, filepath.FromSlash(object)) || strings.Contains(msg, "\n") || !strings.Contains(msg, "; ") {
				t.Errorf("error %q: want one line naming %s, saying %q, with a fix", msg, object, tc.want)
			}
			// Nothing of the failed file, and no coverage, got in: only the
			// whole partitions before it.
			snap := takeSnapshot(t, dst)
			if snap.Records != res.Rows || len(snap.Coverage) != 0 {
				t.Errorf("cache holds %d records and %d coverage spans after a failed import of %d whole rows", snap.Records, len(snap.Coverage), res.Rows)
			}
		})
	}
}

func TestExportRefusesAForeignLocation(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	_, err := Export(context.Background(), demoStore(t), Dir(dir), ExportOptions{})
	if err == nil || !strings.Contains(err.Error(), "notes.txt") || !strings.Contains(err.Error(), "not a spotscope archive") {
		t.Fatalf("got %v", err)
	}
	if keys, _ := Dir(dir).List(context.Background()); len(keys) != 1 {
		t.Errorf("export wrote into a foreign location: %v", keys)
	}
}
