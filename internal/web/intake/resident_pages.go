package intake

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	weborders "github.com/civicgrid/civicgrid/internal/web/orders"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// The resident's own pages: "my reports" (/my/reports), one report (/my/reports/{id}) and its
// rating. Staff who open them are sent to the staff's pages of the same orders.

// myReportsPage is how many reports one page of "my reports" shows.
const myReportsPage = 20

// maxRatingComment bounds the comment of a rating, in characters.
const maxRatingComment = 300

// residentRoutes registers the resident's pages and their menu entries.
func (s *handlers) residentRoutes(m *kit.Mount) {
	m.Page("GET /my/reports", auth.PermOrdersRead, s.myReportsPage)
	m.Page("GET /my/reports/{id}", auth.PermOrdersRead, s.myReportPage)
	m.Page("POST /my/reports/{id}/rate", auth.PermOrdersAct, s.myReportRate)
	residents := kit.CanAs("", auth.RoleResident)
	m.Nav(kit.NavEntry{Href: "/my/reports", Key: "res.nav mine", Order: 10, Show: residents})
	m.Nav(kit.NavEntry{Href: "/report", Key: "res.nav report", Order: 11, Show: residents})
}

// residentTowns are the towns a resident's reports may lie in: every tenant town (a report is
// routed by its position, whichever town the resident lives in). The reports themselves are
// narrowed to the resident's own.
func (s *handlers) residentTowns(r *http.Request) ([]string, error) {
	towns, err := places.TenantTowns(r.Context(), s.DB, nil)
	if err != nil {
		return nil, err
	}
	codes := make([]string, len(towns))
	for i, t := range towns {
		codes[i] = t.Code
	}
	return codes, nil
}

type myReportsData struct {
	Reports    []residentReport
	Total      int
	WithNews   int
	Prev, Next string
}

func (s *handlers) myReportsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if c.User.Role != auth.RoleResident {
		http.Redirect(w, r, "/orders", http.StatusSeeOther)
		return nil
	}
	ctx, lang := r.Context(), kit.Language(w, r)
	towns, err := s.residentTowns(r)
	if err != nil {
		return err
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	offset = max(0, min(offset, 100_000))
	total, list, err := s.Orders.List(ctx, orders.Filter{Towns: towns, RaisedBy: c.User.ID, Limit: myReportsPage, Offset: offset, Sort: "-received_at"})
	if err != nil {
		return err
	}
	ids := make([]int64, len(list))
	for i, o := range list {
		ids[i] = o.ID
	}
	// The histories of the page's reports, in one query.
	full, err := s.Orders.ByIDs(ctx, towns, ids, true)
	if err != nil {
		return err
	}
	byID := map[int64]orders.Order{}
	for _, o := range full {
		byID[o.ID] = o
	}
	seen, err := s.Orders.ResidentSeen(ctx, c.User.ID, ids)
	if err != nil {
		return err
	}
	links, err := privacy.PhotoLinksFor(ctx, s.DB)
	if err != nil {
		return err
	}
	cats, err := s.categoryNames(ctx, towns, lang)
	if err != nil {
		return err
	}
	d := myReportsData{Total: total}
	for _, o := range list {
		if f, ok := byID[o.ID]; ok && f.RaisedBy == c.User.ID {
			v := residentView(f, lang, links, seen[o.ID], cats)
			if len(v.News) > 0 {
				d.WithNews++
			}
			d.Reports = append(d.Reports, v)
		}
	}
	if offset > 0 {
		d.Prev = "/my/reports?offset=" + strconv.Itoa(max(0, offset-myReportsPage))
	}
	if offset+len(list) < total {
		d.Next = "/my/reports?offset=" + strconv.Itoa(offset+myReportsPage)
	}
	return s.Render(w, r, http.StatusOK, "my_reports", kit.PageData{Title: "res.mine", Data: d})
}

// myReport loads the report of the path's {id} if the caller raised it; another's is not found.
func (s *handlers) myReport(r *http.Request, c *kit.Caller) (orders.Order, error) {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return orders.Order{}, err
	}
	towns, err := s.residentTowns(r)
	if err != nil {
		return orders.Order{}, err
	}
	o, err := s.Orders.Get(r.Context(), towns, id, true)
	if err != nil {
		return orders.Order{}, err
	}
	if o.RaisedBy != c.User.ID {
		return orders.Order{}, problem.NotFound("report %d", id)
	}
	return o, nil
}

func (s *handlers) myReportPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if c.User.Role != auth.RoleResident {
		http.Redirect(w, r, "/orders/"+r.PathValue("id"), http.StatusSeeOther)
		return nil
	}
	o, err := s.myReport(r, c)
	if err != nil {
		return err
	}
	return s.renderMyReport(w, r, c, o, http.StatusOK, "", "")
}

func (s *handlers) renderMyReport(w http.ResponseWriter, r *http.Request, c *kit.Caller, o orders.Order, status int, errMsg, field string) error {
	ctx, lang := r.Context(), kit.Language(w, r)
	seen, err := s.Orders.ResidentSeen(ctx, c.User.ID, []int64{o.ID})
	if err != nil {
		return err
	}
	links, err := privacy.PhotoLinksFor(ctx, s.DB)
	if err != nil {
		return err
	}
	cats, err := s.categoryNames(ctx, []string{o.TownCode}, lang)
	if err != nil {
		return err
	}
	v := residentView(o, lang, links, seen[o.ID], cats)
	// Opening the report is seeing what happened to it.
	if err := s.Orders.MarkResidentSeen(ctx, c.User.ID, o.ID, o.Version); err != nil {
		return err
	}
	if err := s.Orders.MarkOrderRead(ctx, c.User.ID, o.ID); err != nil {
		return err
	}
	return s.Render(w, r, status, "my_report", kit.PageData{Title: o.Number, Error: errMsg, Field: field,
		Data: map[string]any{"Report": v, "Satisfy": workorder.Satisfactions}})
}

// myReportRate takes the resident's rating of a closed report and shows the report again.
func (s *handlers) myReportRate(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if c.User.Role != auth.RoleResident {
		return problem.NotFound("report %s", r.PathValue("id"))
	}
	o, err := s.myReport(r, c)
	if err != nil {
		return err
	}
	lang := kit.Language(w, r)
	version, err := strconv.Atoi(r.FormValue("version"))
	if err != nil {
		version = o.Version
	}
	comment, err := formText(r, "comment", maxRatingComment, kit.Translator(lang)("comment"))
	if err == nil {
		_, err = s.Orders.Act(r.Context(), []string{o.TownCode}, o.ID, weborders.ActorOf(c), workorder.ActRate, version,
			workorder.Input{Satisfaction: r.FormValue("satisfaction"), Comment: comment})
	}
	if err != nil {
		status, msg, field := kit.ErrorText(r, lang, err)
		if status >= 500 {
			return err
		}
		if fresh, ferr := s.myReport(r, c); ferr == nil {
			o = fresh
		}
		return s.renderMyReport(w, r, c, o, status, msg, field)
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/my/reports/%d", o.ID), kit.Translator(lang)("res.rated"))
	return nil
}
