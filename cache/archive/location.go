package archive

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Location is where an archive lives: a local directory or an S3 prefix.
// Keys are slash-separated and relative to the location's root. Get
// returns an error wrapping fs.ErrNotExist for a missing key. Put must be
// atomic per key: a reader sees the old object or the new one, never a
// part (a rename locally, a single PUT or a completed multipart upload on
// S3).
type Location interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, data []byte) error
	List(ctx context.Context) ([]string, error)
	Delete(ctx context.Context, keys []string) error
	// URL names key for messages: a path or an s3:// URL.
	URL(key string) string
}

// IsS3 reports whether loc is an s3:// URL rather than a directory.
func IsS3(loc string) bool { return strings.HasPrefix(loc, "s3://") }

// ParseS3 splits s3://bucket/prefix into the bucket and the prefix, which
// is empty or ends in a slash.
func ParseS3(loc string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(loc, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3:// URL", loc)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q has no bucket: want s3://BUCKET/PREFIX", loc)
	}
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return bucket, prefix, nil
}

// Dir is a Location on the local file system.
type Dir string

func (d Dir) file(key string) string { return filepath.Join(string(d), filepath.FromSlash(key)) }

func (d Dir) URL(key string) string { return d.file(key) }

func (d Dir) Get(ctx context.Context, key string) ([]byte, error) {
	return os.ReadFile(d.file(key))
}

// Put writes a temporary file beside the target and renames it into place.
func (d Dir) Put(ctx context.Context, key string, data []byte) error {
	name := d.file(key)
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// List returns every regular file's key, sorted; a missing directory is an
// empty location.
func (d Dir) List(ctx context.Context) ([]string, error) {
	var keys []string
	err := filepath.WalkDir(string(d), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.Type().IsRegular() {
			rel, err := filepath.Rel(string(d), p)
			if err != nil {
				return err
			}
			keys = append(keys, filepath.ToSlash(rel))
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	sort.Strings(keys)
	return keys, err
}

// Delete removes keys and then the partition directories left empty.
func (d Dir) Delete(ctx context.Context, keys []string) error {
	for _, k := range keys {
		if err := os.Remove(d.file(k)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		for dir := path.Dir(k); dir != "." && dir != "/"; dir = path.Dir(dir) {
			if os.Remove(d.file(dir)) != nil {
				break // not empty
			}
		}
	}
	return nil
}
