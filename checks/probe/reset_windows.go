package probe

import "syscall"

// resetErrnos are the errnos of a connection the peer reset or aborted:
// Winsock's own codes, which the syscall package's Unix names do not
// match on Windows.
var resetErrnos = []error{syscall.WSAECONNRESET, syscall.WSAECONNABORTED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE}
