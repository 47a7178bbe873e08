package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// watch records a line for every event of a browser that note turns into one and returns a
// function listing the lines so far (what names the watch in a failure).
func watch(t *testing.T, ctx context.Context, what string, note func(ev any) (string, bool)) func() []string {
	t.Helper()
	var mu sync.Mutex
	var lines []string
	err := chromedp.Listen(ctx, func(ev any) {
		if line, ok := note(ev); ok {
			mu.Lock()
			lines = append(lines, line)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatalf("watch %s: %v", what, err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), lines...)
	}
}

// jsErrors records the scripts' uncaught exceptions of a browser and returns a function listing them.
func jsErrors(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	return watch(t, ctx, "exceptions", func(ev any) (string, bool) {
		e, ok := ev.(*runtime.EventExceptionThrown)
		if !ok || e.ExceptionDetails == nil {
			return "", false
		}
		msg := e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			msg += " " + e.ExceptionDetails.Exception.Description
		}
		return msg, true
	})
}

// noScriptErrors fails the test, at its end, when a script of any of the browsers threw.
func noScriptErrors(t *testing.T, browsers ...context.Context) {
	t.Helper()
	errs := make([]func() []string, len(browsers))
	for i, b := range browsers {
		errs[i] = jsErrors(t, b)
	}
	t.Cleanup(func() {
		var all []string
		for _, e := range errs {
			all = append(all, e()...)
		}
		if len(all) > 0 {
			t.Errorf("script errors: %v", all)
		}
	})
}

// watchFailures records every response of status 400 or more the browser receives (a missing
// favicon, a forbidden API call) and returns a function that lists them.
func watchFailures(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	return watch(t, ctx, "responses", func(ev any) (string, bool) {
		if r, ok := ev.(*network.EventResponseReceived); ok && r.Response != nil && r.Response.Status >= 400 {
			return fmt.Sprintf("%d %s", r.Response.Status, r.Response.URL), true
		}
		return "", false
	})
}

// emptySlot returns the first bookable slot of a resource, from days ahead on, that nobody has
// booked or waits for; the test fails when there is none.
func emptySlot(t *testing.T, ctx context.Context, resource int64, days int) e2eSlot {
	t.Helper()
	from := time.Now().AddDate(0, 0, days).Format("2006-01-02")
	var ss struct{ Slots []e2eSlot }
	apiFetch(t, ctx, "GET", fmt.Sprintf("/api/v1/bookings/resources/%d/slots?from=%s", resource, from), "", &ss)
	for _, s := range ss.Slots {
		if s.Used == 0 && !s.Closed && s.Waiting == 0 {
			return s
		}
	}
	t.Fatalf("no empty slot of resource %d from %s: %+v", resource, from, ss.Slots)
	return e2eSlot{}
}

// noConsoleErrors fails the test, at its end, for an exception or an error the console of a
// browser logged; an error whose text holds expected (when not "") is one the test causes.
func noConsoleErrors(t *testing.T, ctx context.Context, expected string) {
	t.Helper()
	var mu sync.Mutex
	var logs []chromedp.ConsoleMessage
	recordConsole(ctx, &mu, &logs)
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range logs {
			if m.IsException() || (m.Type == "error" && (expected == "" || !strings.Contains(m.Text, expected))) {
				t.Errorf("console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line)
			}
		}
	})
}
