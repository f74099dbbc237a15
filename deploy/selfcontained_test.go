package deploy_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// repoFile is one file a user who clones the repository receives.
type repoFile struct {
	name string // slash-separated, relative to the repository root
	text []byte // nil for a binary file
}

// repoFiles lists the repository's files: what git tracks plus new files not yet committed (but not ignored
// ones, such as dist/), so that a reference added in a working tree fails before it is committed. Without git
// (an exported tree), every file under the root except .git, dist and tmp.
func repoFiles(t *testing.T, root string, report func(string, ...any)) []repoFile {
	t.Helper()
	var names []string
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		for n := range strings.SplitSeq(strings.TrimRight(string(out), "\x00"), "\x00") {
			if n != "" {
				names = append(names, n)
			}
		}
	} else {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			if d.IsDir() {
				switch rel {
				case ".git", "dist", "tmp":
					return filepath.SkipDir
				}
				return nil
			}
			names = append(names, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			t.Fatalf("walk the repository: %v", err)
		}
	}
	var files []repoFile
	for _, n := range names {
		full := filepath.Join(root, filepath.FromSlash(n))
		st, err := os.Lstat(full)
		if os.IsNotExist(err) {
			continue // deleted in the working tree, not yet committed
		}
		if err != nil {
			t.Fatalf("stat %s: %v", n, err)
		}
		f := repoFile{name: n}
		if st.Mode()&os.ModeSymlink != 0 {
			target, err := os.Readlink(full)
			if err != nil {
				t.Fatalf("read link %s: %v", n, err)
			}
			f.text = []byte(target)
			files = append(files, f)
			if !insideRepo(path.Join(path.Dir(n), filepath.ToSlash(target))) || filepath.IsAbs(target) {
				report("%s is a symbolic link to %s, outside the repository", n, target)
			}
			continue
		}
		b, err := os.ReadFile(full)
		if err != nil {
			t.Fatalf("read %s: %v", n, err)
		}
		if !bytes.Contains(b, []byte{0}) {
			f.text = b
		}
		files = append(files, f)
	}
	return files
}

// insideRepo reports whether a cleaned, slash-separated path relative to the root stays inside it.
func insideRepo(rel string) bool {
	rel = path.Clean(rel)
	return rel != ".." && !strings.HasPrefix(rel, "../") && !path.IsAbs(rel)
}

// outsideMarks are texts that only a reference to something outside the repository would contain: the
// development machine's shared folder and the external specification (docs/contract.md is the project's own),
// absolute paths of a developer's machine, and the team's issue tracker. They are built by concatenation so that
// this file does not name them itself. /tmp is not among them: it is where SCF lets a function write.
var outsideMarks = []*regexp.Regexp{
	regexp.MustCompile(regexp.QuoteMeta("../" + "shared")),
	regexp.MustCompile(regexp.QuoteMeta("shared/" + "SPEC")),
	regexp.MustCompile(`\b` + "SPEC" + `(\.md\b|\s*§)`),
	// An absolute path of a machine, where a path starts: not inside a COS resource such as bucket/home/u1/.
	regexp.MustCompile("(^|[\\s\"'`(=:,;\\[])/(work|home|Users|root|mnt)/"),
	regexp.MustCompile(`(?i)\b[a-z]:\\(users|work)\\`),
	regexp.MustCompile(`file:/` + `/`),
	// The team's tracker, which a user cannot read: a numbered issue, or "the issue" possessive.
	regexp.MustCompile(`(?i)\b` + "issue" + `s?\s+#?\d+\b`),
	regexp.MustCompile(`(?i)\bthe ` + "issue" + `'s\b`),
}

// repoPathRE finds paths into this repository's own folders in any text (Go comments, scripts, docs): each
// must exist, from the root or from the referring file's folder. Globs are left alone.
var repoPathRE = regexp.MustCompile(`\b(?:docs|scripts|cmd|internal|handler|config|policy|auth|issuer|deploy|e2e|testdata)/[A-Za-z0-9_./-]*\.(?:md|go|sh|json|ya?ml)\b`)

// contractCiteRE finds citations of the project's contract by section.
var contractCiteRE = regexp.MustCompile(`contract\.md\)?` + "`?" + `\s*§\s*(\d+)`)

// mdLinkRE finds inline Markdown links and images, reference definitions, and HTML href/src attributes.
var mdLinkRE = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|(?m)^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)|(?:href|src)\s*=\s*"([^"]+)"`)

// TestSelfContained fails when any file in the repository refers to something outside it: the development
// machine's shared folder or external specification, an absolute path of some machine, a Markdown link to a file
// that is not in the repository, a path into the repository's folders that does not exist, a citation of a
// contract section that docs/contract.md does not have, a symbolic link that leaves the tree, or a go.mod replace
// directive that points at a directory. A user who clones the repository has nothing else.
func TestSelfContained(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	problems, checked := selfContainedProblems(t, root)
	if checked < 100 {
		t.Fatalf("checked %d files in %s; want the whole repository", checked, root)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// selfContainedProblems checks the tree at root as TestSelfContained describes and returns one line per problem
// and the number of files it read.
func selfContainedProblems(t *testing.T, root string) (problems []string, checked int) {
	t.Helper()
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	files := repoFiles(t, root, report)
	exists := map[string]bool{}
	for _, f := range files {
		exists[f.name] = true
		for d := path.Dir(f.name); d != "."; d = path.Dir(d) {
			exists[d] = true
		}
	}
	sections := contractSections(t, root)
	headings := map[string]map[string]bool{}
	anchorsOf := func(file string) map[string]bool {
		if headings[file] == nil {
			headings[file] = anchors(t, filepath.Join(root, filepath.FromSlash(file)))
		}
		return headings[file]
	}

	for _, f := range files {
		if f.text == nil {
			continue
		}
		for i, line := range strings.Split(string(f.text), "\n") {
			where := fmt.Sprintf("%s:%d", f.name, i+1)
			for _, re := range outsideMarks {
				if m := re.FindString(line); m != "" {
					report("%s refers outside the repository (%q): %s", where, strings.TrimSpace(m), strings.TrimSpace(line))
					break // one report per line is enough
				}
			}
			for _, m := range repoPathRE.FindAllString(prose(f.name, line), -1) {
				if !exists[m] && !exists[path.Join(path.Dir(f.name), m)] {
					report("%s names %s, which is not in the repository", where, m)
				}
			}
			for _, m := range contractCiteRE.FindAllStringSubmatch(line, -1) {
				if !sections[m[1]] {
					report("%s cites docs/contract.md §%s, which it does not have", where, m[1])
				}
			}
			if !strings.HasSuffix(f.name, ".md") {
				continue
			}
			for _, m := range mdLinkRE.FindAllStringSubmatch(line, -1) {
				target := m[1] + m[2] + m[3]
				if problem := checkLink(f.name, target, exists, anchorsOf); problem != "" {
					report("%s links to %s: %s", where, target, problem)
				}
			}
		}
	}

	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range replacedByDirectory(string(mod)) {
		report("go.mod replaces a module with the directory %s; a clone has only this repository", dir)
	}
	return problems, len(files)
}

// replacedByDirectory returns the directories go.mod's replace directives point at: a replacement written as a
// path (./x, ../x, /x) instead of a module version.
func replacedByDirectory(mod string) []string {
	var dirs []string
	inBlock := false
	for line := range strings.SplitSeq(mod, "\n") {
		line, _, _ = strings.Cut(line, "//")
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
			continue
		case fields[0] == "replace" && len(fields) > 1 && fields[1] == "(":
			inBlock = true
			continue
		case inBlock && fields[0] == ")":
			inBlock = false
			continue
		case fields[0] == "replace":
			fields = fields[1:]
		case !inBlock:
			continue
		}
		for i, f := range fields {
			if f == "=>" && i+1 < len(fields) {
				if n := fields[i+1]; strings.HasPrefix(n, ".") || strings.HasPrefix(n, "/") || filepath.IsAbs(n) {
					dirs = append(dirs, n)
				}
			}
		}
	}
	return dirs
}

// checkLink says what is wrong with a Markdown link target in file, or "" when it is fine: a web address, an
// anchor of the same file, or a file or folder of the repository (with an anchor its headings have).
func checkLink(file, target string, exists map[string]bool, anchorsOf func(string) map[string]bool) string {
	if regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`).MatchString(target) {
		if strings.HasPrefix(target, "file:") {
			return "a file: address names a path on some machine"
		}
		return "" // http(s), mailto: not a path
	}
	p, frag, _ := strings.Cut(target, "#")
	if p == "" {
		if frag != "" && !anchorsOf(file)[frag] {
			return fmt.Sprintf("%s has no heading with the anchor #%s", file, frag)
		}
		return ""
	}
	if strings.HasPrefix(p, "/") {
		return "an absolute path"
	}
	rel := path.Join(path.Dir(file), p)
	if !insideRepo(rel) {
		return "a path outside the repository"
	}
	rel = path.Clean(rel)
	if !exists[rel] {
		return "no such file in the repository"
	}
	if frag != "" && strings.HasSuffix(rel, ".md") && !anchorsOf(rel)[frag] {
		return fmt.Sprintf("%s has no heading with the anchor #%s", rel, frag)
	}
	return ""
}

// prose is the part of a line that talks about the repository rather than holding test data: a Go file's
// comment, a Markdown, shell or YAML line. Go string literals and JSON fixtures hold object keys and file names
// on purpose: a test may name a file that must not exist.
func prose(name, line string) string {
	switch path.Ext(name) {
	case ".go":
		if i := strings.Index(line, "//"); i >= 0 && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return line[i:]
		}
		return ""
	case ".md", ".sh", ".yml", ".yaml", "":
		return line
	}
	return ""
}

// contractSections lists the section numbers docs/contract.md has ("## §4 …").
func contractSections(t *testing.T, root string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "docs", "contract.md"))
	if err != nil {
		t.Fatalf("docs/contract.md: %v", err)
	}
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#+\s*§(\d+)\b`).FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = true
	}
	if len(out) == 0 {
		t.Fatalf("docs/contract.md has no numbered sections")
	}
	return out
}

// anchors lists the anchors GitHub gives a Markdown file's headings: lower case, spaces to hyphens, punctuation
// dropped, repeats numbered.
func anchors(t *testing.T, file string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	out := map[string]bool{}
	seen := map[string]int{}
	inFence := false
	for line := range strings.SplitSeq(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
		}
		if inFence || !strings.HasPrefix(line, "#") {
			continue
		}
		var slug strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(strings.TrimLeft(line, "#"))) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				slug.WriteRune(r)
			case r == ' ':
				slug.WriteByte('-')
			}
		}
		s := slug.String()
		if n := seen[s]; n > 0 {
			out[fmt.Sprintf("%s-%d", s, n)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	}
	return out
}

// TestSelfContainedCatches builds a small tree with one of each mistake, and a few look-alikes that are fine, and
// checks that the checker reports exactly the mistakes.
func TestSelfContainedCatches(t *testing.T) {
	root := t.TempDir()
	shared := "../" + "shared/" + "SPEC" + ".md" // spelled in pieces so that this file does not hold it
	write := func(name, text string) {
		full := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/m\n\ngo 1.26\n\nreplace example.com/x => ../x\nreplace (\n\texample.com/y v1.0.0 => example.com/z v1.0.1\n)\n")
	write("docs/contract.md", "# Contract\n\n## §1 How it is invoked\n\n## §2 Parameters\n")
	write("docs/other.md", "see [the contract](contract.md#1-how-it-is-invoked) and [parameters](contract.md#2-parameters)\n")
	write("README.md", strings.Join([]string{
		"# Readme",
		"[missing](docs/missing.md)",
		"[escape](../outside.md)",
		"[bad anchor](docs/contract.md#nope)",
		"[good](docs/contract.md#1-how-it-is-invoked) [web](https://example.com/a.md) [folder](docs)",
		"[self](#readme) and [no heading](#nowhere)",
		"the old spec: " + shared,
		"run `" + "/work" + "/x/y`",
		"![abs](/abs.png)",
		"[ref]: docs/gone.md",
		"docs/contract.md §2 and docs/contract.md §" + "9",
		`<a href="scripts/none.sh">x</a>`,
	}, "\n")+"\n")
	write("main.go", strings.Join([]string{
		"package main",
		"// see docs/gone-too.md; cites docs/contract.md §1",
		`var a = "testdata/none.json" // a file a test expects to be missing`,
		`var b = "qcs::cos:ap-guangzhou:uid/1:examplebucket-1/home/u1/*"`,
	}, "\n")+"\n")
	write("x/testdata/fakefn/main.go", "package main\n")
	write("x/run.go", "package x\n// builds testdata/fakefn/main.go\n")
	if err := os.Symlink("../../outside", filepath.Join(root, "docs", "link.md")); err != nil {
		t.Fatal(err)
	}

	problems, _ := selfContainedProblems(t, root)
	got := strings.Join(problems, "\n")
	want := []string{
		"README.md:2 links to docs/missing.md: no such file",
		"README.md:3 links to ../outside.md: a path outside the repository",
		"README.md:4 links to docs/contract.md#nope: docs/contract.md has no heading with the anchor #nope",
		"README.md:6 links to #nowhere: README.md has no heading",
		"README.md:7 refers outside the repository",
		"README.md:8 refers outside the repository",
		"README.md:9 links to /abs.png: an absolute path",
		"README.md:10 links to docs/gone.md: no such file",
		"README.md:10 names docs/gone.md",
		"README.md:11 cites docs/contract.md §" + "9",
		"README.md:12 links to scripts/none.sh: no such file",
		"main.go:2 names docs/gone-too.md",
		"docs/link.md is a symbolic link to ../../outside",
		"go.mod replaces a module with the directory ../x",
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("problems lack %q; got:\n%s", w, got)
		}
	}
	// The look-alikes: a good link, a web address, a folder, an anchor that exists, a cited section that exists,
	// a file name in a Go string, a COS resource with a home folder in it, a path relative to the referring folder.
	for _, fine := range []string{"README.md:5 ", "#readme", "docs/other.md", "§2", "main.go:3", "main.go:4", "x/run.go", "example.com/z"} {
		if strings.Contains(got, fine) {
			t.Errorf("problems mention %q, which is fine:\n%s", fine, got)
		}
	}
}
