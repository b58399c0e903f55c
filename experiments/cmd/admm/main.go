// Command admm trains the reduce-then-predict network by ADMM and by the
// baseline methods, prints convergence tables and writes them to a run
// directory.
//
// Usage:
//
//	admm run [flags]     train and measure; "admm run -h" lists the flags
//
// With no flags, run trains on MNIST with k = 32, W on the Stiefel
// manifold, by admm, joint and two-stage, and writes results/<timestamp>/.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a subcommand and returns the exit status: 0 on success,
// 1 on a failed run, 2 on a usage error.
func run(args []string, stdout, stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch args[0] {
	case "run":
		return cmdRun(ctx, args[1:], stdout, stderr, log)
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "admm: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: admm <command> [flags]

commands:
  run    train every method of an experiment and write its convergence tables

"admm <command> -h" lists the flags of a command.
`)
}
