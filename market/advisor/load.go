package advisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultURL is where AWS publishes the advisor file (no credentials).
const DefaultURL = "https://spot-bid-advisor.s3.amazonaws.com/spot-advisor-data.json"

// DefaultMaxAge is how long a cached copy is used without asking AWS; the
// file changes at most a few times a day and describes a trailing month.
const DefaultMaxAge = 24 * time.Hour

// fetchTimeout bounds the live fetch: a slow network must not hold up the
// UI when a cached or embedded copy can answer.
const fetchTimeout = 15 * time.Second

// maxBody caps the download; the real file is about 1 MB.
const maxBody = 32 << 20

// DocStore keeps raw documents with the time they were fetched; *cache.Store
// satisfies it.
type DocStore interface {
	PutDoc(ctx context.Context, key string, data []byte, at time.Time) error
	Doc(ctx context.Context, key string) (data []byte, at time.Time, ok bool, err error)
}

// Source configures Load. The zero value fetches DefaultURL with
// http.DefaultClient and no cache.
type Source struct {
	URL        string       // default DefaultURL; the CLI passes $SPOTSCOPE_ADVISOR_URL
	HTTPClient *http.Client // default http.DefaultClient
	Store      DocStore     // nil: no cache
	MaxAge     time.Duration
	Offline    bool             // never fetch: cache (any age), then embedded
	Now        func() time.Time // default time.Now
	Timeout    time.Duration    // live fetch timeout; default 15 s
}

// CacheKey is the DocStore key for a URL: a different URL is a different
// document, so an override never shadows the real file's cache.
func CacheKey(rawURL string) string { return "advisor:" + rawURL }

// Load returns the freshest advisor data it can get, in this order: a cached
// copy younger than MaxAge; a live fetch (stored in the cache); a stale
// cached copy; the embedded snapshot. It fails only when ctx is done, so the
// caller always has data and a Provenance that says which it is.
func Load(ctx context.Context, src Source) (*Data, Provenance, error) {
	if src.URL == "" {
		src.URL = DefaultURL
	}
	if src.MaxAge <= 0 {
		src.MaxAge = DefaultMaxAge
	}
	if src.Now == nil {
		src.Now = time.Now
	}
	if src.Timeout <= 0 {
		src.Timeout = fetchTimeout
	}
	if src.HTTPClient == nil {
		src.HTTPClient = http.DefaultClient
	}
	now := src.Now()
	shown := redact(src.URL)
	key := CacheKey(src.URL)

	var (
		stale   *Data
		staleAt time.Time
		notes   []string
	)
	if src.Store != nil {
		raw, at, ok, err := src.Store.Doc(ctx, key)
		switch {
		case err != nil:
			notes = append(notes, "cache read failed: "+err.Error())
		case ok:
			d, perr := Parse(raw)
			if perr != nil {
				notes = append(notes, "cached copy unreadable: "+perr.Error())
				break
			}
			if now.Sub(at) < src.MaxAge && !at.After(now.Add(time.Minute)) {
				return d, Provenance{Mode: ModeCached, AsOf: at, Source: shown, Age: now.Sub(at)}, nil
			}
			stale, staleAt = d, at
		}
	}

	if !src.Offline {
		raw, err := fetch(ctx, src)
		if err == nil {
			d, perr := Parse(raw)
			if perr == nil {
				if src.Store != nil {
					if err := src.Store.PutDoc(ctx, key, raw, now); err != nil {
						notes = append(notes, "cache write failed: "+err.Error())
					}
				}
				return d, Provenance{Mode: ModeLive, AsOf: now, Source: shown, Note: join(notes)}, nil
			}
			err = perr
		}
		if ctx.Err() != nil {
			return nil, Provenance{}, ctx.Err()
		}
		notes = append(notes, "live fetch failed: "+err.Error())
	} else {
		notes = append(notes, "offline")
	}

	if stale != nil {
		return stale, Provenance{Mode: ModeCached, AsOf: staleAt, Source: shown, Age: now.Sub(staleAt), Stale: true, Note: join(notes)}, nil
	}
	p := EmbeddedProvenance(now)
	p.Note = join(notes)
	return Embedded(), p, nil
}

func fetch(ctx context.Context, src Source) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, src.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("bad URL %s", redact(src.URL))
	}
	resp, err := src.HTTPClient.Do(req)
	if err != nil {
		return nil, scrub(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", redact(src.URL), resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, scrub(err)
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("%s: body larger than %d bytes", redact(src.URL), maxBody)
	}
	return b, nil
}

// redact drops user info and query from a URL before it is shown: an
// override URL may carry a presigned token or a password.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

// scrub rewrites a *url.Error so its message carries the redacted URL.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, redact(ue.URL), ue.Err)
	}
	return err
}

func join(notes []string) string { return strings.Join(notes, "; ") }
