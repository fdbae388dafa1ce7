// Package conffile reads the system's small text files (resolv.conf, the
// hosts file) with bounds: how much of a file is read, and how much of a
// line is looked at. A huge file or one enormous line then costs a bounded
// time and memory and never hides the lines that follow it.
package conffile

import (
	"bytes"
	"io"
	"os"
)

// MaxLine is how much of one line is looked at: far more than any address
// and names a resolver reads from it.
const MaxLine = 64 << 10

// Read returns at most max+1 bytes of the file at path: a result longer
// than max says the file goes on beyond what was read.
func Read(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, max+1))
}

// Lines calls fn with each line of data (numbered from 1, without its
// newline), cut to MaxLine bytes. A line that was cut loses its last,
// partial field too, so a name split at the cut is never read as another.
func Lines(data []byte, fn func(n int, line string)) {
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(line) > MaxLine {
			line = line[:MaxLine]
			if i := bytes.LastIndexAny(line, " \t"); i >= 0 {
				line = line[:i]
			} else {
				line = nil
			}
		}
		fn(n, string(bytes.TrimSuffix(line, []byte("\r"))))
	}
}
