package main

import (
	"fmt"
	"io"

	"github.com/admm-go/admm/experiments/report"
	"github.com/admm-go/admm/experiments/runner"
	"github.com/schollz/progressbar/v3"
)

// progress is a progress bar over every row that a run is expected to
// measure, advanced by the rows that reach the sink. A nil *progress
// draws nothing.
type progress struct {
	bar *progressbar.ProgressBar
	// offset is the number of rows expected before each (method, seed)
	// run, by "method/seed". A run that stops early (converged, failed)
	// leaves a gap, which the next run's first row closes.
	offset map[string]int
}

// expectedRows returns the rows that one run of method measures at most:
// the starting point and one per outer iteration for the ADMM-like
// methods, or one per epoch for the others.
func expectedRows(cfg *runner.Config, method string) int {
	switch method {
	case runner.MethodADMM, runner.MethodAlternating:
		return cfg.MaxIter + 1
	}
	return cfg.Epochs + 1
}

// newProgress returns a bar on w for the runs of cfg, in the order
// runner.Run trains them: every method for the first seed, then the next
// seed.
func newProgress(w io.Writer, cfg *runner.Config) *progress {
	p := &progress{offset: map[string]int{}}
	total := 0
	for _, seed := range cfg.Seeds {
		for _, m := range cfg.Methods {
			p.offset[runKey(m, seed)] = total
			total += expectedRows(cfg, m)
		}
	}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("starting"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionFullWidth(),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	return p
}

// clear erases the bar, so that a line written to the same terminal
// starts on a clean line.
func (p *progress) clear() {
	if p != nil {
		p.bar.Clear()
	}
}

// update moves the bar to row r and shows its method, seed, iteration
// and, for admm, the residuals.
func (p *progress) update(r *report.Row) {
	if p == nil {
		return
	}
	desc := fmt.Sprintf("%s seed %d iter %d", r.Method, r.Seed, r.Iter)
	if r.ADMM != nil {
		desc += fmt.Sprintf(" primal %.2e dual %.2e", r.ADMM.Primal, r.ADMM.Dual)
	}
	p.bar.Describe(desc)
	// Iter counts from 0, the starting point, so row Iter is the
	// (Iter+1)-th of its run.
	p.bar.Set(p.offset[runKey(r.Method, r.Seed)] + r.Iter + 1)
}

// finish completes the bar.
func (p *progress) finish() {
	if p != nil {
		p.bar.Finish()
	}
}

// runKey returns "method/seed", the key of report.Summarize's statuses.
func runKey(method string, seed uint64) string {
	return fmt.Sprintf("%s/%d", method, seed)
}
