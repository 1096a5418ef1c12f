package retrieval

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// tmpPrefix starts the name of every file written atomically, until its
// rename: a process killed mid-write (an import, an index save) leaves one.
const tmpPrefix = ".tmp-"

// RemoveOrphans removes what a killed import or index write left in
// dataDir: temp files no live writer holds. A writer holds an exclusive
// lock on its temp file from creation to rename (lockFile), and the lock
// dies with its process, so a file whose lock can be taken is an orphan,
// however young; one held is left to its writer (another careersbot
// process). It logs what it removed and never fails: a data dir that
// cannot be read or written is reported where it is used.
func RemoveOrphans(dataDir string, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasPrefix(e.Name(), tmpPrefix) {
			continue
		}
		path := filepath.Join(dataDir, e.Name())
		if !orphaned(path) {
			continue
		}
		if err := os.Remove(path); err != nil {
			log.Warn("could not remove a temp file left by a killed write", "file", path, "error", err.Error())
			continue
		}
		log.Info("removed a temp file left by a killed write", "file", path)
	}
}
