package workspace

import (
	"context"
	"fmt"

	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/market/ondemand"
	"github.com/spotscope/spotscope/market/placement"
	"github.com/spotscope/spotscope/market/session"
)

// RecommendSources builds the recommender's sources over this workspace:
// the cache, the advisor data, On-Demand prices (the Price List API when
// online, else labelled estimates) and, when placementRegion is set and AWS
// is reachable, placement scores for that region. The CLI, the TUI and the
// MCP server all recommend from it.
func (w *Workspace) RecommendSources(ctx context.Context, placementRegion string) *session.Session {
	adv, from := w.Advisor(ctx)
	s := &session.Session{Store: w.Store, Advice: adv, AdviceFrom: from, Now: w.Now}
	if w.Offline {
		if placementRegion != "" {
			fmt.Fprintln(w.Notes(), "spotscope: --placement-scores needs AWS; continuing without them (offline)")
		}
		return s
	}
	cfg, err := w.AWSConfig(ctx)
	if err != nil {
		return s
	}
	s.Prices = &ondemand.Client{API: ondemand.NewAPI(cfg), Store: w.Store}
	if placementRegion != "" {
		if api, ok := awsapi.NewClientFactory(cfg)(placementRegion).(placement.API); ok {
			s.WithPlacement(session.PlacementScores{Client: &placement.Client{API: api, Store: w.Store, Now: w.Now}})
		}
	}
	return s
}
