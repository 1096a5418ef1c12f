// Package seeds holds the default corpus: the occupational standards built
// into the binary. It only embeds the files; package retrieval knows their
// formats.
//
// network-engineer-ST0127.txt is the Network engineer page (the page format);
// standards.jsonl.gz is the national catalogue snapshot of 839 standards (the
// catalogue format, gzip-compressed to keep the binary small). Both are Crown
// copyright, reused under the Open Government Licence v3.0.
//
// The fact tables are joined to the standards: facts.jsonl.gz (duration,
// funding band, professional recognition, regulation, integrated degree and
// the 2023 entry texts, per standard), soc.jsonl.gz (each standard's SOC 2020
// unit group from Skills England's occupational maps) and
// ashe-2024-provisional-soc2020-median.csv (ONS ASHE 2024 provisional median
// pay by unit group). FACTS.md gives their sources, commits, dates, licence
// (Open Government Licence v3.0; credit ONS for the pay figures) and
// caveats.
package seeds

import "embed"

// FS is the built-in corpus. Files at its root are the seed documents and
// the fact tables.
//
//go:embed network-engineer-ST0127.txt standards.jsonl.gz facts.jsonl.gz soc.jsonl.gz ashe-2024-provisional-soc2020-median.csv
var FS embed.FS
