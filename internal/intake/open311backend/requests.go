package open311backend

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/open311"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
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
// is working on, not only what arrived through Open311. However many ids or service codes the
// filter holds (the handler bounds them), the orders are read with one query — an IN list — not
// one per value, and the histories of those that need one with one more.
func (b *backend) Requests(ctx context.Context, j string, f open311.Filter) ([]open311.Request, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	var list []orders.Order
	var err error
	if len(f.IDs) > 0 {
		list, err = b.byNumbers(ctx, j, f.IDs)
	} else {
		base := orders.Filter{Towns: []string{j}, States: statesOf(f.Status), From: f.Start, Sort: "-received_at", Categories: f.ServiceCodes}
		if f.End != nil {
			end := f.End.Add(time.Millisecond) // List's To is exclusive, Open311's end_date inclusive
			base.To = &end
		}
		list, err = b.list(ctx, base, limit)
	}
	if err != nil {
		return nil, err
	}
	if len(list) > limit {
		list = list[:limit]
	}
	// Only orders that were handled, rejected or merged have public notes or photos; their
	// histories are read together.
	var need []int64
	for _, o := range list {
		if o.Result != "" || o.State == string(workorder.Rejected) || o.State == string(workorder.Merged) {
			need = append(need, o.ID)
		}
	}
	if len(need) > 0 {
		full, err := b.orders.ByIDs(ctx, []string{j}, need, true)
		if err != nil {
			return nil, fmt.Errorf("histories of %d orders: %w", len(need), err)
		}
		byID := make(map[int64]orders.Order, len(full))
		for _, o := range full {
			byID[o.ID] = o
		}
		for i, o := range list {
			if x, ok := byID[o.ID]; ok {
				list[i] = x
			}
		}
	}
	names, err := b.names(ctx, j)
	if err != nil {
		return nil, err
	}
	pub, err := b.publication(ctx, j)
	if err != nil {
		return nil, err
	}
	out := make([]open311.Request, 0, len(list))
	for _, o := range list {
		out = append(out, toRequest(o, names, pub))
	}
	return out, nil
}

// byNumbers finds the orders of town j among numbers, in the order asked for, with one query:
// numbers end in the order's id (orders.Create derives them so), and comparing the whole number
// afterwards keeps a forged prefix from reaching another order. Numbers that match nothing are
// left out, as the specification lists what exists.
func (b *backend) byNumbers(ctx context.Context, j string, numbers []string) ([]orders.Order, error) {
	var ids []int64
	for _, n := range numbers {
		if id := idOf(n); id > 0 {
			ids = append(ids, id)
		}
	}
	found, err := b.orders.ByIDs(ctx, []string{j}, ids, false)
	if err != nil {
		return nil, fmt.Errorf("orders by number: %w", err)
	}
	byNumber := make(map[string]orders.Order, len(found))
	for _, o := range found {
		byNumber[o.Number] = o
	}
	var out []orders.Order
	for _, n := range numbers {
		if o, ok := byNumber[n]; ok {
			out = append(out, o)
		}
	}
	return out, nil
}

// idOf is the id at the end of an order number, 0 when there is none.
func idOf(number string) int64 {
	i := strings.LastIndexByte(number, '-')
	id, err := strconv.ParseInt(number[i+1:], 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// list pages through orders.List until limit orders are read.
func (b *backend) list(ctx context.Context, f orders.Filter, limit int) ([]orders.Order, error) {
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
	pub, err := b.publication(ctx, j)
	if err != nil {
		return open311.Request{}, err
	}
	return toRequest(o, names, pub), nil
}

// publication is what town j publishes of its orders beyond their text: photos only when the town
// says so (privacy.SettingOpen311Photos), and then as signed links, the only way to open a photo
// without signing in.
type publication struct {
	photos *privacy.PhotoLinks // nil: no photos
}

func (b *backend) publication(ctx context.Context, j string) (publication, error) {
	public, err := privacy.Open311PhotosPublic(ctx, b.db, j)
	if err != nil || !public {
		return publication{}, err
	}
	links, err := privacy.PhotoLinksFor(ctx, b.db)
	return publication{photos: links}, err
}

// byNumber finds an order of town j by number. Numbers end in the order's id (orders.Create
// derives them so), which makes this a primary-key read; comparing the whole number afterwards
// keeps a forged prefix from reaching another order.
func (b *backend) byNumber(ctx context.Context, j, number string) (orders.Order, error) {
	id := idOf(number)
	if id == 0 {
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

// toRequest is the one place an order becomes public. It copies no personal field (caller name
// and phone, raiser, e-mail) and passes the rest through privacy.MaskOrder, as for any reader who
// sees personal data masked: numbers and the caller's name masked in the texts (hotline
// operators often type the caller's details into the content), the address no finer than the
// road number (privacy.CoarseAddress), and the position rounded to about a hundred metres so that
// it does not point at the door the address no longer names.
func toRequest(o orders.Order, n names, pub publication) open311.Request {
	footer := map[string]string(nil)
	if o.Channel == orders.ChannelOpen311 {
		o.Content, footer = splitFooter(o.Content)
	}
	o, _ = privacy.MaskOrder(o)
	r := open311.Request{
		ServiceRequestID:  o.Number,
		Status:            status(o.State),
		ServiceCode:       o.Category,
		ServiceName:       n.categories[o.Category],
		Description:       o.Content,
		AgencyResponsible: n.departments[o.Department],
		RequestedDatetime: o.ReceivedAt,
		UpdatedDatetime:   o.UpdatedAt,
		ExpectedDatetime:  o.Deadline,
		Address:           o.Address,
		AddressID:         footer[footerAddressID],
		Lat:               coarseDegree(o.Lat),
		Long:              coarseDegree(o.Lng),
	}
	if pub.photos != nil {
		r.MediaURL = footer[footerMediaURL]
	}
	if o.Department != "" && r.AgencyResponsible == "" {
		r.AgencyResponsible = o.Department // a department deleted since still names someone
	}
	for _, e := range o.Events {
		if note := publicNote(e); note != "" {
			r.StatusNotes = note
		}
		if pub.photos != nil && len(e.Photos) > 0 && r.MediaURL == "" {
			r.MediaURL = "/uploads/" + pub.photos.Sign(e.Photos[0])
		}
	}
	return r
}

// coarseDegree rounds a coordinate to three decimals: about 110 m of latitude, 95 m of longitude
// in Shanghai.
func coarseDegree(v *float64) *float64 {
	if v == nil {
		return nil
	}
	x := math.Round(*v*1000) / 1000
	return &x
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
