package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// syncBuffer collects serve's log, written from several goroutines, for the test to read as it grows.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// findChromium finds a Chromium or Chrome to drive, or fails saying how to get one.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("no Chromium to drive the demo page: install it (Debian: apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH")
	return ""
}

// TestDemoInBrowser runs `serve -demo` with the real function binary and drives its page in headless Chromium:
// cos-js-sdk-v5 fetches keys from the function (a cross-origin call, so the function's CORS answers a preflight)
// and uploads to the COS emulator (another origin, so the emulator's CORS rules answer too). Simple and multipart
// uploads succeed in the default scope and come back at their size; in the avatar scope an image goes up and an
// HTML file and a 6 MiB image are refused. The page is saved as a screenshot (to COS_DEMO_SCREENSHOT too, when
// set: that is how docs/demo-upload.png is made).
func TestDemoInBrowser(t *testing.T) {
	bin := needFunction(t)
	chrome := findChromium(t)
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-demo", "-bin", bin, "-addr", "127.0.0.1:0", "-cos-addr", "127.0.0.1:0", "-demo-addr", "127.0.0.1:0"},
			cli{stdin: strings.NewReader(""), stdout: &logs, stderr: &logs, environ: nil})
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("serve's log:\n%s", logs.String())
		}
	})
	page := regexp.MustCompile(`demo page at (http://\S+/) `)
	var pageURL string
	for deadline := time.Now().Add(5 * time.Minute); pageURL == ""; time.Sleep(50 * time.Millisecond) {
		if m := page.FindStringSubmatch(logs.String()); m != nil {
			pageURL = m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("serve -demo exited %d before serving the page", code)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve -demo did not announce its page")
		}
	}

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chrome), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1000, 760))
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	browser, cancelTimeout := context.WithTimeout(browser, 4*time.Minute)
	defer cancelTimeout()
	if err := chromedp.Do(browser, chromedp.Navigate(pageURL), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`))); err != nil {
		t.Fatalf("open %s: %v", pageURL, err)
	}

	dir := t.TempDir()
	write := func(name string, size int) string {
		p := filepath.Join(dir, name)
		data := bytes.Repeat([]byte{0x5a, 0x17, 0xa5, 0x3c}, size/4+1)[:size]
		copy(data, "\x89PNG\r\n\x1a\n")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	uploads := []struct {
		scope, format, name string
		size                int
		status, text        string // the row's data-status, and what its result cell must say
	}{
		{"default", "sts", "photo.png", 300 << 10, "uploaded", "COS holds 307200 bytes"},
		{"default", "cam", "video.bin", 3 << 20, "uploaded", "COS holds 3145728 bytes"},
		{"avatar", "sts", "face.png", 5 << 20, "uploaded", "uploaded"}, // exactly the 5 MiB limit
		{"avatar", "cam", "page.html", 1 << 10, "refused", "AccessDenied (403)"},
		{"avatar", "sts", "huge.png", 6 << 20, "refused", "AccessDenied (403)"},
	}
	for _, u := range uploads {
		prefix := map[string]string{"default": "uploads/demo/", "avatar": "avatars/demo/"}[u.scope]
		row := fmt.Sprintf(`tr[data-key=%q]`, prefix+u.name)
		err := chromedp.Do(browser,
			chromedp.Click(chromedp.CSS(`#scope-`+u.scope)),
			chromedp.Click(chromedp.CSS(`#format-`+u.format)),
			chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{write(u.name, u.size)}),
			chromedp.Click(chromedp.CSS(`#upload`)),
			chromedp.WaitVisible(chromedp.CSS(row+`[data-status]`)),
		)
		if err == nil {
			_, err = chromedp.Run(browser, chromedp.Poll[bool](fmt.Sprintf(`document.querySelector(%q).textContent.includes(%q)`,
				row+" td.status", u.text), chromedp.WithPollingTimeout(time.Minute)))
		}
		var status chromedp.AttributeResult
		var text string
		if err == nil {
			status, err = chromedp.Run(browser, chromedp.AttributeValue(chromedp.CSS(row), "data-status"))
		}
		if err == nil {
			text, err = chromedp.Run(browser, chromedp.Text(chromedp.CSS(row+" td.status")))
		}
		if err != nil || status.Value != u.status || !strings.Contains(text, u.text) {
			t.Errorf("%s in scope %s (%s): %q %q, %v; want %s, %q", u.name, u.scope, u.format, status.Value, text, err, u.status, u.text)
		}
	}

	log := logs.String()
	for _, want := range []string{
		"OPTIONS / -> 204", // the function answered the page's preflight
		"OptionsObject examplebucket-1250000000/uploads/demo/photo.png", // COS answered the SDK's preflight
		"PutObject examplebucket-1250000000/uploads/demo/photo.png",
		"UploadPart examplebucket-1250000000/uploads/demo/video.bin",
		"CompleteMultipartUpload examplebucket-1250000000/uploads/demo/video.bin",
		"PutObject examplebucket-1250000000/avatars/demo/face.png",
		"PutObject examplebucket-1250000000/avatars/demo/page.html secretId=",
		"ListMultipartUploads examplebucket-1250000000/",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("serve's log lacks %q", want)
		}
	}

	shot, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if !bytes.HasPrefix(shot, []byte("\x89PNG")) {
		t.Fatalf("screenshot is not a PNG (%d bytes)", len(shot))
	}
	for _, path := range []string{filepath.Join(t.TempDir(), "demo.png"), os.Getenv("COS_DEMO_SCREENSHOT")} {
		if path == "" {
			continue
		}
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Errorf("save the screenshot: %v", err)
		}
	}
}
