package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
)

// startCommand starts guard run's command in place of guard; unit tests
// replace it (an exec would replace the test binary).
var startCommand = execCommand

// resolveCommand finds guard run's command the way a shell does, before
// anything is checked: a command that cannot start makes the check
// pointless. Not found exits 127, found but not runnable 126.
func resolveCommand(sys *IO, name string) (string, exitCode) {
	path, err := exec.LookPath(name)
	if err == nil {
		return path, exitOK
	}
	switch {
	case errors.Is(err, exec.ErrDot):
		fmt.Fprintf(sys.ErrOut, "guard run: %q: found only in the current directory; run it as ./%s\n", name, name)
		return "", exitNotFound
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(sys.ErrOut, "guard run: %q: command not found\n", name)
		return "", exitNotFound
	case errors.Is(err, syscall.EISDIR):
		fmt.Fprintf(sys.ErrOut, "guard run: %q: is a directory\n", name)
		return "", exitNotExecutable
	case errors.Is(err, fs.ErrPermission):
		fmt.Fprintf(sys.ErrOut, "guard run: %q: permission denied (not executable)\n", name)
		return "", exitNotExecutable
	}
	fmt.Fprintf(sys.ErrOut, "guard run: %q: %s\n", name, oneLine(err))
	return "", exitNotExecutable
}

// ignorableSignals are the signals a shell may leave ignored for a job
// (SIGINT for a background job, SIGHUP under nohup), which guard must pass
// on ignored. They are the ones the Go runtime leaves ignored when it
// inherits them so: for any other (SIGQUIT, SIGTERM) it installs its own
// handler before main and the inherited disposition cannot be read back
// without cgo, so those reach the command with their default action.
var ignorableSignals = []os.Signal{os.Interrupt, syscall.SIGHUP}

// ignoredSignals are those of ignorableSignals this process inherited as
// ignored. It must run before anything installs a handler: afterwards the
// runtime no longer knows what was inherited.
func ignoredSignals() []os.Signal {
	var out []os.Signal
	for _, s := range ignorableSignals {
		if signalIgnored(s) {
			out = append(out, s)
		}
	}
	return out
}

// caughtSignals are the signals that interrupt a check: SIGINT and
// SIGTERM, unless the shell ignored them (Ctrl-C must not stop a
// background job).
func caughtSignals(ignored []os.Signal) []os.Signal {
	var out []os.Signal
	for _, s := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		if !contains(ignored, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(sigs []os.Signal, s os.Signal) bool {
	for _, x := range sigs {
		if x == s {
			return true
		}
	}
	return false
}

// runSignals is a run's context, cancelled by SIGINT or SIGTERM once armed.
//
// guard arms it only before it changes something (a repair, the root
// helper, watch). While it only looks (check, and fix or run up to their
// first repair), the signals keep their default action and end it: there
// is nothing to undo and no report to print, and a shell reports 130 (or
// 143) as for any command it interrupts. The reason is the cost: the
// first signal.Notify of a process starts two runtime threads (os/signal's
// locked signal thread, and the template thread a locked thread needs)
// and waits for them, and a short run pays for threads again at exit
// (the README's speed section has the figures).
type runSignals struct {
	ctx    context.Context
	cancel context.CancelFunc
	sigs   []os.Signal
	ch     chan os.Signal
	once   sync.Once
	armed  bool // under once
}

func newRunSignals(sigs []os.Signal) *runSignals {
	ctx, cancel := context.WithCancel(context.Background())
	return &runSignals{ctx: ctx, cancel: cancel, sigs: sigs, ch: make(chan os.Signal, 1)}
}

// arm installs the handlers; a signal from then on cancels ctx.
func (r *runSignals) arm() {
	r.once.Do(func() {
		r.armed = true
		if len(r.sigs) == 0 {
			return // every one was ignored by the caller: nothing to catch
		}
		signal.Notify(r.ch, r.sigs...)
		go func() {
			select {
			case <-r.ch:
				r.cancel()
			case <-r.ctx.Done():
			}
		}()
	})
}

// stop removes the handlers, if armed, and ends ctx.
func (r *runSignals) stop() {
	r.once.Do(func() {}) // no arm after stop
	if r.armed && len(r.sigs) > 0 {
		signal.Stop(r.ch)
	}
	r.cancel()
}
