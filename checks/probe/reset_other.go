//go:build !windows

package probe

import "syscall"

// resetErrnos are the errnos of a connection the peer reset or aborted.
var resetErrnos = []error{syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE}
