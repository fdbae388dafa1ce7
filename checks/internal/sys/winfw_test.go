package sys

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netguard/netguard/checks/netstate"
)

// TestWindowsFirewallChain parses rules as the Windows Firewall policy
// store holds them (values written by New-NetFirewallRule and wf.msc).
func TestWindowsFirewallChain(t *testing.T) {
	values := map[string]string{
		"{A1}": "v2.30|Action=Block|Active=TRUE|Dir=Out|Protocol=6|RPort=443|Name=Block HTTPS|Desc=test|",
		"{A2}": "v2.30|Action=Block|Active=TRUE|Dir=Out|Protocol=17|RPort=53|RA4=10.0.0.0/255.0.0.0|RA4=192.0.2.7|Name=No DNS out|",
		"{A3}": "v2.30|Action=Block|Active=TRUE|Dir=Out|App=C:\\Program Files\\Git\\bin\\git.exe|Name=No git|",
		"{A4}": "v2.30|Action=Block|Active=TRUE|Dir=Out|Profile=Public|Protocol=6|RPort=80|Name=Public only|",
		"{B1}": "v2.30|Action=Allow|Active=TRUE|Dir=Out|Protocol=6|RPort=443|Name=Allowed|",
		"{B2}": "v2.30|Action=Block|Active=FALSE|Dir=Out|Protocol=6|RPort=443|Name=Disabled|",
		"{B3}": "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=443|Name=Inbound|",
		"{B4}": "garbage",
		"{A5}": "v2.30|Action=Block|Active=TRUE|Dir=Out|Protocol=6|RPort=RPC|Name=Keyword port|",
	}
	got := windowsFirewallChain(values)
	want := netstate.FWChain{Table: WindowsFirewallTable, Name: "outbound", Hook: "output", Policy: netstate.FWAccept, Rules: []netstate.FWRule{
		{Verdict: netstate.FWDrop, Text: `"Block HTTPS": block out tcp port 443`, Match: []netstate.FWMatch{
			{Field: netstate.FWL4Proto, Protos: []uint8{6}},
			{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 443, Hi: 443}}},
		}},
		{Verdict: netstate.FWDrop, Opaque: true, Text: `"Keyword port": block out tcp (and conditions not modelled)`, Match: []netstate.FWMatch{
			{Field: netstate.FWL4Proto, Protos: []uint8{6}},
		}},
		{Verdict: netstate.FWDrop, Text: `"No DNS out": block out udp port 53 to 10.0.0.0/8, to 192.0.2.7/32`, Match: []netstate.FWMatch{
			{Field: netstate.FWL4Proto, Protos: []uint8{17}},
			{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 53, Hi: 53}}},
			{Field: netstate.FWDAddr, Prefixes: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}},
		}},
		{Verdict: netstate.FWDrop, Opaque: true, Text: `"No git": block out (and conditions not modelled)`},
		{Verdict: netstate.FWDrop, Opaque: true, Text: `"Public only": block out tcp port 80 (and conditions not modelled)`, Match: []netstate.FWMatch{
			{Field: netstate.FWL4Proto, Protos: []uint8{6}},
			{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 80, Hi: 80}}},
		}},
	}}
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
		t.Errorf("chain (-want +got):\n%s", d)
	}
}
