package advisor_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market/advisor"
)

// TestLoadWithCacheStore runs Load over the real SQLite store: the second
// load within MaxAge must come from the cache without a request.
func TestLoadWithCacheStore(t *testing.T) {
	body, err := os.ReadFile("data/spot-advisor-data_2025-06.json")
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		_, _ = w.Write(body)
	}))
	defer ts.Close()
	ctx := context.Background()
	st, err := cache.OpenFile(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fetched := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	now := fetched
	src := advisor.Source{URL: ts.URL, HTTPClient: ts.Client(), Store: st, Now: func() time.Time { return now }}
	for i, want := range []string{advisor.ModeLive, advisor.ModeCached} {
		d, p, err := advisor.Load(ctx, src)
		if err != nil || p.Mode != want || !p.AsOf.Equal(fetched) {
			t.Fatalf("load %d: %+v %v", i, p, err)
		}
		if !d.Lookup("sa-east-1", "Linux", "m5.large").Known {
			t.Fatalf("load %d: no m5.large", i)
		}
		now = now.Add(time.Hour)
	}
	if hits != 1 {
		t.Errorf("%d fetches, want 1", hits)
	}
}
