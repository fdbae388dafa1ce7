package sys

import "strings"

// nssLocalhostModule finds, in nsswitch.conf text, a module of the hosts
// line that answers localhost by itself.
func nssLocalhostModule(data []byte) string {
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fs := strings.Fields(line)
		if len(fs) == 0 || fs[0] != "hosts:" {
			continue
		}
		for _, m := range fs[1:] {
			if m == "myhostname" || m == "resolve" {
				return m
			}
		}
	}
	return ""
}
