//go:build !linux && !darwin && !windows

package atomicfile

import "errors"

// renameNoReplace: no create-only rename here; publishNew takes the next
// way.
func renameNoReplace(string, string) error { return errors.ErrUnsupported }
