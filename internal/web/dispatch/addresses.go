package dispatch

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// addressesData is what addresses.html shows: the town's book by grid, its newest entries, and
// the refused file's row errors in the page's language.
type addressesData struct {
	Town     string
	Towns    []places.Region
	Total    int
	ByGrid   []gridCount
	Latest   []places.Address
	MayEdit  bool
	Problems []string
}

type gridCount struct {
	Name    string
	Count   int
	Percent int // of the largest grid's count, for the bar
}

// latestShown is how many of the newest entries the page lists.
const latestShown = 30

func (s *handlers) addressesPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderAddresses(w, r, c, http.StatusOK, nil)
}

func (s *handlers) renderAddresses(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, ferr error) error {
	lang := kit.Language(w, r)
	town := pickTown(r, c)
	towns, err := places.TenantTowns(r.Context(), s.DB, c.Towns)
	if err != nil {
		return err
	}
	book, err := places.Addresses(r.Context(), s.DB, []string{town})
	if err != nil {
		return err
	}
	grids, err := places.Grids(r.Context(), s.DB, []string{town})
	if err != nil {
		return err
	}
	d := addressesData{Town: town, Towns: towns, Total: len(book), MayEdit: c.User.Can(auth.PermDispatchWrite)}
	counts := map[string]int{}
	for _, a := range book {
		counts[a.GridCode]++
	}
	most := 1
	for _, n := range counts {
		most = max(most, n)
	}
	for _, g := range grids {
		d.ByGrid = append(d.ByGrid, gridCount{Name: g.Name, Count: counts[g.Code], Percent: counts[g.Code] * 100 / most})
	}
	if n := counts[""]; n > 0 {
		d.ByGrid = append(d.ByGrid, gridCount{Name: kit.Translator(lang)("dispatch.addr.nogrid"), Count: n, Percent: n * 100 / most})
	}
	latest := append([]places.Address(nil), book...)
	sort.SliceStable(latest, func(i, j int) bool { return latest[i].ID > latest[j].ID })
	d.Latest = latest[:min(len(latest), latestShown)]
	pd := kit.PageData{Title: "dispatch.addr.title", Data: &d}
	var ie *dispatch.ImportError
	switch {
	case errors.As(ferr, &ie):
		pd.Error = kit.Translator(lang)("dispatch.addr.refused")
		for _, e := range ie.Errors {
			if lang == "en" {
				d.Problems = append(d.Problems, e.EN())
			} else {
				d.Problems = append(d.Problems, e.ZH())
			}
		}
	case ferr != nil:
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
	}
	return s.Render(w, r, status, "addresses", pd)
}

// addressesUpload imports an uploaded xlsx or CSV into the town's address book, all or nothing.
func (s *handlers) addressesUpload(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	T := kit.Translator(kit.Language(w, r))
	town := pickTown(r, c)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return s.renderAddresses(w, r, c, http.StatusBadRequest, kit.BadRequest("file", T("dispatch.addr.no.file")))
	}
	defer file.Close()
	n, err := dispatch.ImportBook(r.Context(), s.DB, kit.AuditActor(r, c), town, hdr.Filename, file)
	if err != nil {
		status, _ := kit.StatusOf(err)
		if status == http.StatusInternalServerError {
			return err
		}
		return s.renderAddresses(w, r, c, status, err)
	}
	// The grids' routing reads the book: the next import or report sees the new entries.
	kit.RedirectFlash(w, r, "/admin/addresses?town="+url.QueryEscape(town), fmt.Sprintf(T("dispatch.addr.imported"), n))
	return nil
}
