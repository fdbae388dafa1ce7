package diagnose

import (
	"fmt"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// Clock is the clock check.
var Clock = &Check{
	ID: "clock", Chained: false, judge: (*diag).clock,
	Findings: []*Def{ClockWrong, ClockUnsynchronized},
}

// The findings of the clock check, in root-cause order.
var (
	ClockWrong = &Def{
		ID: "clock-wrong", Severity: SevWarning,
		Title: "The clock is behind",
		Text:  "the clock says {detail}: TLS certificates will fail to verify (x509: certificate is not yet valid)",
		Manual: Steps{
			Linux:   []string{"sudo timedatectl set-ntp true", "sudo hwclock -s  # WSL2 after sleep", "timedatectl"},
			Darwin:  []string{"sudo sntp -sS time.apple.com", "# System Settings › General › Date & Time › Set time and date automatically"},
			Windows: []string{"w32tm /resync  # elevated", "# Settings › Time & language › Date & time › Sync now"},
		},
		Why: "TLS certificates are valid from a date: a clock that is behind makes every HTTPS download fail with 'certificate is not yet valid' (WSL2 after sleep).",
		How: "The clock reads earlier than the commit this binary was built from, by more than a day: it is at least that much behind.",
	}

	ClockUnsynchronized = &Def{
		ID: "clock-unsynchronized", Severity: SevInfo,
		Title: "The clock is not synchronised",
		Text:  "the kernel reports its clock unsynchronised (no time daemon has disciplined it; error bound {detail}): harmless while it is right, TLS fails once it drifts",
		Manual: Steps{
			Linux:   []string{"timedatectl", "sudo timedatectl set-ntp true  # or install chrony"},
			Darwin:  []string{"sntp time.apple.com  # the offset"},
			Windows: []string{"w32tm /query /status"},
		},
		Why: "Informational: no time daemon has told the kernel its clock is right. Harmless while it is, and the normal state of containers and CI machines.",
		How: "adjtimex(2) without changes returns TIME_ERROR or sets STA_UNSYNC (Linux); macOS and Windows do not report it.",
	}
)

// clockSlack is how far a commit date may run ahead: a binary built from a
// commit dated after "now" by more than this proves the clock is behind
// (commit dates may run ahead a little).
const clockSlack = 24 * time.Hour

// clock judges the kernel's view of its clock against a lower bound on
// the time.
func (d *diag) clock() {
	c := &d.s.Clock
	switch {
	case !c.Checked:
		d.set(StatusSkip, "not collected")
		return
	case !c.BuildTime.IsZero() && !c.Now.IsZero() && c.Now.Before(c.BuildTime.Add(-clockSlack)):
		detail := fmt.Sprintf("%s, before this binary's source was committed (%s): it is at least %s behind",
			c.Now.UTC().Format(time.DateTime), c.BuildTime.UTC().Format(time.DateTime), c.BuildTime.Sub(c.Now).Round(time.Hour))
		f := d.add(ClockWrong, Args{ArgDetail: detail}, detail)
		d.set(statusOf(f.Severity), detail)
		return
	case c.Err != nil:
		d.set(StatusUnknown, c.Err.Error())
		return
	}
	bound := ""
	if c.BuildTime.IsZero() {
		bound = noBuildTime
	}
	switch c.Synced {
	case netstate.TriYes:
		d.set(StatusPass, "synchronised (max error "+c.MaxError.String()+")"+bound)
	case netstate.TriNo:
		// Info only: without a time daemon (containers, CI sandboxes)
		// the kernel says this of a clock that may be right.
		d.add(ClockUnsynchronized, Args{ArgDetail: c.MaxError.String()}, "adjtimex: STA_UNSYNC / TIME_ERROR")
		d.set(StatusPass, "not synchronised by a time daemon (max error "+c.MaxError.String()+")"+bound)
	default:
		d.set(StatusPass, "synchronisation not reported by this OS"+bound)
	}
}

// noBuildTime is said of the clock when the binary has no date to bound it
// with, so the check is not silently weaker.
const noBuildTime = "; no build date to compare with (built without VCS data), so a clock set back is not detected"
