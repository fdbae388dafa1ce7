package diagnose

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

func probeText(p netstate.ProbeResult) string {
	switch {
	case !p.Ran && p.Err != nil:
		return p.Kind.String() + " " + netstate.ErrText(p.Err)
	case !p.Ran:
		return p.Kind.String() + " not needed"
	case p.NoPermission:
		return p.Kind.String() + " not permitted"
	case p.Answered && p.Refused:
		return fmt.Sprintf("tcp/%d refused in %s", p.Target.Port(), ms(p.RTT))
	case p.Answered && p.Kind == netstate.ProbeTCP:
		return fmt.Sprintf("tcp/%d open in %s", p.Target.Port(), ms(p.RTT))
	case p.Answered:
		return "ping " + ms(p.RTT)
	case p.Cut:
		return p.Kind.String() + " no reply yet"
	}
	return p.Kind.String() + " " + netstate.ErrText(p.Err)
}

// targetText is what t's probes heard: "addr: ping ..., tcp/443 ...".
func targetText(t *netstate.TargetResult) string {
	return fmt.Sprintf("%s: %s, %s", t.Addr, probeText(t.ICMP), probeText(t.TCP))
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}

func dnsErrText(err error) string {
	if netstate.Classify(err) == netstate.ClassTimeout {
		return "timed out"
	}
	if netstate.Classify(err) == netstate.ClassRefused {
		return "connection refused"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

func addrsText(as []netip.Addr) string {
	if len(as) == 0 {
		return "no address"
	}
	var ss []string
	for i, a := range as {
		if i == 3 {
			ss = append(ss, "…")
			break
		}
		ss = append(ss, a.String())
	}
	return strings.Join(ss, " ")
}

func serverText(s netstate.DNSServerResult) string {
	if s.Answered {
		return s.Rcode + " " + ms(s.RTT)
	}
	return netstate.ErrText(s.Err)
}

func stateText(n *netstate.Neighbor) string {
	if n.Permanent {
		return "permanent"
	}
	return n.State.String()
}
