package awsapi

import (
	"context"
	"fmt"

	"github.com/spotscope/spotscope/market"
)

// MaxBatch bounds the records one store write takes.
const MaxBatch = 20_000

// writeReq is one page waiting to be stored.
type writeReq struct {
	recs []market.Record
	done chan error
}

// batchWriter stores pages for a region's workers, merging the pages that
// arrive while a write is under way into the next one. A page touches up
// to a thousand pools, and the cache rewrites a chunk per pool it touches,
// so a write of ten pages costs little more than a write of one: when the
// store is the bottleneck the batches grow, when it is not each page is
// written alone. A worker records its page's coverage only after the
// write that holds it has returned, so coverage never claims a record the
// store does not have.
type batchWriter struct {
	store Store
	reqs  chan writeReq
	added func(int)
}

func newBatchWriter(store Store, added func(int)) *batchWriter {
	return &batchWriter{store: store, reqs: make(chan writeReq), added: added}
}

// run writes until ctx is done. The writes themselves are not cancelled
// with ctx: what AWS has sent is kept, as Ctrl-C promises.
func (w *batchWriter) run(ctx context.Context) {
	wctx := context.WithoutCancel(ctx)
	for {
		var first writeReq
		select {
		case first = <-w.reqs:
		case <-ctx.Done():
			return
		}
		batch, recs := []writeReq{first}, first.recs
	more:
		for len(recs) < MaxBatch {
			select {
			case q := <-w.reqs:
				batch = append(batch, q)
				recs = append(recs, q.recs...)
			default:
				break more
			}
		}
		n, err := w.store.AddRecords(wctx, recs)
		if err != nil {
			err = fmt.Errorf("storing records: %w", err)
		} else {
			w.added(n)
		}
		for _, q := range batch {
			q.done <- err
		}
	}
}

// write stores recs and returns once they are stored.
func (w *batchWriter) write(ctx context.Context, recs []market.Record) error {
	q := writeReq{recs: recs, done: make(chan error, 1)}
	select {
	case w.reqs <- q:
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-q.done
}
