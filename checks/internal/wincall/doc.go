// Package wincall calls Windows API functions that return their error
// code (NETIO_STATUS or a DWORD) instead of setting the thread's last
// error. It is its own package because the OS layer (checks/internal/sys)
// and the readers beside it (checks/internal/firewall's WFP filters,
// checks/internal/wireguard's WireGuard-NT ioctls) all make such calls,
// and none of them may import another.
package wincall
