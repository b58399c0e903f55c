package constraints_test

import (
	"fmt"

	"github.com/admm-go/admm/constraints"
	"gonum.org/v1/gonum/mat"
)

func ExampleParse() {
	set, err := constraints.Parse("spectral", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	// diag(3, 0.5) has singular values 3 and 0.5, and only 3 is clipped.
	w := mat.NewDense(2, 2, []float64{3, 0, 0, 0.5})
	fmt.Printf("%s violation before: %.3g\n", set, set.Violation(w))
	set.Project(w, w)
	fmt.Printf("projection: [[%.3g %.3g] [%.3g %.3g]]\n", w.At(0, 0), w.At(0, 1), w.At(1, 0), w.At(1, 1))
	fmt.Printf("violation after: %.3g\n", set.Violation(w))

	_, err = constraints.Parse("orthogonal", 1)
	fmt.Println(err)
	// Output:
	// spectral violation before: 2
	// projection: [[1 0] [0 0.5]]
	// violation after: 0
	// constraints: unknown set "orthogonal": use one of ["stiefel" "spectral" "frobenius" "columns"]
}
