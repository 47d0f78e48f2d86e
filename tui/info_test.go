package tui

import (
	"context"
	"strings"
	"testing"
	"time"
)

// pendingBackend starts with a Pending Info and delivers the full one from
// WaitInfo, as the cache backend does.
type pendingBackend struct {
	*fakeBackend
	full Info
}

func (b pendingBackend) WaitInfo(context.Context) Info { return b.full }

func TestPendingInfoArrivesAfterTheFirstFrame(t *testing.T) {
	fb := newFakeBackend(30, 0)
	full := fb.info
	fb.info.Pending, fb.info.PricesAsOf, fb.info.DataFrom = true, time.Time{}, time.Time{}
	b := pendingBackend{fb, full}
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true, Window: 0})
	m = send(t, m, sizeMsg(140, 40))
	if h := m.headerLine(); !strings.Contains(h, "prices …") {
		t.Fatalf("pending header %q", h)
	}
	m, _ = run(t, m, m.Init())
	if m.info.Pending || !strings.Contains(m.headerLine(), "prices 2024-03-01 12:00Z") {
		t.Fatalf("after WaitInfo: pending %v header %q", m.info.Pending, m.headerLine())
	}
	if len(m.rows) == 0 {
		t.Fatal("no rows")
	}

	// on the "all" window the data's range bounds the query: it is asked again
	// once the range is known
	fb.info.Window = 0
	m = New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m.windowIdx = len(windows) - 1
	m = send(t, m, sizeMsg(140, 40))
	n := len(fb.queries)
	m, _ = run(t, m, m.Init())
	last := fb.queries[len(fb.queries)-1]
	if len(fb.queries) != n+2 || last.WindowStart().After(full.DataFrom) {
		t.Fatalf("%d queries after Init (want 2); last starts %v, data from %v", len(fb.queries)-n, last.WindowStart(), full.DataFrom)
	}
}
