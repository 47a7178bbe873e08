// Package e2e drives the real civicgrid binary from a headless Chromium.
//
// The tests build ./cmd/civicgrid once per run, start it with the 新泾镇 demo on a free port of
// 127.0.0.1, and open pages with chromedp. They need the Debian chromium package
// (/usr/bin/chromium, or the path in CHROMIUM_PATH). Without it they skip, except on CI
// (CI=true), where a missing browser is a failure. `go test -short` skips them.
//
// Screenshots go outside the repository: to $CIVICGRID_E2E_SHOTS when set, else to a directory under
// the system's temporary directory (logged), so that running the tests never changes the tree. The
// README's pictures in docs/screenshots/ change only through ./scripts/screenshots.sh, which sets
// CIVICGRID_E2E_SHOTS to that folder.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeouts of the harness.
const (
	// The demo server loads a season of every capability before it listens: ~8 s on an idle
	// 2-core machine, over 60 s when other packages' tests share the cores (seen at load 20).
	serverStartTimeout = 180 * time.Second
	serverStopTimeout  = 25 * time.Second // the server drains requests for up to 20 s
	browserTimeout     = 90 * time.Second
)

// Server is a civicgrid process started for one test.
type Server struct {
	URL     string // base URL without a trailing slash, e.g. http://127.0.0.1:41234
	DataDir string // the server's --data directory, removed after the test

	cmd     *exec.Cmd
	out     *syncBuffer
	done    chan struct{} // closed when the process has exited
	waitErr error         // the process's exit error, set before done is closed
}

// Output returns what the server has written to stdout and stderr so far.
func (s *Server) Output() string { return s.out.String() }

// StartServer builds the civicgrid binary (once per test run), starts
// `civicgrid serve --demo` on a free port of 127.0.0.1 with a fresh data directory, and waits
// until GET /healthz answers 200. The server is stopped when the test ends. extraArgs are added
// to the serve command line (e.g. "--tiles", url).
func StartServer(t testing.TB, extraArgs ...string) *Server {
	t.Helper()
	skipUnlessBrowser(t)
	bin, err := binary()
	if err != nil {
		t.Fatalf("build civicgrid: %v", err)
	}
	dataDir := t.TempDir()
	// A port picked now may be taken before the server binds it: retry a few times.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := startServer(t, bin, dataDir, extraArgs)
		if err == nil {
			return s
		}
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	t.Fatal(lastErr)
	return nil
}

func startServer(t testing.TB, bin, dataDir string, extraArgs []string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", port)
	s := &Server{URL: "http://" + addr, DataDir: dataDir, out: &syncBuffer{}}
	s.cmd = exec.Command(bin, append([]string{"serve", "--addr", addr, "--data", dataDir, "--demo"}, extraArgs...)...)
	s.cmd.Env = append(os.Environ(), "CIVICGRID_DB=") // always the SQLite file in dataDir
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s.done = make(chan struct{})
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.done)
	}()

	if err := s.waitHealthy(); err != nil {
		s.stop()
		return nil, fmt.Errorf("civicgrid serve on %s: %w\n--- server output ---\n%s", addr, err, s.Output())
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("stop civicgrid: %v\n--- server output ---\n%s", err, s.Output())
		}
	})
	return s, nil
}

// waitHealthy polls /healthz until it answers 200, the process exits or the timeout passes.
func (s *Server) waitHealthy() error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(serverStartTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("exited before it was healthy: %v", s.waitErr)
		default:
		}
		resp, err := client.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("GET /healthz did not answer 200 within %s", serverStartTimeout)
}

// stop sends SIGTERM, waits for a graceful exit and kills the process if it hangs.
func (s *Server) stop() error {
	select {
	case <-s.done: // exited already (failed start): nothing to stop
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		var exit *exec.ExitError
		if errors.As(s.waitErr, &exit) && !exit.Exited() { // killed by the signal before it installed a handler
			return nil
		}
		return s.waitErr
	case <-time.After(serverStopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("no exit %s after SIGTERM: killed", serverStopTimeout)
	}
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}

var build struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// binary builds ./cmd/civicgrid into a temporary directory the first time it is called.
func binary() (string, error) {
	build.once.Do(func() {
		root, err := ModuleRoot()
		if err != nil {
			build.err = err
			return
		}
		build.dir, err = os.MkdirTemp("", "civicgrid-e2e-")
		if err != nil {
			build.err = err
			return
		}
		bin := filepath.Join(build.dir, "civicgrid")
		cmd := exec.Command(goTool(), "build", "-o", bin, "./cmd/civicgrid")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build ./cmd/civicgrid: %w\n%s", err, out)
			return
		}
		build.bin = bin
	})
	return build.bin, build.err
}

// RunTests runs the package's tests and removes the binary built for them. Call it from
// TestMain: func TestMain(m *testing.M) { os.Exit(e2e.RunTests(m)) }.
func RunTests(m *testing.M) int {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	return code
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// ModuleRoot returns the directory of the go.mod that contains the working directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// chromiumPath is the browser the tests drive: CHROMIUM_PATH or Debian's /usr/bin/chromium.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// skipUnlessBrowser skips the test in -short mode or without Chromium; on CI a missing
// Chromium fails the test, because CI must run the browser tests.
func skipUnlessBrowser(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped in -short mode")
	}
	p := chromiumPath()
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser test: no Chromium at %s (install the chromium package or set CHROMIUM_PATH): %v", p, err)
		}
		t.Skipf("browser test: no Chromium at %s (set CHROMIUM_PATH)", p)
	}
}

// NewBrowser starts a headless Chromium with a fresh profile and a width×height viewport and
// returns a context for chromedp actions. The context ends after 90 s; the browser is closed
// when the test ends. Widths under 600 px emulate a phone (mobile viewport, touch).
func NewBrowser(t testing.TB, width, height int) context.Context {
	t.Helper()
	skipUnlessBrowser(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(tabCtx, browserTimeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	view := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
	if width < 600 {
		view = append(view, chromedp.EmulateMobile, chromedp.EmulateTouch)
	} else {
		view = []chromedp.EmulateViewportOption{chromedp.EmulateLandscape}
	}
	// The first action starts the browser.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height), view...)); err != nil {
		t.Fatalf("start Chromium (%s): %v", chromiumPath(), err)
	}
	return ctx
}

// Login signs in through the form on /login of a signed-out browser and waits for the page
// the server redirects to. A refused sign-in returns an error with the page's error message.
func Login(ctx context.Context, baseURL, username, password string) error {
	err := chromedp.Do(ctx,
		chromedp.Navigate(baseURL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#login-form input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name="username"]`), username),
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name="password"]`), password),
	)
	if err != nil {
		return fmt.Errorf("sign in as %s: fill the form: %w", username, err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#login-form button[type="submit"]`))); err != nil {
		return fmt.Errorf("sign in as %s: submit: %w", username, err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return fmt.Errorf("sign in as %s: %w", username, err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		return fmt.Errorf("sign in as %s: location %q: %w", username, loc, err)
	}
	if u.Path == "/login" {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('.error[role=alert]') || {}).innerText || ''`))
		return fmt.Errorf("sign in as %s: still on /login: %q", username, strings.TrimSpace(msg))
	}
	return nil
}

// OpenMap opens /map, waits until map.js has drawn the grids (body[data-map-ready]) and
// returns the number of grids it drew (#map[data-grids]).
func OpenMap(ctx context.Context, baseURL string) (int, error) {
	if err := chromedp.Do(ctx, chromedp.Navigate(baseURL+"/map")); err != nil {
		return 0, fmt.Errorf("open /map: %w", err)
	}
	state, err := chromedp.Run(ctx, chromedp.Poll[string](`document.body.dataset.mapReady`, chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		return 0, fmt.Errorf("wait for the map: %w", err)
	}
	if state != "1" {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('map').dataset.error || ''`))
		return 0, fmt.Errorf("the map did not draw: data-map-ready=%q: %s", state, msg)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Number(document.getElementById('map').dataset.grids)`))
	if err != nil {
		return 0, fmt.Errorf("read #map[data-grids]: %w", err)
	}
	return n, nil
}

// mapIdleJS resolves once the Leaflet map in #map has stopped moving: no pan or zoom
// animation class and the same computed transforms for 20 animation frames in a row.
const mapIdleJS = `new Promise(resolve => {
	const el = document.getElementById('map');
	const sig = () => [el.querySelector('.leaflet-map-pane'), ...el.querySelectorAll('.leaflet-zoom-animated')]
		.map(e => e ? getComputedStyle(e).transform : '').join('|');
	const busy = () => !!el.querySelector('.leaflet-zoom-anim, .leaflet-pan-anim');
	let last = null, same = 0;
	(function tick() {
		const s = sig();
		if (s === last && !busy()) {
			if (++same >= 20) return resolve(true);
		} else {
			same = 0;
			last = s;
		}
		requestAnimationFrame(tick);
	})();
})`

// WaitMapIdle waits until the map on the current page has finished panning and zooming, so
// that a screenshot does not catch it half-way through an animation.
func WaitMapIdle(ctx context.Context) error {
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](mapIdleJS, chromedp.EvalAwaitPromise)); err != nil {
		return fmt.Errorf("wait for the map to stop moving: %w", err)
	}
	return nil
}

var screenshotName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Screenshot saves a full-page PNG of the current page as <name>.png in ShotsDir, and logs the path.
func Screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	if !screenshotName.MatchString(name) {
		t.Fatalf("screenshot name %q: use lower-case letters, digits and '-'", name)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir, err := ShotsDir()
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	t.Logf("screenshot %s", path)
}

// ShotsDir is where screenshots go: $CIVICGRID_E2E_SHOTS when set (./scripts/screenshots.sh points
// it at docs/screenshots), else civicgrid-e2e-shots under the system's temporary directory, which
// outlives the test so that the pictures can be looked at afterwards.
func ShotsDir() (string, error) {
	dir := os.Getenv("CIVICGRID_E2E_SHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "civicgrid-e2e-shots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, nil
}

// syncBuffer is a bytes.Buffer that the process's stdout and stderr can share.
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
