package mcpserver

import (
	"context"
	"encoding/json"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/spotscope/spotscope/docs"
)

// Resource URIs.
const (
	CacheURI           = "spotscope://cache/summary"
	StatisticsURI      = "spotscope://docs/statistics.md"
	RecommendationsURI = "spotscope://docs/recommendations.md"
)

func (s *server) addResources(ms *mcp.Server) {
	ms.AddResource(&mcp.Resource{URI: CacheURI, Name: "cache-summary", MIMEType: "application/json",
		Description: "What the cache holds: regions, pools, records, covered time, last fetch, advisor and price-list provenance (the regions tool's answer)."},
		func(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
			sum, err := s.summary(ctx)
			if err != nil {
				return nil, err
			}
			b, err := json.MarshalIndent(sum, "", "  ")
			if err != nil {
				return nil, err
			}
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: CacheURI, MIMEType: "application/json", Text: string(b)}}}, nil
		})
	for _, d := range []struct{ uri, name, desc, text string }{
		{StatisticsURI, "statistics", "The definitions of every statistic spotscope computes (twap, cv, p95, changes_per_day, coverage...).", docs.Statistics},
		{RecommendationsURI, "recommendations", "How recommend ranks pools: the expected-cost model, penalties, diversification and rules for missing data.", docs.Recommendations},
	} {
		ms.AddResource(&mcp.Resource{URI: d.uri, Name: d.name, MIMEType: "text/markdown", Description: d.desc},
			func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
				return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: d.uri, MIMEType: "text/markdown", Text: d.text}}}, nil
			})
	}
}
