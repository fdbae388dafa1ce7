package firewall

import (
	"net/netip"
	"slices"
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
	got, ok := windowsFirewallChain(windowsFirewallInput{Local: values, Profiles: windowsFWProfiles(nil, nil)})
	if !ok {
		t.Fatal("firewall judged off with no settings: Windows' default is on")
	}
	want := netstate.FWChain{Table: WindowsFirewallTable, Name: "outbound, Domain or Private or Public profile", Hook: "output", Policy: netstate.FWAccept, Rules: []netstate.FWRule{
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
		{Verdict: netstate.FWAccept, Text: `"Allowed": allow out tcp port 443`, Match: []netstate.FWMatch{
			{Field: netstate.FWL4Proto, Protos: []uint8{6}},
			{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 443, Hi: 443}}},
		}},
	}}
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
		t.Errorf("chain (-want +got):\n%s", d)
	}
}

// TestWindowsFirewallProfiles pins which profile's default outbound action
// and rules are judged: Group Policy over the local store, the one
// candidate profile when the known networks are all of one category, the
// strictest (and said to be assumed) when they differ.
func TestWindowsFirewallProfiles(t *testing.T) {
	const (
		allow443     = "v2.31|Action=Allow|Active=TRUE|Dir=Out|Protocol=6|RPort=443|Name=HTTPS out|"
		allowDNSPriv = "v2.31|Action=Allow|Active=TRUE|Dir=Out|Protocol=17|RPort=53|Profile=Private|Name=DNS at home|"
		allowGit     = "v2.31|Action=Allow|Active=TRUE|Dir=Out|App=%ProgramFiles%\\Git\\mingw64\\bin\\git.exe|Name=git|"
	)
	blockPublic := map[string]map[string]uint64{"PublicProfile": {"EnableFirewall": 1, "DefaultOutboundAction": 1}}
	tcp443 := []netstate.FWMatch{
		{Field: netstate.FWL4Proto, Protos: []uint8{6}},
		{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 443, Hi: 443}}},
	}
	udp53 := []netstate.FWMatch{
		{Field: netstate.FWL4Proto, Protos: []uint8{17}},
		{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 53, Hi: 53}}},
	}
	for _, tc := range []struct {
		name          string
		local, policy map[string]map[string]uint64
		categories    []uint64
		rules         map[string]string
		policyRules   map[string]string
		off           bool
		want          netstate.FWChain
	}{{
		name:       "public network, default block, allow rules of the public profile only",
		local:      blockPublic,
		categories: []uint64{0, 0},
		rules:      map[string]string{"{1}": allow443, "{2}": allowDNSPriv},
		want: netstate.FWChain{Name: "outbound, Public profile", Policy: netstate.FWDrop, Rules: []netstate.FWRule{
			{Verdict: netstate.FWAccept, Text: `"HTTPS out": allow out tcp port 443`, Match: tcp443},
		}},
	}, {
		name:       "private network: its own rule counts, the default is allow",
		local:      blockPublic,
		categories: []uint64{1},
		rules:      map[string]string{"{1}": allow443, "{2}": allowDNSPriv},
		want: netstate.FWChain{Name: "outbound, Private profile", Policy: netstate.FWAccept, Rules: []netstate.FWRule{
			{Verdict: netstate.FWAccept, Text: `"DNS at home": allow out udp port 53`, Match: udp53},
			{Verdict: netstate.FWAccept, Text: `"HTTPS out": allow out tcp port 443`, Match: tcp443},
		}},
	}, {
		name:       "public and private known: the strictest is judged, a private-only rule may apply",
		local:      blockPublic,
		categories: []uint64{1, 0},
		rules:      map[string]string{"{1}": allow443, "{2}": allowDNSPriv, "{3}": allowGit},
		want: netstate.FWChain{Name: "outbound, Public profile (assumed: the strictest of Private, Public; which one is active is not read)", Policy: netstate.FWDrop, Assumed: true, Rules: []netstate.FWRule{
			{Verdict: netstate.FWAccept, Opaque: true, Text: `"DNS at home": allow out udp port 53 (and conditions not modelled)`, Match: udp53},
			{Verdict: netstate.FWAccept, Text: `"HTTPS out": allow out tcp port 443`, Match: tcp443},
			{Verdict: netstate.FWAccept, Opaque: true, Text: `"git": allow out (and conditions not modelled)`},
		}},
	}, {
		name:        "Group Policy blocks and does not merge local rules",
		local:       map[string]map[string]uint64{"PublicProfile": {"DefaultOutboundAction": 0}},
		policy:      map[string]map[string]uint64{"PublicProfile": {"DefaultOutboundAction": 1, "AllowLocalPolicyMerge": 0}},
		categories:  []uint64{0},
		rules:       map[string]string{"{1}": allow443},
		policyRules: map[string]string{"{9}": allowDNSPriv},
		want:        netstate.FWChain{Name: "outbound, Public profile", Policy: netstate.FWDrop},
	}, {
		name:       "firewall off in the active profile",
		local:      map[string]map[string]uint64{"StandardProfile": {"EnableFirewall": 0, "DefaultOutboundAction": 1}},
		categories: []uint64{1},
		rules:      map[string]string{"{1}": allow443},
		off:        true,
	}, {
		name:       "Group Policy turns the firewall on over the local store",
		local:      map[string]map[string]uint64{"StandardProfile": {"EnableFirewall": 0}},
		policy:     map[string]map[string]uint64{"PrivateProfile": {"EnableFirewall": 1, "DefaultOutboundAction": 1}},
		categories: []uint64{1},
		want:       netstate.FWChain{Name: "outbound, Private profile", Policy: netstate.FWDrop},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			in := windowsFirewallInput{
				Local: tc.rules, Policy: tc.policyRules,
				Profiles:   windowsFWProfiles(tc.local, tc.policy),
				Candidates: windowsCandidateProfiles(tc.categories),
			}
			got, ok := windowsFirewallChain(in)
			if ok == tc.off {
				t.Fatalf("ok = %v, want %v", ok, !tc.off)
			}
			if tc.off {
				return
			}
			tc.want.Table, tc.want.Hook = WindowsFirewallTable, "output"
			if d := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
				t.Errorf("chain (-want +got):\n%s", d)
			}
		})
	}
}

// TestWindowsGatewayProfile: the network behind the default route is the
// signature with the gateway's MAC; its profile's category is the one
// judged.
func TestWindowsGatewayProfile(t *testing.T) {
	home, cafe := []byte{0x02, 0, 0, 0, 0, 1}, []byte{0x02, 0, 0, 0, 0, 2}
	sigs := []windowsNetSignature{{ProfileGUID: "{AAAA}", GatewayMAC: home}, {ProfileGUID: "{BBBB}", GatewayMAC: cafe}, {ProfileGUID: "{CCCC}", GatewayMAC: cafe}}
	cats := map[string]uint64{"{aaaa}": 1, "{BBBB}": 0, "{CCCC}": 0}
	for _, tc := range []struct {
		name string
		mac  []byte
		cats map[string]uint64
		want []int
		ok   bool
	}{
		{"home network: private", home, cats, []int{winProfilePrivate}, true},
		{"two signatures of the cafe, both public", cafe, cats, []int{winProfilePublic}, true},
		{"signatures that disagree", cafe, map[string]uint64{"{BBBB}": 0, "{CCCC}": 1}, nil, false},
		{"an unknown gateway", []byte{0x02, 0, 0, 0, 0, 9}, cats, nil, false},
		{"no MAC", nil, cats, nil, false},
		{"an all-zero MAC", make([]byte, 6), cats, nil, false},
	} {
		got, ok := windowsGatewayProfile(sigs, tc.cats, tc.mac)
		if ok != tc.ok || (ok && !slices.Equal(got, tc.want)) {
			t.Errorf("%s: %v %v, want %v %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
