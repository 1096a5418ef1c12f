//go:build unix

package retrieval

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on a temp file being written; it lasts
// until the file is closed or its process dies.
func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// orphaned reports whether no live process holds the temp file's lock.
func orphaned(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
