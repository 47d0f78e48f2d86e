package doctor

import (
	"context"
	"fmt"
)

// ArchiveActions are the S3 actions `spotscope export` and `import` call
// on an archive prefix. AbortMultipartUpload is granted so a failed upload
// leaves no parts behind; it cannot be probed without starting one, so
// doctor checks the first four.
var ArchiveActions = []string{"s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}

// ArchiveAccess is the outcome of trying one action on the archive.
type ArchiveAccess struct {
	Action string // an S3 action, or "write" for a local directory
	Err    error  // nil when allowed; its text names the object and the fix
}

// ArchiveProbe tries the archive's actions the way export and import call
// them. The cmd layer builds it from cache/archive, which keeps this
// package free of the S3 client.
type ArchiveProbe func(ctx context.Context) []ArchiveAccess

// CheckArchive is the name prefix of the archive checks.
const CheckArchive = "archive"

// checkArchive turns the probe's answers into one check per action.
func checkArchive(ctx context.Context, d Deps) []Check {
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	var checks []Check
	for _, a := range d.ArchiveProbe(ctx) {
		c := Check{Name: CheckArchive + " " + a.Action, Status: StatusOK, Detail: "allowed on " + d.Archive}
		if a.Err != nil {
			c.Status, c.Detail = StatusFail, a.Err.Error()
			c.Fix = fmt.Sprintf("allow %s on the archive's bucket and prefix; the policy is docs/iam-policy.json (%s)", a.Action, PolicyURL)
			if a.Action == "write" {
				c.Fix = "create the directory, or choose one you can write (--archive or SPOTSCOPE_ARCHIVE)"
			}
		}
		checks = append(checks, c)
	}
	return checks
}
