package open311backend

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/open311"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// status folds an order state into Open311's two: open while the order still needs work, closed
// once it is closed, rated, rejected or merged. workorder's state table is the single source.
func status(state string) string {
	if workorder.IsOpen(workorder.State(state)) {
		return open311.StatusOpen
	}
	return open311.StatusClosed
}

// statesOf lists the order states behind an Open311 status; "" means all.
func statesOf(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, si := range workorder.States {
		if status(string(si.State)) == s {
			out = append(out, string(si.State))
		}
	}
	return out
}

// pageSize is orders.List's largest page.
const pageSize = 500

// Requests lists the town's orders of every channel, newest first: Open311 shows what the town
// is working on, not only what arrived through Open311.
func (b *backend) Requests(ctx context.Context, j string, f open311.Filter) ([]open311.Request, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	var list []orders.Order
	if len(f.IDs) > 0 {
		for _, id := range f.IDs {
			o, err := b.byNumber(ctx, j, id)
			if errors.Is(err, open311.ErrNotFound) {
				continue // the specification lists what exists and leaves out the rest
			}
			if err != nil {
				return nil, err
			}
			list = append(list, o)
		}
	} else {
		base := orders.Filter{Towns: []string{j}, States: statesOf(f.Status), From: f.Start, Sort: "-received_at"}
		if f.End != nil {
			end := f.End.Add(time.Millisecond) // List's To is exclusive, Open311's end_date inclusive
			base.To = &end
		}
		codes := f.ServiceCodes
		if len(codes) == 0 {
			codes = []string{""}
		}
		seen := map[int64]bool{}
		// orders.Filter takes one category; a handful of codes is a handful of indexed queries.
		for _, code := range codes {
			got, err := b.list(ctx, base, code, limit)
			if err != nil {
				return nil, err
			}
			for _, o := range got {
				if !seen[o.ID] {
					seen[o.ID] = true
					list = append(list, o)
				}
			}
		}
		if len(codes) > 1 {
			slices.SortFunc(list, func(x, y orders.Order) int { // newest first, as List sorts
				if c := y.ReceivedAt.Compare(x.ReceivedAt); c != 0 {
					return c
				}
				return cmp.Compare(y.ID, x.ID)
			})
		}
		if len(list) > limit {
			list = list[:limit]
		}
	}
	names, err := b.names(ctx, j)
	if err != nil {
		return nil, err
	}
	out := make([]open311.Request, 0, len(list))
	for _, o := range list {
		// Only orders that were handled, rejected or merged have public notes or photos;
		// loading the history of the others would cost a query each for nothing.
		if o.Result != "" || o.State == string(workorder.Rejected) || o.State == string(workorder.Merged) {
			if o, err = b.orders.Get(ctx, []string{j}, o.ID, true); err != nil {
				return nil, err
			}
		}
		out = append(out, toRequest(o, names))
	}
	return out, nil
}

// list pages through orders.List until limit orders of category code ("" any) are read.
func (b *backend) list(ctx context.Context, f orders.Filter, code string, limit int) ([]orders.Order, error) {
	f.Category = code
	var out []orders.Order
	for len(out) < limit {
		f.Limit, f.Offset = min(pageSize, limit-len(out)), len(out)
		total, page, err := b.orders.List(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("list orders: %w", err)
		}
		out = append(out, page...)
		if len(page) == 0 || len(out) >= total {
			break
		}
	}
	return out, nil
}

// Request returns one order by number.
func (b *backend) Request(ctx context.Context, j, id string) (open311.Request, error) {
	o, err := b.byNumber(ctx, j, id)
	if err != nil {
		return open311.Request{}, err
	}
	if o, err = b.orders.Get(ctx, []string{j}, o.ID, true); err != nil {
		return open311.Request{}, err
	}
	names, err := b.names(ctx, j)
	if err != nil {
		return open311.Request{}, err
	}
	return toRequest(o, names), nil
}

// byNumber finds an order of town j by number. Numbers end in the order's id (orders.Create
// derives them so), which makes this a primary-key read; comparing the whole number afterwards
// keeps a forged prefix from reaching another order.
func (b *backend) byNumber(ctx context.Context, j, number string) (orders.Order, error) {
	i := strings.LastIndexByte(number, '-')
	id, err := strconv.ParseInt(number[i+1:], 10, 64)
	if err != nil || id <= 0 {
		return orders.Order{}, open311.ErrNotFound
	}
	o, err := b.orders.Get(ctx, []string{j}, id, false)
	if errors.Is(err, problem.ErrNotFound) || (err == nil && o.Number != number) {
		return orders.Order{}, open311.ErrNotFound
	}
	if err != nil {
		return orders.Order{}, fmt.Errorf("order %s: %w", number, err)
	}
	return o, nil
}

// names are the town's labels a request shows instead of codes.
type names struct {
	categories  map[string]string
	departments map[string]string
}

func (b *backend) names(ctx context.Context, j string) (names, error) {
	n := names{categories: map[string]string{}, departments: map[string]string{}}
	cats, err := b.orders.Categories(ctx, j)
	if err != nil {
		return n, err
	}
	for _, c := range cats {
		n.categories[c.Code] = c.Name
	}
	depts, err := places.Departments(ctx, b.db, []string{j})
	if err != nil {
		return n, fmt.Errorf("departments of town %s: %w", j, err)
	}
	for _, d := range depts {
		n.departments[d.Code] = d.Name
	}
	return n, nil
}

// toRequest is the one place an order becomes public. It copies no personal field (caller
// name and phone, raiser, e-mail) and masks them in the texts it does copy, because hotline
// operators often type the caller's details into the content.
func toRequest(o orders.Order, n names) open311.Request {
	text, footer := o.Content, map[string]string(nil)
	if o.Channel == orders.ChannelOpen311 {
		text, footer = splitFooter(o.Content)
	}
	r := open311.Request{
		ServiceRequestID:  o.Number,
		Status:            status(o.State),
		ServiceCode:       o.Category,
		ServiceName:       n.categories[o.Category],
		Description:       scrub(text, o.CallerName),
		AgencyResponsible: n.departments[o.Department],
		RequestedDatetime: o.ReceivedAt,
		UpdatedDatetime:   o.UpdatedAt,
		ExpectedDatetime:  o.Deadline,
		Address:           o.Address,
		AddressID:         footer[footerAddressID],
		Lat:               o.Lat,
		Long:              o.Lng,
		MediaURL:          footer[footerMediaURL],
	}
	if o.Department != "" && r.AgencyResponsible == "" {
		r.AgencyResponsible = o.Department // a department deleted since still names someone
	}
	for _, e := range o.Events {
		if note := publicNote(e); note != "" {
			r.StatusNotes = scrub(note, o.CallerName)
		}
		if len(e.Photos) > 0 && r.MediaURL == "" {
			r.MediaURL = "/uploads/" + e.Photos[0]
		}
	}
	return r
}

// publicNote is what an event tells the public: the handling result, why an order was not
// accepted or was merged. Dispatchers' and inspectors' notes are internal and stay out.
func publicNote(e orders.Event) string {
	switch workorder.Action(e.Action) {
	case workorder.ActReport:
		return e.Result
	case workorder.ActReject:
		if e.Reason == "" {
			return "不予立案"
		}
		return e.Reason
	case workorder.ActMerge:
		if e.Reason == "" {
			return "已合并（重复件）"
		}
		return e.Reason
	}
	return ""
}

var (
	// phoneLike is seven or more digits, split by up to three spaces, dashes or dots: mobile and
	// landline numbers (with +86, which is digits too), but not house numbers (1035弄) or years.
	// A digit is any decimal digit (ASCII, full-width １３８, …), a Chinese numeral as numbers are
	// read out (一三八, 幺 for 1, 两, 〇/○/零 for 0, the financial 壹贰叁…) or a circled one:
	// hotline operators type callers' numbers as they hear them. It also catches dates and
	// hotline ids written as digit runs; masking those too is the safe mistake.
	phoneLike = regexp.MustCompile(phoneDigit + `(?:[\t \x{3000}\-‐‑‒–—―－.．·・]{0,3}` + phoneDigit + `){6,}`)
	// orderNumberLike is an order number (310105102-20251001-000123, or XJ-… whose digits start
	// at the date), which a merge reason quotes and which is public anyway.
	orderNumberLike = regexp.MustCompile(`^(?:\d+-)?\d{8}-\d{6,}$`)
	emailLike       = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
)

// phoneDigit is one digit of a phone number as people write it (see phoneLike).
const phoneDigit = `[\p{Nd}〇○零一壹幺二贰两三叁四肆五伍六陆七柒八捌九玖⓪①-⑨]`

// scrub masks phone numbers, e-mail addresses and the caller's name in public text.
func scrub(s, caller string) string {
	s = phoneLike.ReplaceAllStringFunc(s, func(m string) string {
		if orderNumberLike.MatchString(m) {
			return m
		}
		return auth.MaskPhone(m)
	})
	s = emailLike.ReplaceAllStringFunc(s, func(m string) string {
		_, domain, _ := strings.Cut(m, "@")
		return "***@" + domain
	})
	// A one-character name would mask that character everywhere; such names are not given.
	if caller = strings.TrimSpace(caller); utf8.RuneCountInString(caller) >= 2 {
		s = strings.ReplaceAll(s, caller, auth.MaskName(caller))
	}
	return s
}
