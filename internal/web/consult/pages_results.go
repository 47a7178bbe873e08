package consult

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/consult"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// resultsData is what consult_results.html (and the public page's results) show.
type resultsData struct {
	C         csView
	Results   consult.Results
	Questions []resultView
	MayManage bool
	Decision  consult.Decision
	CanDecide bool
	Texts     map[string]consult.TextPage // text question key → its page
	TextPage  map[string]pageLinks
	Channels  map[string]string
	LinkOf    map[string]string
	Labels    map[string]string // the charts' words
	HTML      template.HTML     // the above rendered (panels/results.html), for the staff's and the public page
}

// resultView is one question's tally with the words its table shows.
type resultView struct {
	consult.QuestionResult
	N      int
	Unit   string
	Matrix []matrixRow
}

type matrixRow struct {
	Text   string
	Counts []int
}

// pageLinks are the previous and next pages of a question's text answers ("" none).
type pageLinks struct{ Prev, Next string }

func (s *handlers) resultsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderResults(w, r, c, http.StatusOK, nil, nil)
}

// results builds what a results page shows for cs; textQ and page choose a text question's page.
func (s *handlers) results(r *http.Request, cs consult.Consultation, lang, base string) (resultsData, error) {
	svc := s.service()
	v, err := s.oneView(r, cs, lang)
	if err != nil {
		return resultsData{}, err
	}
	res, err := svc.Tally(r.Context(), cs)
	if err != nil {
		return resultsData{}, err
	}
	T := kit.Translator(lang)
	d := resultsData{C: v, Results: res, Texts: map[string]consult.TextPage{}, TextPage: map[string]pageLinks{},
		Channels: labels(consult.Channels, lang), LinkOf: labels(consult.LinkKinds, lang), Decision: consult.Decision{Summary: cs.Summary, Decision: cs.Decision},
		Labels: map[string]string{"count": T("cs.count"), "share": T("cs.share"), "borda": T("cs.borda"), "mean_position": T("cs.mean position")}}
	for i, qr := range res.Questions {
		rv := resultView{QuestionResult: qr, N: i + 1}
		for ri, row := range qr.Question.Rows {
			rv.Matrix = append(rv.Matrix, matrixRow{Text: row.Text, Counts: qr.Matrix[ri]})
		}
		d.Questions = append(d.Questions, rv)
		if qr.Question.Type == consult.TypeText {
			page := 1
			if r.URL.Query().Get("q") == qr.Question.Key {
				if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 0 && n < 100000 {
					page = n
				}
			}
			p, err := svc.Texts(r.Context(), cs, qr.Question.Key, page)
			if err != nil {
				return d, err
			}
			d.Texts[qr.Question.Key] = maskTexts(p)
			var links pageLinks
			if page > 1 {
				links.Prev = fmt.Sprintf("%s?q=%s&page=%d#q-%s", base, qr.Question.Key, page-1, qr.Question.Key)
			}
			if page < p.Pages {
				links.Next = fmt.Sprintf("%s?q=%s&page=%d#q-%s", base, qr.Question.Key, page+1, qr.Question.Key)
			}
			d.TextPage[qr.Question.Key] = links
		}
	}
	d.HTML, err = s.panel("results.html", lang, d)
	return d, err
}

// maskTexts masks the phone, ID and other numbers residents type into text answers: the pages
// and the API list them for everyone who reads results (the public too, once decided); the
// export, under the personal-data rule, keeps them whole.
func maskTexts(p consult.TextPage) consult.TextPage {
	for i := range p.Items {
		p.Items[i].Text = privacy.MaskText(p.Items[i].Text)
	}
	return p
}

func (s *handlers) renderResults(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, dec *consult.Decision, ferr error) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	lang := kit.Language(w, r)
	cs, err := s.service().Get(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	d, err := s.results(r, cs, lang, fmt.Sprintf("/consultations/%d/results", id))
	if err != nil {
		return err
	}
	d.MayManage = consult.MayManage(c.User)
	d.CanDecide = d.MayManage && (cs.Status == consult.StatusClosed || cs.Status == consult.StatusDecided)
	if dec != nil {
		d.Decision = *dec
	}
	pd := kit.PageData{Title: "cs.results", Data: d}
	if ferr != nil {
		pd.Error, pd.Field = pageError(r, lang, ferr)
	}
	return s.Render(w, r, status, "consult_results", pd)
}

// export answers with the raw answers of a consultation as xlsx or CSV (?format=): one row per
// answer, one column per question; the name and phone of paper answers masked unless the
// caller's role sees them (privacy.Answers), with one audit row for the export and one for
// what it showed whole.
func (s *handlers) export(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	format, ok := sheet.ParseFormat(r.URL.Query().Get("format"))
	if !ok {
		return kit.BadRequest("format", fmt.Sprintf("format: xlsx, csv or csv-gb18030, not %.20q", r.URL.Query().Get("format")))
	}
	lang := kit.Language(w, r)
	T := kit.Translator(lang)
	svc := s.service()
	cs, err := svc.Get(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	out, err := sheet.New(w, format, sheet.Options{Sheet: T("cs.x.sheet"), Widths: consult.ExportWidths(cs)})
	if err != nil {
		return err
	}
	defer out.Abort()
	viewer := kit.Viewer(r, c)
	shown := privacy.NewExportLog(privacy.Answers, r.Method+" "+r.URL.RequestURI())
	n, err := svc.Export(r.Context(), cs, out, lang, func(a consult.StoredAnswer) bool {
		return viewer.Whole(privacy.Answers, privacy.Facts{Town: cs.TownCode, Grid: cs.Grid, Own: a.EnteredBy != 0 && a.EnteredBy == c.User.ID})
	}, func(a consult.StoredAnswer) {
		if a.EnteredBy != c.User.ID {
			shown.Add(strconv.FormatInt(a.ID, 10), cs.TownCode)
		}
	})
	if err != nil {
		return err
	}
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	if err := audit.Record(r.Context(), s.DB, audit.Entry{ActorID: c.User.ID, Actor: c.User.Username, Action: audit.ActionExport, Entity: "consultation",
		EntityID: strconv.FormatInt(id, 10), TownCode: cs.TownCode, Detail: fmt.Sprintf("%d answers, %s", n, format), IP: kit.ClientIP(r)}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="consultation-%d-%s.%s"`, id, time.Now().In(workcal.Location()).Format("20060102"), format.Ext()))
	return out.Close()
}
