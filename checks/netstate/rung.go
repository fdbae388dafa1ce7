package netstate

// Rung names one rung of the repair ladder. The names are a fixed set: the
// privileged helper (guard fix re-run through sudo) accepts nothing else.
type Rung string

const (
	RungNone             Rung = ""
	RungDeleteNeighbor   Rung = "delete-neighbor"
	RungFlushNeighbors   Rung = "flush-neighbors"
	RungLinkUp           Rung = "link-up"
	RungFlushDNS         Rung = "flush-dns"
	RungReapplyInterface Rung = "reapply-interface"
)

// String is the rung's name as the report and the helper's argv carry it.
func (r Rung) String() string { return string(r) }

// RepairSupporter is implemented by OS layers on which some rungs of the
// ladder can run only through a manager that is in charge (Linux: a DNS
// cache flush needs systemd-resolved, a reapply NetworkManager or
// systemd-networkd). The engine then neither tries such a rung nor offers
// it as a privileged step. An OS layer without it supports every rung it
// does not answer ErrUnsupported to.
type RepairSupporter interface {
	// Supports reports whether r can run on this machine with the
	// managers m in charge.
	Supports(r Rung, m Managers) bool
}
