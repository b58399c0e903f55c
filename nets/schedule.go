package nets

import (
	"fmt"
	"math"
)

// Schedule gives the learning rate of each optimizer step.
type Schedule interface {
	// Rate returns the learning rate of step t, counting from t = 0.
	Rate(t int) float64
}

// Constant is a schedule whose rate never changes.
type Constant float64

// Rate returns c for every step.
func (c Constant) Rate(int) float64 { return float64(c) }

// Validate returns an error unless the rate is positive and finite.
func (c Constant) Validate() error {
	if !(c > 0 && !math.IsInf(float64(c), 1)) {
		return fmt.Errorf("nets: constant learning rate %v is not positive and finite", float64(c))
	}
	return nil
}

// StepDecay multiplies the rate by Factor every Every steps:
// rate(t) = Initial · Factor^⌊t/Every⌋.
type StepDecay struct {
	Initial float64
	Factor  float64
	Every   int
}

// Rate returns Initial · Factor^⌊t/Every⌋.
func (s StepDecay) Rate(t int) float64 {
	return s.Initial * math.Pow(s.Factor, float64(t/s.Every))
}

// Validate returns an error unless Initial is positive, Factor is in
// (0, 1] and Every is positive.
func (s StepDecay) Validate() error {
	if !(s.Initial > 0 && !math.IsInf(s.Initial, 1)) {
		return fmt.Errorf("nets: step decay initial rate %v is not positive and finite", s.Initial)
	}
	if !(s.Factor > 0 && s.Factor <= 1) {
		return fmt.Errorf("nets: step decay factor %v is outside (0, 1]; use a value such as 0.1", s.Factor)
	}
	if s.Every <= 0 {
		return fmt.Errorf("nets: step decay interval %d is not positive; set Every to the number of steps between decays", s.Every)
	}
	return nil
}

// Cosine anneals the rate from Initial to Floor over Horizon steps along
// half a cosine and then holds it at Floor. This is the cosine annealing of
// Loshchilov and Hutter 2017, "SGDR: Stochastic gradient descent with warm
// restarts", without the restarts:
//
//	rate(t) = Floor + (Initial − Floor)(1 + cos(π·min(t, Horizon)/Horizon))/2
type Cosine struct {
	Initial float64
	Floor   float64
	Horizon int
}

// Rate returns the annealed rate of step t.
func (s Cosine) Rate(t int) float64 {
	frac := float64(min(t, s.Horizon)) / float64(s.Horizon)
	return s.Floor + (s.Initial-s.Floor)*(1+math.Cos(math.Pi*frac))/2
}

// Validate returns an error unless 0 ≤ Floor ≤ Initial, Initial is finite
// and positive, and Horizon is positive.
func (s Cosine) Validate() error {
	if !(s.Initial > 0 && !math.IsInf(s.Initial, 1)) {
		return fmt.Errorf("nets: cosine initial rate %v is not positive and finite", s.Initial)
	}
	if !(s.Floor >= 0 && s.Floor <= s.Initial) {
		return fmt.Errorf("nets: cosine floor %v is outside [0, %v], the range up to the initial rate", s.Floor, s.Initial)
	}
	if s.Horizon <= 0 {
		return fmt.Errorf("nets: cosine horizon %d is not positive; set Horizon to the number of steps of the decay", s.Horizon)
	}
	return nil
}
