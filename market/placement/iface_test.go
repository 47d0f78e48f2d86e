package placement_test

import (
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market/placement"
)

var (
	_ placement.DocStore = (*cache.Store)(nil)
	_ placement.API      = (*ec2.Client)(nil)
)
