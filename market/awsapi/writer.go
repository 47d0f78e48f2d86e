package awsapi

import (
	"context"
	"fmt"
	"sync"

	"github.com/spotscope/spotscope/market"
)

// MaxUnstored bounds the pages of a region asked for and not yet stored,
// requests in flight included: a fetch killed outright loses at most these,
// which a resume asks for again. The workers go on fetching while a write
// is under way, so consecutive pages of a piece meet in one write, and the
// bound holds them back when the store falls behind. Twelve requests in
// flight at 100 ms are 120 a second, six times EC2's refill, which
// leaves room for round trips slowed by a busy CPU.
const MaxUnstored = 12

// writeReq is one page waiting to be stored, and what to do once it is.
type writeReq struct {
	recs    []market.Record
	after   func(context.Context) error // records the page's coverage
	release func()                      // frees the page's place in MaxUnstored
}

// batchWriter stores the pages of a region's workers. A page of a thousand
// records newest first touches up to a thousand pools, and the cache
// rewrites a chunk per pool it touches, so a write of several pages of the
// same pieces costs little more than a write of one: when the store is
// the bottleneck, the backlog grows and so do the writes; when it is not,
// each page is written alone. A page's coverage is recorded only after the
// write that holds it has returned, so coverage never claims a record the
// store does not have.
type batchWriter struct {
	store Store
	reqs  chan writeReq
	added func(int)
	done  chan struct{}

	closeOnce sync.Once
	mu        sync.Mutex
	err       error
}

func newBatchWriter(store Store, added func(int)) *batchWriter {
	return &batchWriter{store: store, reqs: make(chan writeReq, MaxUnstored), added: added, done: make(chan struct{})}
}

// run writes until close is called and the backlog is written. The writes
// are not cancelled with ctx: what AWS has sent is kept, as Ctrl-C
// promises.
func (w *batchWriter) run(ctx context.Context) {
	defer close(w.done)
	ctx = context.WithoutCancel(ctx)
	for first := range w.reqs {
		batch, recs := []writeReq{first}, first.recs
	more:
		for len(batch) < MaxUnstored {
			select {
			case q, ok := <-w.reqs:
				if !ok {
					break more
				}
				batch = append(batch, q)
				recs = append(recs, q.recs...)
			default:
				break more
			}
		}
		w.store1(ctx, batch, recs)
		for _, q := range batch {
			q.release()
		}
	}
}

// store1 writes one batch and records its pages' coverage; after a failure
// it only drains, so that no worker blocks.
func (w *batchWriter) store1(ctx context.Context, batch []writeReq, recs []market.Record) {
	if w.failed() != nil {
		return
	}
	if len(recs) > 0 {
		n, err := w.store.AddRecords(ctx, recs)
		if err != nil {
			w.fail(fmt.Errorf("storing records: %w", err))
			return
		}
		w.added(n)
	}
	for _, q := range batch {
		if err := q.after(ctx); err != nil {
			w.fail(err)
			return
		}
	}
}

func (w *batchWriter) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

// failed returns the first error of a write or of recording coverage.
func (w *batchWriter) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// write queues a page; it blocks only while the backlog is full.
func (w *batchWriter) write(ctx context.Context, q writeReq) error {
	if err := w.failed(); err != nil {
		return err
	}
	select {
	case w.reqs <- q:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops taking pages and waits for the backlog to be written. It may
// be called again.
func (w *batchWriter) close() error {
	w.closeOnce.Do(func() { close(w.reqs) })
	<-w.done
	return w.failed()
}
