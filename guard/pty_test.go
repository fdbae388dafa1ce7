//go:build linux

package main

// A terminal that answers no queries (a git hook under a GUI client, an IDE
// console, tmux, script) must not slow guard down: charmbracelet/log would
// otherwise ask it for its colours and wait seconds for each answer.
// guard runs here with a pseudo-terminal as its
// controlling terminal and stdin/stdout/stderr, whose master side reads
// everything and answers nothing.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netguard/netguard/guard/internal/lab"
	"golang.org/x/sys/unix"
)

func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open ptmx: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty slave: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

func TestLabSilentTerminal(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	for _, args := range [][]string{
		{"check"},
		{"check", "-v"},
		{"fix", "--sudo", "never"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			m, s := openPTY(t)
			var out bytes.Buffer
			done := make(chan struct{})
			go func() { io.Copy(&out, m); close(done) }()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			argv := append([]string{bin}, args...)
			argv = append(argv, "--external", lab.ExternalIP, "--dns", lab.DNSName, "--timeout", "2s")
			cmd := l.Cmd(ctx, l.Client, argv...)
			cmd.Env = append(cmd.Env, "TERM=xterm-256color", "COLORTERM=truecolor")
			cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
			t0 := time.Now()
			err := cmd.Run()
			elapsed := time.Since(t0)
			s.Close()
			m.SetReadDeadline(time.Now().Add(time.Second))
			<-done
			if err != nil {
				t.Fatalf("guard %v: %v\n%s", args, err, out.String())
			}
			if elapsed > time.Second {
				t.Fatalf("guard %v took %s on a silent terminal (want well under 1 s)\n%s", args, elapsed, out.String())
			}
			if !strings.Contains(out.String(), "\x1b[") {
				t.Fatalf("no colour on a terminal:\n%q", out.String())
			}
			if !strings.Contains(out.String(), "netguard: healthy") {
				t.Fatalf("no verdict:\n%s", out.String())
			}
		})
	}
	// NO_COLOR is honoured on the same terminal.
	m, s := openPTY(t)
	var out bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&out, m); close(done) }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := l.Cmd(ctx, l.Client, bin, "check", "--external", lab.ExternalIP, "--dns", lab.DNSName)
	cmd.Env = append(cmd.Env, "TERM=xterm-256color", "NO_COLOR=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	m.SetReadDeadline(time.Now().Add(time.Second))
	<-done
	if strings.Contains(out.String(), "\x1b[") {
		t.Fatalf("colour despite NO_COLOR:\n%q", out.String())
	}
}
