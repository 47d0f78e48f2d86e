package ondemand_test

import (
	"context"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/ondemand"
)

// The CLI wires these concrete types into a Client.
var (
	_ ondemand.DocStore      = (*cache.Store)(nil)
	_ ondemand.SavingsSource = (*advisor.Data)(nil)
	_                        = func(st *cache.Store) ondemand.SpotFunc {
		return func(ctx context.Context, region string) ([]market.PoolPrice, error) {
			return st.Latest(ctx, cache.Filter{Regions: []string{region}, Products: []string{market.LinuxUNIX}})
		}
	}
)
