package diagnose

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// Resources is the resources check.
var Resources = &Check{
	ID: "resources", Chained: false, judge: (*diag).resources,
	Findings: []*Def{PortsExhausted, PortsHigh, FilesExhausted, FilesLimitLow, PortsRangeSmall},
}

// The findings of the resources check, in root-cause order.
var (
	PortsExhausted = &Def{
		ID: "ports-exhausted", Severity: SevError,
		Title:    "Ephemeral ports nearly exhausted",
		Text:     "{count} of the ephemeral ports are in use ({pct}%): {detail}",
		Optional: []Arg{ArgPID, ArgHolder},
		Manual: Steps{
			Linux:   []string{"kill {pid}  # the most are held by {holder}: restart it if it leaks connections", "ss -s", "ss -tanp state time-wait | head  # who holds them", "sudo sysctl -w net.ipv4.ip_local_port_range='15000 65000'  # widen the range if needed"},
			Darwin:  []string{"kill {pid}  # the most are held by {holder}: restart it if it leaks connections", "lsof -nP -iTCP | awk '{print $1, $2}' | sort | uniq -c | sort -rn | head  # who holds them", "sysctl net.inet.ip.portrange.first net.inet.ip.portrange.last", "sudo sysctl -w net.inet.ip.portrange.first=32768  # widen the range if needed"},
			Windows: []string{"Stop-Process -Id {pid}  # the most are held by {holder}: restart it if it leaks connections", "Get-NetTCPConnection | Group-Object -Property OwningProcess | Sort-Object -Property Count -Descending | Select-Object -First 5  # who holds them", "netsh int ipv4 show dynamicport tcp"},
		},
		Why: "With the ephemeral port range nearly used up, new outgoing connections fail with EADDRNOTAVAIL: builds and dev servers break in odd ways.",
		How: "A probe's connect failed with EADDRNOTAVAIL. The count shown is of local ports in the ephemeral range, TCP per remote endpoint (the kernel reuses a local port for other destinations) and UDP in all, against the range's size; the process holding most is named where the OS tells.",
	}

	PortsHigh = &Def{
		ID: "ports-high", Severity: SevWarning,
		Title: "Many ephemeral ports in use", Text: "{count} of the ephemeral ports are in use ({pct}%): {detail}",
		DependsOn: []*Def{PortsExhausted},
		Optional:  []Arg{ArgPID, ArgHolder},
		Manual: Steps{
			Linux:   []string{"kill {pid}  # the most are held by {holder}: restart it if it leaks connections", "ss -s", "ss -tanp | awk '{print $6}' | sort | uniq -c | sort -rn | head  # who holds them"},
			Darwin:  []string{"kill {pid}  # the most are held by {holder}: restart it if it leaks connections", "lsof -nP -iTCP | awk '{print $1, $2}' | sort | uniq -c | sort -rn | head  # who holds them"},
			Windows: []string{"Stop-Process -Id {pid}  # the most are held by {holder}: restart it if it leaks connections", "Get-NetTCPConnection | Group-Object -Property OwningProcess | Sort-Object -Property Count -Descending | Select-Object -First 5  # who holds them"},
		},
		Why: "Many ephemeral ports are in use (often TIME_WAIT from a busy test loop); exhaustion is close.",
		How: "At least 70% of the range counted as for ports-exhausted (TCP toward one endpoint, UDP in all), while no connect has failed yet.",
	}

	FilesExhausted = &Def{
		ID: "files-exhausted", Severity: SevError,
		Title: "File handles nearly exhausted", Text: "{detail}",
		Manual: Steps{
			Linux:   []string{"for p in /proc/[0-9]*; do echo \"$(ls $p/fd 2>/dev/null | wc -l) $p\"; done | sort -rn | head  # who holds them", "sudo sysctl -w fs.file-max=2097152  # raise the limit"},
			Darwin:  []string{"sysctl kern.num_files kern.maxfiles", "sudo lsof -n | awk '{print $1, $2}' | sort | uniq -c | sort -rn | head  # who holds them", "sudo sysctl -w kern.maxfiles=200000  # raise the limit"},
			Windows: []string{"Get-Process | Sort-Object -Property HandleCount -Descending | Select-Object -First 5 Name, Id, HandleCount  # who holds them"},
		},
		Why: "The system or this user is close to its open-file limit: servers, watchers and bundlers will fail with EMFILE or ENFILE.",
		How: "Open file handles counted by the OS against the system and per-process limits.",
	}

	FilesLimitLow = &Def{
		ID: "files-limit-low", Severity: SevInfo,
		Title: "Low open-file limit", Text: "the open-file limit is {count}: servers and bundlers started from here may hit EMFILE",
		Manual: Steps{
			Linux:   []string{"ulimit -n 65536  # in your shell profile", "# raise the hard limit in /etc/security/limits.conf (LimitNOFILE= for services)"},
			Darwin:  []string{"ulimit -n 65536  # in your shell profile", "sudo launchctl limit maxfiles 65536 200000"},
			Windows: []string{"# nothing to do: Windows has no per-process open-file limit"},
		},
		Why: "Informational: the open-file limit processes started from here inherit is low for file watchers and bundlers.",
		How: "The soft RLIMIT_NOFILE of the process that started guard (not the one Go raised for itself).",
	}

	PortsRangeSmall = &Def{
		ID: "ports-range-small", Severity: SevWarning,
		Title: "Ephemeral port range too small",
		Text:  "the ephemeral port range is {detail} ({count} ports): connections and name lookups fail with EADDRNOTAVAIL as soon as that many are open",
		Manual: Steps{
			Linux:   []string{"sudo sysctl -w net.ipv4.ip_local_port_range='32768 60999'  # persist it in /etc/sysctl.d/"},
			Darwin:  []string{"sudo sysctl -w net.inet.ip.portrange.first=49152 net.inet.ip.portrange.last=65535"},
			Windows: []string{"netsh int ipv4 set dynamicport tcp start=49152 num=16384  # elevated", "netsh int ipv4 show dynamicport tcp"},
		},
		Why: "Every outgoing connection and name lookup takes a port from this range: with only a few, they fail with EADDRNOTAVAIL as soon as that many are open.",
		How: "The kernel's ephemeral range (ip_local_port_range, net.inet.ip.portrange) holds fewer than 1000 ports; under 128 it is an error.",
	}
)

// resources judges the machine's sockets and files, then the ephemeral
// port range, and names the process holding the most sockets.
func (d *diag) resources() {
	d.resourceUse()
	d.portRange()
	d.portHolder()
}

// resourceUse judges ephemeral ports and file handles against the OS's
// limits.
func (d *diag) resourceUse() {
	if d.s.SocketsErr != nil {
		d.set(StatusUnknown, "could not read socket tables: "+d.s.SocketsErr.Error())
		return
	}
	k := d.s.Sockets
	st := StatusPass
	var parts []string
	if k.PortsUnknown != "" {
		parts = append(parts, "ephemeral ports: unknown ("+k.PortsUnknown+")")
		st = worse(st, StatusUnknown)
	} else if span := k.EphemeralHigh - k.EphemeralLow + 1; k.EphemeralLow > 0 && span > 0 {
		tcp, udp := k.TCPEphemeralInUse, k.UDPEphemeralInUse
		counted := "in use"
		if tcp < 0 || udp < 0 {
			tcp, udp, counted = k.TCPEphemeralBound, k.UDPEphemeralBound, "at most in use"
		}
		used := max(tcp, udp)
		pct := 100 * used / span
		tcpText := fmt.Sprintf("TCP %d", tcp)
		if k.TCPBusiestPeer.IsValid() && tcp > 0 {
			tcpText = fmt.Sprintf("TCP %d toward %s", tcp, k.TCPBusiestPeer)
		}
		detail := fmt.Sprintf("%s, UDP %d %s of %d-%d; %d TCP sockets, %d in TIME_WAIT", tcpText, udp, counted, k.EphemeralLow, k.EphemeralHigh, k.TCPSockets, k.TCPTimeWait)
		if k.TopProcess != "" {
			detail += fmt.Sprintf("; most held by %s (pid %d, %d sockets)", k.TopProcess, k.TopProcessPID, k.TopProcessSockets)
		}
		parts = append(parts, "ephemeral ports: "+detail)
		args := Args{ArgCount: fmt.Sprintf("%d of %d", used, span), ArgPct: strconv.Itoa(pct), ArgDetail: detail}
		// A count is no proof that this start's connections fail: the
		// sockets may be another user's, toward endpoints the start never
		// uses. Only a connect that failed for want of a local port is.
		switch {
		case d.probeErr(netstate.ClassAddrNotAvail):
			d.add(PortsExhausted, args, detail, "a probe's connect failed with EADDRNOTAVAIL: no local port was left for it")
			st = StatusFail
		case pct >= 70:
			d.add(PortsHigh, args, detail)
			st = worse(st, StatusWarn)
		}
	}
	if k.SystemFilesMax > 0 {
		parts = append(parts, fmt.Sprintf("file handles %d of %d", k.SystemFiles, k.SystemFilesMax))
		if k.SystemFiles*10 >= k.SystemFilesMax*9 || d.probeErr(netstate.ClassTooManyFiles) {
			used := fmt.Sprintf("%d of %d system file handles are in use", k.SystemFiles, k.SystemFilesMax)
			ev := []string{used}
			if d.probeErr(netstate.ClassTooManyFiles) {
				ev = append(ev, "a probe failed with EMFILE/ENFILE")
			}
			d.add(FilesExhausted, Args{ArgDetail: used}, ev...)
			st = StatusFail
		}
	}
	if k.OpenFilesLimit > 0 {
		parts = append(parts, fmt.Sprintf("open-file limit %d", k.OpenFilesLimit))
		if k.OpenFilesLimit < 1024 {
			d.add(FilesLimitLow, Args{ArgCount: strconv.Itoa(k.OpenFilesLimit)}, fmt.Sprintf("RLIMIT_NOFILE soft limit %d", k.OpenFilesLimit))
		}
	}
	if len(parts) == 0 {
		d.set(StatusUnknown, "no socket statistics on this OS: "+strings.Join(k.Unknown, "; "))
		return
	}
	d.set(st, strings.Join(parts, "; "))
}

// probeErr reports whether some probe failed with this class of error.
func (d *diag) probeErr(c netstate.ErrClass) bool {
	failed := func(t *netstate.TargetResult) bool {
		return t != nil && (netstate.Classify(t.ICMP.Err) == c || netstate.Classify(t.TCP.Err) == c)
	}
	for _, f := range d.s.Families() {
		if failed(f.GatewayProbe) {
			return true
		}
		for i := range f.External {
			if failed(&f.External[i]) {
				return true
			}
		}
	}
	return false
}

// minEphemeral is the smallest ephemeral range that normal use does not
// exhaust; below tinyEphemeral a start fails outright.
const (
	minEphemeral  = 1000
	tinyEphemeral = 128
)

// portRange judges the ephemeral port range itself, whatever is in use
// now.
func (d *diag) portRange() {
	k := &d.s.Sockets
	if d.s.SocketsErr != nil || k.EphemeralLow <= 0 || k.EphemeralHigh < k.EphemeralLow {
		return
	}
	span := k.EphemeralHigh - k.EphemeralLow + 1
	if span >= minEphemeral {
		return
	}
	detail := fmt.Sprintf("%d-%d", k.EphemeralLow, k.EphemeralHigh)
	f := d.add(PortsRangeSmall, Args{ArgDetail: detail, ArgCount: strconv.Itoa(span)}, "ephemeral range "+detail)
	if span < tinyEphemeral {
		f.Severity = SevError
	}
	d.restatus()
}

// portHolder names, in the socket-exhaustion findings, the process that
// holds the most sockets, so their steps point at it rather than at a
// generic listing. Unnamed (another user's process), the step is left out.
func (d *diag) portHolder() {
	k := &d.s.Sockets
	if k.TopProcessPID <= 0 {
		return
	}
	holder := fmt.Sprintf("%s (pid %d, %d sockets)", cmp.Or(k.TopProcess, "a process"), k.TopProcessPID, k.TopProcessSockets)
	for i := range d.findings {
		if f := &d.findings[i]; f.ID == PortsExhausted.ID || f.ID == PortsHigh.ID {
			f.Args[ArgHolder], f.Args[ArgPID] = holder, strconv.Itoa(k.TopProcessPID)
		}
	}
}
