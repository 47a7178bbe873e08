package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/bookings"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// cliManager is the installation's own tool acting as a resource manager of a town.
var cliManager = auth.User{Username: "cli", Role: auth.RoleAdmin}

func runBookingsList(ctx context.Context, args []string, out io.Writer) error {
	var town string
	var days int
	c := newDBCommand("bookings list", "bookable resources with their coming slots", "bookings list [--town CODE] [--days 14]", out)
	c.StringVar(&town, "town", "", "only this town's resources")
	c.IntVar(&days, "days", 14, "count slots this many days ahead")
	return c.run(ctx, args, func(db *store.DB) error {
		var towns []string
		if town != "" {
			towns = []string{town}
		}
		s := &bookings.Service{DB: db}
		list, err := s.Resources(ctx, towns)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTOWN\tKIND\tNAME\tWHO\tPOINTS\tSLOTS\tBOOKED\tLEFT\tWAITING")
		now := time.Now()
		for _, r := range list {
			slots, err := s.Slots(ctx, r.ID, now, now.AddDate(0, 0, days))
			if err != nil {
				return err
			}
			used, left, waiting := 0, 0, 0
			for _, sl := range slots {
				used += sl.Used
				left += sl.Left
				waiting += sl.Waiting
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n", r.ID, r.TownCode, r.Kind, r.Name, r.Who, len(r.Points), len(slots), used, left, waiting)
		}
		return tw.Flush()
	})
}

func runBookingsSlotsCreate(ctx context.Context, args []string, out io.Writer) error {
	var resource int64
	var from, to, weekdays, times string
	var capN, groups int
	var skip bool
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: civicgrid bookings slots create --resource ID …")
	}
	args = args[1:]
	c := newDBCommand("bookings slots create", "create a resource's slots in bulk from a weekly pattern",
		"bookings slots create --resource ID --from 2026-12-01 --to 2026-12-31 --weekdays 2,4,6 --times 09:30-11:30,14:00-16:00 --capacity 40 [--max-groups 2] [--skip-holidays]", out)
	c.Int64Var(&resource, "resource", 0, "the resource's id (bookings list)")
	c.StringVar(&from, "from", "", "first day, YYYY-MM-DD")
	c.StringVar(&to, "to", "", "last day, YYYY-MM-DD (inclusive)")
	c.StringVar(&weekdays, "weekdays", "", "weekdays, 1 Monday … 7 Sunday, comma-separated")
	c.StringVar(&times, "times", "", "time ranges, comma-separated: 09:30-11:30,14:00-16:00")
	c.IntVar(&capN, "capacity", 0, "people per slot")
	c.IntVar(&groups, "max-groups", 0, "groups per slot (0: no bound)")
	c.BoolVar(&skip, "skip-holidays", false, "leave out public holidays (Monday to Friday days off in the working calendar)")
	return c.run(ctx, args, func(db *store.DB) error {
		if resource == 0 {
			return fmt.Errorf("--resource is required")
		}
		s := &bookings.Service{DB: db}
		res, err := s.Resource(ctx, resource)
		if err != nil {
			return err
		}
		p := bookings.SlotPattern{From: from, To: to, Times: splitList(times), Capacity: capN, MaxGroups: groups, SkipHolidays: skip}
		for _, w := range splitList(weekdays) {
			n, err := strconv.Atoi(w)
			if err != nil {
				return fmt.Errorf("--weekdays: %q is not a number 1–7", w)
			}
			p.Weekdays = append(p.Weekdays, n)
		}
		n, err := s.CreateSlots(ctx, []string{res.TownCode}, resource, p, audit.Actor{Name: "cli"}, cliManager)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%d slots created for %s (%s … %s, %s)\n", n, res.Name, from, to, workcal.Location())
		return nil
	})
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
