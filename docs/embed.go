// Package docs embeds the documents that define spotscope's numbers, so the
// MCP server can hand an agent the same definitions a user reads.
package docs

import _ "embed"

// Statistics is docs/statistics.md: what every statistic means.
//
//go:embed statistics.md
var Statistics string

// Recommendations is docs/recommendations.md: how recommend ranks pools.
//
//go:embed recommendations.md
var Recommendations string
