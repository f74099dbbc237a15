package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/cosemu"
)

// demoAssets is the demo page: its HTML and the script that calls the function and cos-js-sdk-v5.
//
//go:embed demo/index.html demo/app.js
var demoAssets embed.FS

// sdkFile is cos-js-sdk-v5's browser build inside the demo's node_modules, pinned by demo/package-lock.json.
const sdkFile = "node_modules/cos-js-sdk-v5/dist/cos-js-sdk-v5.min.js"

// demoScopes are the named scopes the demo adds when none are configured: the README's avatar scope on the demo
// bucket, so that the page shows a grant refusing what its limits exclude.
const demoScopes = `{"avatar": {"bucket": %q, "region": %q, "prefixes": ["avatars/"], "actions": ["upload"],
 "durationSeconds": 900, "maxDurationSeconds": 1800,
 "conditions": {"maxContentLength": 5242880, "contentTypes": ["image/*"], "bindSourceIp": true}}}`

// demo is serve's -demo mode: beside the function, a COS emulator that judges the keys the function mints, and a
// page on its own origin whose cos-js-sdk-v5 gets its keys from the function and uploads to the emulator, so that
// both CORS exchanges happen for real.
type demo struct {
	enabled          bool
	cosAddr, webAddr string

	cosLn, webLn net.Listener
	cos          *cosemu.Server
	web          *http.Server
	sdkDir       string // where package.json and node_modules are
	config       demoConfig
}

// demoConfig is what the page reads from /config.json.
type demoConfig struct {
	FunctionURL string      `json:"functionURL"`
	COSDomain   string      `json:"cosDomain"` // cos-js-sdk-v5's Domain: {Bucket}.cos.{Region}.localhost:<port>
	Bucket      string      `json:"bucket"`
	Region      string      `json:"region"`
	Scopes      []pageScope `json:"scopes"`
	Formats     []string    `json:"formats"`
}

// pageScope is a scope the page offers, and how it uploads under it.
type pageScope struct {
	Name      string `json:"name"`
	Prefix    string `json:"prefix"`    // where the page puts its uploads
	SliceSize int64  `json:"sliceSize"` // cos-js-sdk-v5's uploadFile switches to multipart above it
	Download  bool   `json:"download"`  // the scope lets the page read back what it uploaded
	About     string `json:"about"`
}

func demoFlags(fs *flag.FlagSet) *demo {
	d := &demo{}
	fs.BoolVar(&d.enabled, "demo", false, "also serve a COS emulator and a demo page that uploads with cos-js-sdk-v5")
	fs.StringVar(&d.cosAddr, "cos-addr", "127.0.0.1:9001", "with -demo: where the COS emulator listens (loopback)")
	fs.StringVar(&d.webAddr, "demo-addr", "127.0.0.1:9002", "with -demo: where the demo page is served")
	return d
}

// listen takes the demo's two addresses before anything starts, so a busy port fails at once.
func (d *demo) listen() error {
	if _, err := exec.LookPath("npm"); err != nil && d.sdkPath() == "" {
		return errors.New("local: -demo needs cos-js-sdk-v5 from npm, and npm is not on PATH: install Node.js and npm")
	}
	var err error
	if d.cosLn, err = net.Listen("tcp", d.cosAddr); err != nil {
		return fmt.Errorf("local: -cos-addr: %w", err)
	}
	if d.webLn, err = net.Listen("tcp", d.webAddr); err != nil {
		d.cosLn.Close()
		return fmt.Errorf("local: -demo-addr: %w", err)
	}
	return nil
}

// configure adds to the function's environment what the page needs, after the tool's one rule for the
// configuration (functionConfig) has run: the page's origin in STS_ALLOW_ORIGINS and, unless scopes or a policy are
// configured, the README's avatar scope on the default scope's bucket. -demo asks for these, and it says so.
func (d *demo) configure(env map[string]string, stderr io.Writer) {
	origin := "http://" + d.webLn.Addr().String()
	switch o := env["STS_ALLOW_ORIGINS"]; {
	case o == "":
		env["STS_ALLOW_ORIGINS"] = origin
	case o != "*":
		env["STS_ALLOW_ORIGINS"] = o + "," + origin
	}
	added := "STS_ALLOW_ORIGINS gains " + origin
	if env["STS_SCOPES"] == "" && env["STS_SCOPES_FILE"] == "" && env["STS_POLICY"] == "" {
		b, r := demoBucket(env)
		env["STS_SCOPES"] = fmt.Sprintf(demoScopes, b, r)
		added += "; STS_SCOPES holds the demo's avatar scope on " + b
	}
	fmt.Fprintf(stderr, "local: -demo: %s.\n", added)
}

// demoBucket is the bucket and region the demo uploads to: the default scope's, else the demo configuration's.
func demoBucket(env map[string]string) (bucket, region string) {
	bucket, region = env["STS_BUCKET"], env["STS_BUCKET_REGION"]
	for _, d := range demoConfiguration {
		switch {
		case d.name == "STS_BUCKET" && bucket == "":
			bucket = d.value
		case d.name == "STS_BUCKET_REGION" && region == "":
			region = env["STS_REGION"]
			if region == "" {
				region = d.value
			}
		}
	}
	return bucket, region
}

// start serves the COS emulator and the page once the function runs; functionURL is where the page calls it.
func (d *demo) start(ctx context.Context, s *session, functionURL string, c cli) error {
	if s.emu == nil {
		return errors.New("local: -demo needs the embedded STS emulator, whose keys the COS emulator knows: unset STS_ENDPOINT")
	}
	if err := d.installSDK(ctx, c.stderr); err != nil {
		return err
	}
	bucket, region := demoBucket(s.env)
	origin := "http://" + d.webLn.Addr().String()
	d.cos = cosemu.New(cosemu.Options{
		Buckets: []cosemu.Bucket{{Name: bucket, Region: region}},
		Keys:    cosemu.FromSTS(s.emu),
		CORS: []cosemu.CORSRule{{
			// What Tencent's guide to cos-js-sdk-v5 tells a bucket owner to allow: the page's origin, the
			// upload methods, any header, and ETag exposed so that multipart uploads can complete.
			AllowedOrigins: []string{origin}, AllowedMethods: []string{"PUT", "GET", "POST", "DELETE", "HEAD"},
			AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag", "Content-Length", "x-cos-request-id"},
			MaxAgeSeconds: 600,
		}},
		Logf: func(format string, args ...any) { fmt.Fprintf(c.stderr, "local: "+format+"\n", args...) },
	})
	_, cosPort, _ := net.SplitHostPort(d.cosLn.Addr().String())
	d.config = demoConfig{
		FunctionURL: functionURL, COSDomain: "{Bucket}.cos.{Region}.localhost:" + cosPort, Bucket: bucket, Region: region,
		Formats: []string{"sts", "cam"},
		Scopes: []pageScope{
			{Name: "default", Prefix: "uploads/demo/", SliceSize: 1 << 20, Download: true,
				About: "uploads/: any file; above 1 MiB cos-js-sdk-v5 uploads in parts"},
			{Name: "avatar", Prefix: "avatars/demo/", SliceSize: 5 << 20,
				About: "avatars/: images of at most 5 MiB, one request each (SliceSize 5 MiB)"},
		},
	}
	if err := d.cos.StartOn(d.cosLn); err != nil {
		return err
	}
	d.web = &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second}
	go d.web.Serve(d.webLn) //nolint:errcheck // Serve returns when Close closes the listener
	fmt.Fprintf(c.stderr, "local: demo page at %s/ (COS emulator at %s as %s): open it, pick a file, upload.\n",
		origin, d.cosLn.Addr(), strings.ReplaceAll(strings.ReplaceAll(d.config.COSDomain, "{Bucket}", bucket), "{Region}", region))
	return nil
}

// close stops the page and the emulator; listeners taken but never served are closed too.
func (d *demo) close() {
	if d.web != nil {
		d.web.Close() //nolint:errcheck // shutting down
	} else if d.webLn != nil {
		d.webLn.Close()
	}
	if d.cos != nil {
		d.cos.Close()
	} else if d.cosLn != nil {
		d.cosLn.Close()
	}
}

// ServeHTTP serves the page, its script, its configuration and the pinned SDK.
func (d *demo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	switch r.URL.Path {
	case "/", "/index.html":
		d.asset(w, "demo/index.html", "text/html; charset=utf-8")
	case "/app.js":
		d.asset(w, "demo/app.js", "text/javascript; charset=utf-8")
	case "/config.json":
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(d.config) //nolint:errcheck // the browser went away
	case "/cos-js-sdk-v5.min.js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		http.ServeFile(w, r, filepath.Join(d.sdkDir, sdkFile))
	default:
		http.NotFound(w, r)
	}
}

func (d *demo) asset(w http.ResponseWriter, name, contentType string) {
	b, err := demoAssets.ReadFile(name)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Write(b) //nolint:errcheck // the browser went away
}

// sdkPath finds the installed SDK, "" when it is not installed yet.
func (d *demo) sdkPath() string {
	root, err := moduleRoot()
	if err != nil {
		return ""
	}
	d.sdkDir = filepath.Join(root, "cmd", "local", "demo")
	if _, err := os.Stat(filepath.Join(d.sdkDir, sdkFile)); err != nil {
		return ""
	}
	return filepath.Join(d.sdkDir, sdkFile)
}

// installSDK installs cos-js-sdk-v5 as demo/package-lock.json pins it (npm ci, scripts off), once.
func (d *demo) installSDK(ctx context.Context, stderr io.Writer) error {
	if d.sdkPath() != "" {
		return nil
	}
	if d.sdkDir == "" {
		return errNoModule
	}
	fmt.Fprintf(stderr, "local: installing cos-js-sdk-v5 for the demo page: npm ci in %s\n", d.sdkDir)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	cmd.Dir, cmd.Stdout, cmd.Stderr = d.sdkDir, stderr, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("local: npm ci in %s: %w", d.sdkDir, err)
	}
	if d.sdkPath() == "" {
		return fmt.Errorf("local: npm ci in %s did not install %s", d.sdkDir, sdkFile)
	}
	return nil
}
