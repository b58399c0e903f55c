package admm

import "fmt"

// Status is the reason a run stopped.
type Status int

const (
	NotTerminated  Status = iota // the run has not stopped
	Converged                    // the converger accepted the iterate
	IterationLimit               // Settings.MaxIter iterations ran
	NonFinite                    // a NaN or infinity appeared
	Canceled                     // the context was canceled
	BlockFailed                  // a block's Prox returned an error
	RecorderFailed               // the recorder returned an error
	TimeLimit                    // Settings.MaxTime elapsed
	ProxCallLimit                // the next iteration would exceed Settings.MaxProxCalls
	// Inaccurate means that a limit stopped the run while both residuals
	// were within inaccurateFactor times their tolerances.
	// Result.Limit names the limit.
	Inaccurate
	Diverged // a residual exceeded Settings.DivergenceBound
)

// inaccurateFactor is how far beyond the tolerances the residuals of an
// [Inaccurate] run may be. The value is a convention, not derived.
const inaccurateFactor = 10

var statusNames = [...]string{
	NotTerminated:  "not terminated",
	Converged:      "converged",
	IterationLimit: "iteration limit",
	NonFinite:      "non-finite value",
	Canceled:       "canceled",
	BlockFailed:    "block failed",
	RecorderFailed: "recorder failed",
	TimeLimit:      "time limit",
	ProxCallLimit:  "prox call limit",
	Inaccurate:     "inaccurate",
	Diverged:       "diverged",
}

// String returns the name of the status.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}

// Early reports whether the run stopped before convergence. Every status
// except Converged is early, Inaccurate included.
func (s Status) Early() bool { return s != Converged }

// Failed reports whether the status is a failure rather than a limit or
// convergence. Solve returns an error exactly for these statuses.
func (s Status) Failed() bool {
	switch s {
	case NonFinite, Canceled, BlockFailed, RecorderFailed, Diverged:
		return true
	}
	return false
}
