//go:build !unix

package retrieval

import (
	"os"
	"time"
)

// lockFile does nothing where flock is not had: orphaned goes by age.
func lockFile(*os.File) error { return nil }

// orphaned reports whether a temp file is older than any write takes.
func orphaned(path string) bool {
	st, err := os.Stat(path)
	return err == nil && time.Since(st.ModTime()) > time.Hour
}
