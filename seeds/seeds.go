// Package seeds holds the default corpus: the occupational standards built
// into the binary. It only embeds the files; package retrieval knows their
// formats.
//
// network-engineer-ST0127.txt is the Network engineer page (the page format);
// standards.jsonl.gz is the national catalogue snapshot of 839 standards (the
// catalogue format, gzip-compressed to keep the binary small). Both are Crown
// copyright, reused under the Open Government Licence v3.0.
package seeds

import "embed"

// FS is the built-in corpus. Files at its root are the seed documents.
//
//go:embed network-engineer-ST0127.txt standards.jsonl.gz
var FS embed.FS
