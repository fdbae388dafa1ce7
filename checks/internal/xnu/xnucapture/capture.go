// Package xnucapture holds routing-socket messages captured on real Macs
// and published in bug reports, for the tests of every parser that reads
// them (the OS layer's RIB parser and the watcher's notification parser).
// Each names where its bytes come from. Only tests import it.
package xnucapture

import (
	"encoding/hex"
	"strings"
)

// DelMaddr is the 50-byte RTM_DELMADDR Tailscale read from a Mac's routing
// socket (tailscale/tailscale#1416, golang/go#44740): its last sockaddr_dl
// (14 bytes) is not padded to 4, and x/net's ParseRIB refused it with
// "message too short".
func DelMaddr() []byte {
	return decode(`32 00 05 10 30 00 00 00 00 00 00 00 04 00 00 00 14 12 04 00 06 03 06 00
	65 6e 30 ac 87 a3 19 7f 82 00 00 00 0e 12 00 00 00 00 06 00 91 e0 f0 01 00 00`)
}

// UtunAdd is the 136-byte RTM_ADD `route monitor` showed for a route to
// 100.113.0.0/16 through utun4319 (golang/net PR 220, which became x/net
// commit 3c333c0c; its sockaddrs are also in x/net's
// route/address_darwin_test.go): the /16 mask is the truncated
// "06 02 00 00 ff ff".
func UtunAdd() []byte {
	return decode(`88 00 05 01 00 00 00 00 41 08 00 00 07 00 00 00 92 7b 00 00 01 00 00 00
	00 00 00 00 00 00 00 00 00 00 00 00
	00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	10 02 00 00 64 71 00 00 00 00 00 00 00 00 00 00
	14 12 21 00 01 08 00 00 75 74 75 6e 34 33 31 39 00 00 00 00
	06 02 00 00 ff ff 00 00`)
}

// Decode turns a hex dump (any whitespace) into bytes; it panics on a
// malformed dump, which is a bug in the test that wrote it.
func Decode(s string) []byte { return decode(s) }

func decode(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic("xnucapture: " + err.Error())
	}
	return b
}
