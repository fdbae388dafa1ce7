package probe

import (
	"net"
	"testing"
)

// acceptingPort listens on a loopback port that accepts and closes every
// connection until the test ends (the network rule: loopback only).
func acceptingPort(t *testing.T) uint16 {
	t.Helper()
	return serveOnce(t, func(net.Conn) {}).Port()
}

// freePort is a loopback port nothing listens on (connects are refused).
func freePort(t *testing.T) uint16 {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	return port
}
