package runinfo

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/admm-go/admm/experiments/data"
	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

func TestFloatJSON(t *testing.T) {
	tests := []struct {
		name string
		v    float64
		want string
	}{
		{"finite", 0.1, `0.1`},
		{"integer", 3, `3`},
		{"tiny", 5e-324, `5e-324`},
		{"negative zero", math.Copysign(0, -1), `-0`},
		{"nan", math.NaN(), `"NaN"`},
		{"plus inf", math.Inf(1), `"+Inf"`},
		{"minus inf", math.Inf(-1), `"-Inf"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(Float(tt.v))
			if err != nil {
				t.Fatalf("marshal %v: %v", tt.v, err)
			}
			if string(b) != tt.want {
				t.Errorf("marshal %v = %s, want %s", tt.v, b, tt.want)
			}
			var back Float
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("unmarshal %s: %v", b, err)
			}
			// Bits, not ==, so that NaN and the sign of zero count.
			if math.Float64bits(float64(back)) != math.Float64bits(tt.v) && !(math.IsNaN(tt.v) && math.IsNaN(float64(back))) {
				t.Errorf("round trip of %v gave %v", tt.v, back)
			}
		})
	}
}

func TestFloatRejectsOtherStrings(t *testing.T) {
	for _, in := range []string{`"nan"`, `"Inf"`, `""`, `true`, `[1]`} {
		var f Float
		if err := json.Unmarshal([]byte(in), &f); err == nil {
			t.Errorf("unmarshal %s = %v, want an error", in, f)
		}
	}
}

func TestManifestRoundTrip(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m := &Manifest{
		Command: []string{"admm", "run", "-k", "8"},
		Build:   buildFromInfo(nil, false),
		Machine: ReadMachine(),
		Data: Data{
			Dataset:    "csv",
			TrainFiles: []File{{Path: "/tmp/train.csv", SHA256: strings.Repeat("ab", 32)}},
			TestFiles:  []File{{Path: "/tmp/test.csv", SHA256: strings.Repeat("cd", 32)}},
			LabelMap:   []int{-1, 1},
		},
		Seeds:  []uint64{1, 2},
		Start:  start,
		End:    start.Add(time.Minute),
		Status: StatusFailed,
		Runs: []Run{
			{Method: "admm", Seed: 1, Status: "converged", Rows: 3,
				Final: map[string]Float{"train_ce": 0.25, "test_acc": 0.9}},
			{Method: "joint", Seed: 1, Status: "non-finite", Error: "runner: joint: cross-entropy is NaN", Rows: 2,
				Final: map[string]Float{"train_ce": Float(math.NaN()), "test_acc": Float(math.Inf(-1))}},
		},
	}
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatalf("write: %v", err)
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	// NaN ≠ NaN, so compare floats by their bits.
	bits := cmp.Comparer(func(a, b Float) bool {
		return math.Float64bits(float64(a)) == math.Float64bits(float64(b)) ||
			math.IsNaN(float64(a)) && math.IsNaN(float64(b))
	})
	if diff := cmp.Diff(m, got, bits); diff != "" {
		t.Errorf("manifest round trip (-want +got):\n%s", diff)
	}
}

func TestBuildFromInfo(t *testing.T) {
	info := &debug.BuildInfo{
		GoVersion: "go1.26.0",
		Main:      debug.Module{Path: "example.com/m", Version: "(devel)"},
		Deps: []*debug.Module{
			{Path: "example.com/a", Version: "v1.2.3", Sum: "h1:abc="},
			{Path: "example.com/b", Version: "v0.1.0", Replace: &debug.Module{Path: "../b", Version: ""}},
		},
	}
	withVCS := func(settings ...debug.BuildSetting) *debug.BuildInfo {
		c := *info
		c.Settings = settings
		return &c
	}
	deps := []Module{
		{Path: "example.com/a", Version: "v1.2.3", Sum: "h1:abc="},
		{Path: "example.com/b", Version: "v0.1.0", Replace: &Module{Path: "../b"}},
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want Build
	}{
		{
			name: "no build info",
			want: Build{GoVersion: runtime.Version(), Main: Module{Path: Unknown, Version: Unknown},
				VCS: VCS{Source: Unknown, Revision: Unknown, Modified: Unknown}},
		},
		{
			name: "without vcs settings",
			info: info, ok: true,
			want: Build{GoVersion: "go1.26.0", Main: Module{Path: "example.com/m", Version: "(devel)"}, Dependencies: deps,
				VCS: VCS{Source: Unknown, Revision: Unknown, Modified: Unknown}},
		},
		{
			name: "with vcs settings",
			info: withVCS(
				debug.BuildSetting{Key: "vcs", Value: "git"},
				debug.BuildSetting{Key: "vcs.revision", Value: "0123abc"},
				debug.BuildSetting{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"},
				debug.BuildSetting{Key: "vcs.modified", Value: "true"},
			),
			ok: true,
			want: Build{GoVersion: "go1.26.0", Main: Module{Path: "example.com/m", Version: "(devel)"}, Dependencies: deps,
				VCS: VCS{Source: SourceBuildInfo, Revision: "0123abc", Modified: "true", Time: "2026-01-02T03:04:05Z"}},
		},
		{
			// A revision without a modified flag leaves the state of the
			// working tree unknown rather than clean.
			name: "revision only",
			info: withVCS(debug.BuildSetting{Key: "vcs.revision", Value: "0123abc"}),
			ok:   true,
			want: Build{GoVersion: "go1.26.0", Main: Module{Path: "example.com/m", Version: "(devel)"}, Dependencies: deps,
				VCS: VCS{Source: SourceBuildInfo, Revision: "0123abc", Modified: Unknown}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildFromInfo(tt.info, tt.ok)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("buildFromInfo (-want +got):\n%s", diff)
			}
		})
	}
}

// gitIn runs git in dir with a fixed identity, failing the test on error.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.com"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestGitVCS(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on the PATH")
	}
	dir := t.TempDir()
	if _, ok := gitVCS(dir); ok {
		t.Fatalf("gitVCS outside a repository returned ok")
	}

	gitIn(t, dir, "init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "add", "a.txt")
	gitIn(t, dir, "commit", "-q", "-m", "add a")
	head := gitIn(t, dir, "rev-parse", "HEAD")

	got, ok := gitVCS(dir)
	if !ok {
		t.Fatalf("gitVCS in a repository returned false")
	}
	if want := (VCS{Source: SourceGit, Revision: head, Modified: "false"}); got != want {
		t.Errorf("clean tree: gitVCS = %+v, want %+v", got, want)
	}

	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _ = gitVCS(dir)
	if got.Modified != "true" {
		t.Errorf("changed tree: Modified = %q, want true", got.Modified)
	}
}

func TestReadBuild(t *testing.T) {
	b := ReadBuild(".")
	if b.GoVersion != runtime.Version() {
		t.Errorf("GoVersion = %q, want %q", b.GoVersion, runtime.Version())
	}
	if b.VCS.Revision != Unknown && !regexp.MustCompile(`^[0-9a-f]{40,64}$`).MatchString(b.VCS.Revision) {
		t.Errorf("Revision = %q, want a hexadecimal commit hash or %q", b.VCS.Revision, Unknown)
	}
	switch b.VCS.Modified {
	case "true", "false", Unknown:
	default:
		t.Errorf("Modified = %q, want true, false or %q", b.VCS.Modified, Unknown)
	}
	// Test binaries record the main module but no dependencies, so the
	// dependencies are checked on a built command instead.
	if b.Main.Path != "github.com/admm-go/admm" {
		t.Errorf("Main.Path = %q, want github.com/admm-go/admm", b.Main.Path)
	}
}

func TestNewData(t *testing.T) {
	train := &data.Dataset{X: mat.NewDense(1, 1, nil), Files: []data.FileInfo{{Path: "tr", SHA256: "1"}}, LabelMap: []int{-1, 1}}
	test := &data.Dataset{X: mat.NewDense(1, 1, nil), Files: []data.FileInfo{{Path: "te", SHA256: "2"}}, LabelMap: []int{-1, 1}}
	want := Data{Dataset: "csv", TrainFiles: []File{{"tr", "1"}}, TestFiles: []File{{"te", "2"}}, LabelMap: []int{-1, 1}}
	if diff := cmp.Diff(want, NewData("csv", train, test)); diff != "" {
		t.Errorf("NewData (-want +got):\n%s", diff)
	}
}
