package runner

import (
	"fmt"
	"github.com/admm-go/admm/experiments/data"
)

// LoadData reads the training and test sets that cfg names, keeps the first
// train_size and test_size samples, and centers both with the training
// mean. A CSV or LIBSVM test set is read with the training set's label map
// and dimension, so both sets agree on classes and features.
func LoadData(cfg Config) (train, test *data.Dataset, err error) {
	switch cfg.Dataset {
	case "mnist":
		train, test, err = data.LoadMNIST(cfg.DataDir)
	case "csv":
		opts := data.CSVOptions{Header: cfg.Header, LabelColumn: cfg.LabelColumn, Classes: cfg.Classes, Remap: cfg.Remap}
		if train, err = data.ReadCSV(cfg.TrainPath, opts); err != nil {
			return nil, nil, err
		}
		opts.Classes, opts.LabelMap = train.Classes, train.LabelMap
		test, err = data.ReadCSV(cfg.TestPath, opts)
	case "libsvm":
		opts := data.LIBSVMOptions{Classes: cfg.Classes, Remap: cfg.Remap}
		if train, err = data.ReadLIBSVM(cfg.TrainPath, opts); err != nil {
			return nil, nil, err
		}
		_, d := train.X.Dims()
		opts.Features, opts.Classes, opts.LabelMap = d, train.Classes, train.LabelMap
		test, err = data.ReadLIBSVM(cfg.TestPath, opts)
	default:
		return nil, nil, cfg.Validate()
	}
	if err != nil {
		return nil, nil, err
	}
	n, _ := train.X.Dims()
	nt, _ := test.X.Dims()
	if cfg.TrainSize > n {
		return nil, nil, settingErrorf("runner: invalid train_size %d: the training set has %d samples; lower train_size, or 0 for all", cfg.TrainSize, n)
	}
	if cfg.TestSize > nt {
		return nil, nil, settingErrorf("runner: invalid test_size %d: the test set has %d samples; lower test_size, or 0 for all", cfg.TestSize, nt)
	}
	if cfg.TrainSize > 0 {
		train = data.Subset(train, cfg.TrainSize)
	}
	if cfg.TestSize > 0 {
		test = data.Subset(test, cfg.TestSize)
	}
	data.Center(train, test)
	return train, test, nil
}

// SettingError is a configuration value that only the data shows to be
// invalid, such as a k above the input dimension. A command line reports it
// as a usage error.
type SettingError struct{ msg string }

func (e *SettingError) Error() string { return e.msg }

func settingErrorf(format string, args ...any) error {
	return &SettingError{msg: fmt.Sprintf(format, args...)}
}
