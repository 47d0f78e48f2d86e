// Package memdocs is an in-memory document store with the cache's
// PutDoc/Doc methods, for tests of the packages that cache what they fetch.
package memdocs

import (
	"context"
	"sync"
	"time"
)

// Store keeps documents in memory; the zero value is ready to use.
type Store struct {
	// Fail, when set, is returned by every call: a cache that broke.
	Fail error

	mu   sync.Mutex
	docs map[string]doc
}

type doc struct {
	data []byte
	at   time.Time
}

// PutDoc stores a copy of data under key.
func (s *Store) PutDoc(_ context.Context, key string, data []byte, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return s.Fail
	}
	if s.docs == nil {
		s.docs = map[string]doc{}
	}
	s.docs[key] = doc{append([]byte(nil), data...), at}
	return nil
}

// Doc returns the document under key and when it was stored.
func (s *Store) Doc(_ context.Context, key string) ([]byte, time.Time, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return nil, time.Time{}, false, s.Fail
	}
	d, ok := s.docs[key]
	return d.data, d.at, ok, nil
}
