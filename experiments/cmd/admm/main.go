// Command admm trains the reduce-then-predict network by ADMM and by the
// baseline methods, prints convergence tables and writes them to a run
// directory.
//
// Usage:
//
//	admm run [flags]
//	admm resume [-checkpoint-every N] [-plots F] RUNDIR
//	admm reproduce [-tol T] [-out NEWDIR] RUNDIR
//	admm report [-out DIR] RUNDIR...
//
// run trains and measures ("admm run -h" lists the flags), resume
// continues an interrupted run from RUNDIR/checkpoint.gob, reproduce
// reruns RUNDIR/config.json and compares the two metrics.csv files, and
// report rebuilds the summaries and plots of run directories.
//
// With no flags, run trains on MNIST with k = 32, W on the Stiefel
// manifold, by admm, joint and two-stage, and writes results/<timestamp>/.
//
// Exit status: 0 on success, 1 when a run fails or reproduce finds a
// difference, 2 on a usage error, 130 after an interrupt (SIGINT or
// SIGTERM or SIGHUP). The first interrupt stops the run at the next
// iteration boundary, writes a checkpoint and what was measured; a second
// one exits at once.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"golang.org/x/term"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130 // 128 + SIGINT, as shells report a process killed by SIGINT
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// env is the output of a subcommand: its streams, logger and command line.
type env struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	// progress draws a progress bar on stderr; true only when stderr is
	// a terminal.
	progress bool
	// command is the command line, for the manifest.
	command []string
	// stop is set by the first interrupt: the run writes a checkpoint at
	// the next iteration boundary and stops.
	stop *atomic.Bool
}

// run dispatches a subcommand and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	progress := isTerminal(stderr)
	level := slog.LevelInfo
	if progress {
		// The bar shows the progress that the info lines would report, and
		// lines between its redraws would break it.
		level = slog.LevelWarn
	}
	e := &env{
		stdout:   stdout,
		stderr:   stderr,
		log:      slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level, ReplaceAttr: plainErrors})),
		progress: progress,
		command:  append([]string{"admm"}, args...),
		stop:     &atomic.Bool{},
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go handleSignals(sigs, done, func() { e.stop.Store(true) }, stderr, os.Exit)

	switch args[0] {
	case "run":
		return cmdRun(ctx, e, args[1:])
	case "reproduce":
		return cmdReproduce(ctx, e, args[1:])
	case "resume":
		return cmdResume(ctx, e, args[1:])
	case "report":
		return cmdReport(e, args[1:])
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "admm: unknown command %q: want run, resume, reproduce or report\n\n", args[0])
	usage(stderr)
	return exitUsage
}

// plainErrors logs an error attribute as its message alone. slog's text
// handler formats an error with %+v, which for errors from
// github.com/pkg/errors appends the whole stack trace.
func plainErrors(_ []string, a slog.Attr) slog.Attr {
	if err, ok := a.Value.Any().(error); ok && a.Value.Kind() == slog.KindAny {
		return slog.String(a.Key, err.Error())
	}
	return a
}

// handleSignals calls stop on the first signal from sigs, which makes a
// run write a checkpoint at its next iteration boundary and stop, and
// calls exit(130) on the second. It returns when done is closed.
func handleSignals(sigs <-chan os.Signal, done <-chan struct{}, stop func(), stderr io.Writer, exit func(int)) {
	select {
	case s := <-sigs:
		fmt.Fprintf(stderr, "admm: received %v: stopping at the next iteration boundary and writing a checkpoint; send it again to exit at once\n", s)
		stop()
	case <-done:
		return
	}
	select {
	case s := <-sigs:
		// Every file is written to a temporary name and renamed, so exiting
		// here leaves no half-written file.
		fmt.Fprintf(stderr, "admm: received %v again: exiting at once\n", s)
		exit(exitInterrupted)
	case <-done:
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: admm <command> [flags]

commands:
  run        train every method of an experiment and write its convergence tables
  resume     continue an interrupted run from the checkpoint in its directory
  reproduce  rerun the experiment of a run directory and compare the metrics
  report     rebuild the summaries and plots of run directories without training

"admm <command> -h" lists the flags of a command.
`)
}
