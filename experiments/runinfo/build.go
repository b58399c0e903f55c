package runinfo

import (
	"bytes"
	"context"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Unknown is the value of a build fact that could not be found.
const Unknown = "unknown"

// Sources of the VCS facts in VCS.Source.
const (
	SourceBuildInfo = "build info" // the vcs.* settings that the go command stamps into the binary
	SourceGit       = "git"        // git rev-parse HEAD and git status --porcelain at run time
)

// gitTimeout bounds each git command, so that a hung git (a lock, a
// network file system) cannot stall the start of a run.
const gitTimeout = 10 * time.Second

// Build describes the program that produced a run.
type Build struct {
	GoVersion string `json:"go_version"`
	// Main is the main module; its version is "(devel)" for a build
	// inside the module's own directory.
	Main Module `json:"main"`
	// Dependencies are the modules linked into the binary, as the go
	// command recorded them.
	Dependencies []Module `json:"dependencies"`
	VCS          VCS      `json:"vcs"`
}

// Module is a module path and version.
type Module struct {
	Path    string `json:"path"`
	Version string `json:"version"`
	// Sum is the go.sum hash of the module, empty for the main module.
	Sum string `json:"sum,omitempty"`
	// Replace is the module that replaced this one, if any.
	Replace *Module `json:"replace,omitempty"`
}

// VCS identifies the source revision.
type VCS struct {
	// Source is SourceBuildInfo, SourceGit, or Unknown when neither
	// provided a revision.
	Source string `json:"source"`
	// Revision is the commit hash, or Unknown.
	Revision string `json:"revision"`
	// Modified is "true" when the working tree had changes that the
	// commit lacks, "false" when it had none, or Unknown.
	Modified string `json:"modified"`
	// Time is the commit time in RFC 3339 when the build info records
	// it, empty otherwise.
	Time string `json:"time,omitempty"`
}

// ReadBuild returns the build of the running program. The VCS facts come
// from the build info's vcs.* settings when the go command stamped them;
// otherwise (a build with -buildvcs=false, go run, go test) from git run
// in dir, if git is on the PATH and dir is inside a repository; otherwise
// they are Unknown.
func ReadBuild(dir string) Build {
	info, ok := debug.ReadBuildInfo()
	b := buildFromInfo(info, ok)
	if b.VCS.Source == Unknown {
		if v, ok := gitVCS(dir); ok {
			b.VCS = v
		}
	}
	return b
}

// buildFromInfo converts the build info; ok is false when the binary has
// none.
func buildFromInfo(info *debug.BuildInfo, ok bool) Build {
	b := Build{
		GoVersion: runtime.Version(),
		Main:      Module{Path: Unknown, Version: Unknown},
		VCS:       VCS{Source: Unknown, Revision: Unknown, Modified: Unknown},
	}
	if !ok || info == nil {
		return b
	}
	if info.GoVersion != "" {
		b.GoVersion = info.GoVersion
	}
	if info.Main.Path != "" {
		b.Main = convertModule(&info.Main)
	}
	for _, d := range info.Deps {
		b.Dependencies = append(b.Dependencies, convertModule(d))
	}

	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		b.VCS = VCS{Source: SourceBuildInfo, Revision: rev, Modified: Unknown, Time: settings["vcs.time"]}
		if m := settings["vcs.modified"]; m == "true" || m == "false" {
			b.VCS.Modified = m
		}
	}
	return b
}

func convertModule(m *debug.Module) Module {
	c := Module{Path: m.Path, Version: m.Version, Sum: m.Sum}
	if m.Replace != nil {
		r := convertModule(m.Replace)
		c.Replace = &r
	}
	return c
}

// gitVCS queries git for the revision and the state of the working tree in
// dir. It returns false if git is missing or dir is not in a repository.
func gitVCS(dir string) (VCS, bool) {
	if _, err := exec.LookPath("git"); err != nil {
		return VCS{}, false
	}
	rev, err := runGit(dir, "rev-parse", "HEAD")
	if err != nil || rev == "" {
		return VCS{}, false
	}
	v := VCS{Source: SourceGit, Revision: rev, Modified: Unknown}
	status, err := runGit(dir, "status", "--porcelain")
	if err == nil {
		v.Modified = "false"
		if status != "" {
			v.Modified = "true"
		}
	}
	return v, true
}

// runGit runs git with args in dir and returns its standard output with
// surrounding white space removed.
func runGit(dir string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return "", err
	}
	return strings.TrimSpace(out.String()), nil
}
