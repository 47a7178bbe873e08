package kpi

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/civicgrid/civicgrid/internal/workcal"
)

// ReportFile is the name of a scheduled report's file: kpi-310105102-2026-11.xlsx for a month,
// kpi-310105102-2026-Q3.xlsx for a quarter, in Chinese; the English copy of the same report ends
// in .en.xlsx. Submatches: town, period, language ("" for Chinese, "en").
var ReportFile = regexp.MustCompile(`^kpi-([0-9]{9})-([0-9]{4}-(?:[0-9]{2}|Q[1-4]))(?:\.(en))?\.xlsx$`)

// ReportLanguages are the languages a scheduled report is written in, each with its file
// suffix: Chinese first (the town's own), English beside it for readers of the English UI.
var ReportLanguages = []struct{ Lang, Suffix string }{{"zh", ""}, {"en", ".en"}}

// DuePeriods are the periods whose scheduled reports are due at now: the previous month and
// the previous quarter, named as the report commands name them.
func DuePeriods(now time.Time) map[string]Period {
	month, _ := PeriodOf("month", now)
	quarter, _ := PeriodOf("quarter", now)
	pm, pq := month.Previous(), quarter.Previous()
	return map[string]Period{
		pm.From.Format("2006-01"): pm,
		fmt.Sprintf("%d-Q%d", pq.From.Year(), (int(pq.From.Month())+2)/3): pq,
	}
}

// WriteDueReports writes into dir, for each town, the report of the previous month and of the
// previous quarter, in Chinese and in English, unless its file is there already: run on any day, it catches up
// with the 1st it missed. A report is written to a temporary file and renamed, so a reader (or
// a second server sharing the directory) never sees half a workbook. It returns the files
// written.
func (s *Service) WriteDueReports(ctx context.Context, dir string, towns []string, now time.Time) ([]string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	var written []string
	for _, town := range towns {
		for name, p := range DuePeriods(now) {
			for _, l := range ReportLanguages {
				file := filepath.Join(dir, "kpi-"+town+"-"+name+l.Suffix+".xlsx")
				if !ReportFile.MatchString(filepath.Base(file)) {
					return written, fmt.Errorf("scheduled report: bad file name %s", file)
				}
				if _, err := os.Stat(file); err == nil {
					continue
				}
				if err := s.writeReportFile(ctx, dir, file, town, p, l.Lang); err != nil {
					return written, err
				}
				written = append(written, file)
			}
		}
	}
	return written, nil
}

// writeReportFile writes one report through a temporary file renamed into place.
func (s *Service) writeReportFile(ctx context.Context, dir, file, town string, p Period, lang string) error {
	tmp, err := os.CreateTemp(dir, ".kpi-*.tmp")
	if err != nil {
		return err
	}
	err = s.WriteReport(ctx, tmp, []string{town}, p, lang)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("scheduled report %s: %w", filepath.Base(file), err)
	}
	return nil
}

// RunReportScheduler writes the due reports of the towns (listed afresh each time) into dir
// every interval until ctx ends, logging what it wrote and what failed. The first run waits a
// minute (or the interval, if shorter), to keep a server's start (and the tests' servers)
// light. The date that decides which reports are due is now's (nil: the wall clock).
func (s *Service) RunReportScheduler(ctx context.Context, dir string, towns func(context.Context) ([]string, error), interval time.Duration, now workcal.Clock, log *slog.Logger) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(min(interval, time.Minute)):
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		codes, err := towns(ctx)
		if err == nil {
			var files []string
			files, err = s.WriteDueReports(ctx, dir, codes, now.Time())
			for _, f := range files {
				log.Info("scheduled KPI report written", "file", f)
			}
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("scheduled KPI reports", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
