// Package e2e holds the browser tests of zhupei. They build the real binary,
// run it as `make run` does (command serve, on an empty data directory, so
// that it creates the demo year), and drive headless Debian chromium
// (/usr/bin/chromium, which `make test` installs) against it with chromedp.
//
// The package has no code of its own: everything lives in the test files.
// harness_test.go holds the helpers that every browser test uses:
//
//   - startServer runs one zhupei process for a test and stops it at cleanup;
//     startServerOn runs it on a given data directory (a restart), kill ends
//     it with SIGKILL;
//   - newBrowser starts one chromium for a test, newIsolatedContext opens a
//     second, cookie-isolated user in the same browser;
//   - mobile and desktop emulate a phone in WeChat and a desktop browser;
//   - open, evaluate, text, texts, count and waitFor navigate, read the page
//     and wait for it, failing the test with a clear message; screenshot
//     saves the page to a PNG file.
//
// layout_test.go checks that no page scrolls sideways at 320, 375 and 414 px;
// with ZHUPEI_E2E_SHOTS set to a directory it also saves a screenshot of
// every page it opens there, at each width and at 1280 px.
//
// faults_test.go and instances_test.go are the process-level fault tests,
// which drive zhupei over HTTP as applicants do (internal/sim) rather than
// in a browser: SIGKILL during a burst of submissions and a restart, the
// sandbox WeChat failing half its calls, the Mongo server stopped and
// started under the service, and two processes on one Mongo-protocol store
// (the in-process FerretDB of store/mongo/ferret) behind a balancer without
// sticky sessions.
//
// A failed test logs the server's stderr and a screenshot of each of its tabs.
package e2e
