package sys

import (
	"reflect"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/internal/xnu"
)

// TestDarwinKctlHolders picks utun4's holders (unit 5) out of the
// kernel-control sockets: the delegated app first, then the last user,
// never another unit's or another control's.
func TestDarwinKctlHolders(t *testing.T) {
	pcbs := []xnu.KctlPCB{
		{Control: "com.apple.network.statistics", Unit: 5, LastPID: 11},
		{Control: xnu.UtunControl, Unit: 4, LastPID: 22}, // utun3
		{Control: xnu.UtunControl, Unit: 5, LastPID: 812, EPID: 640},
		{Control: xnu.UtunControl, Unit: 5, LastPID: 812},
		{Control: xnu.IpsecControl, Unit: 5, LastPID: 33}, // ipsec4
	}
	for _, tt := range []struct {
		iface string
		want  []int
		err   string
	}{
		{"utun4", []int{640, 812}, ""},
		{"utun3", []int{22}, ""},
		{"ipsec4", []int{33}, ""},
		{"utun9", nil, "no socket of com.apple.net.utun_control unit 10"},
		{"tun0", nil, "not a utun or ipsec device"},
	} {
		got, err := darwinKctlHolders(pcbs, tt.iface)
		if !reflect.DeepEqual(got, tt.want) || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: %v, %v; want %v, %q", tt.iface, got, err, tt.want, tt.err)
		}
	}
	if _, err := darwinKctlHolders([]xnu.KctlPCB{{Control: xnu.UtunControl, Unit: 1}}, "utun0"); err == nil || !strings.Contains(err.Error(), "names no process") {
		t.Errorf("socket without pids: %v", err)
	}
}
