package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 50

// auditLine is one entry as the log page and its export show it: the time in the town's local
// time, the actor and the record named, the action in words.
type auditLine struct {
	ID       int64
	At       string
	Actor    string
	Action   string
	Code     string
	Record   string
	RecordID string
	Detail   string
	IP       string
}

// auditFilter reads the log's filter from the query: actor (username), action, entity, subject
// (a record's id or code) and from/to as local dates (to inclusive).
func auditFilter(r *http.Request, c *kit.Caller) (audit.Filter, error) {
	q := r.URL.Query()
	f := audit.Filter{Towns: c.Towns, Actor: strings.TrimSpace(q.Get("actor")), Action: q.Get("action"), Entity: q.Get("entity"),
		EntityID: strings.TrimSpace(q.Get("entity_id")), Subject: strings.TrimSpace(q.Get("subject"))}
	for _, v := range []struct {
		name string
		dst  *time.Time
		add  int
	}{{"from", &f.From, 0}, {"to", &f.To, 1}} {
		s := strings.TrimSpace(q.Get(v.name))
		if s == "" {
			continue
		}
		d, err := time.ParseInLocation("2006-01-02", s, workcal.Location())
		if err != nil {
			return f, problem.Field(v.name, "a date as 2006-01-02, not %q", s)
		}
		*v.dst = d.AddDate(0, 0, v.add)
	}
	return f, nil
}

func auditActionLabel(T func(string) string, code string) string {
	if l := T("audit.act." + code); l != "audit.act."+code {
		return l
	}
	return code
}

func auditEntityLabel(T func(string) string, code string) string {
	if l := T("audit.ent." + code); l != "audit.ent."+code {
		return l
	}
	return code
}

// auditDetail puts the details the application writes as fixed phrases ("member added",
// "disabled=true tokens_revoked=2") in words; other details (lists of records shown, field
// names) stay as recorded.
func auditDetail(T func(string) string, d string) string {
	if l := T("audit.detail." + d); l != "audit.detail."+d {
		return l
	}
	var n int
	if _, err := fmt.Sscanf(d, "disabled=true tokens_revoked=%d", &n); err == nil {
		return fmt.Sprintf(T("audit.disabled tokens"), n)
	}
	for _, k := range []string{"sessions_ended=%d", "other_sessions_ended=%d"} {
		if _, err := fmt.Sscanf(d, k, &n); err == nil {
			return fmt.Sprintf(T("audit."+strings.TrimSuffix(k, "=%d")), n)
		}
	}
	return d
}

// auditRows names the entries' actors and records for lang.
func (s *Server) auditRows(n *names, lang string, es []audit.Entry) []auditLine {
	T := kit.Translator(lang)
	loc := workcal.Location()
	out := make([]auditLine, 0, len(es))
	for _, e := range es {
		row := auditLine{ID: e.ID, At: e.At.In(loc).Format("2006-01-02 15:04:05"), Actor: n.person(e.Actor), Code: e.Action,
			Action: auditActionLabel(T, e.Action), Record: auditEntityLabel(T, e.Entity), RecordID: e.EntityID, Detail: auditDetail(T, e.Detail), IP: e.IP}
		if name := s.recordName(n, lang, e); name != "" {
			row.Record += " " + name
		}
		out = append(out, row)
	}
	return out
}

// recordName names the record an entry is about where the name is at hand.
func (s *Server) recordName(n *names, lang string, e audit.Entry) string {
	switch e.Entity {
	case "user":
		if id, err := strconv.ParseInt(e.EntityID, 10, 64); err == nil {
			if u, ok := n.usersByID[id]; ok {
				return n.person(u.Username)
			}
		}
		if _, ok := n.usersByName[e.EntityID]; ok {
			return n.person(e.EntityID)
		}
	case "grid":
		if g := n.gridName(e.EntityID); g != e.EntityID {
			return g
		}
	case "department":
		if d := n.depName(e.EntityID, lang); d != e.EntityID {
			return d
		}
	}
	return ""
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	f, ferr := auditFilter(r, c)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	n, err := s.loadNames(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	var rows []auditLine
	total := 0
	if ferr == nil {
		f.Limit, f.Offset = auditPageSize, (page-1)*auditPageSize
		es, err := audit.List(r.Context(), s.DB, f)
		if err != nil {
			return err
		}
		if total, err = audit.Count(r.Context(), s.DB, f); err != nil {
			return err
		}
		rows = s.auditRows(n, lang, es)
	}
	T := kit.Translator(lang)
	type option struct{ Value, Label string }
	var actors, actions, entities []option
	for _, u := range n.userList {
		if u.Role != "resident" {
			actors = append(actors, option{u.Username, n.person(u.Username)})
		}
	}
	for _, a := range audit.Actions {
		actions = append(actions, option{a, auditActionLabel(T, a)})
	}
	for _, e := range audit.Entities {
		entities = append(entities, option{e, auditEntityLabel(T, e)})
	}
	q := r.URL.Query()
	q.Del("page")
	q.Del("lang")
	pageURL := func(p int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(p))
		return "/admin/audit?" + v.Encode()
	}
	d := map[string]any{"Rows": rows, "Total": total, "Page": page, "Pages": (total + auditPageSize - 1) / auditPageSize,
		"Actors": actors, "Actions": actions, "Entities": entities, "Q": q, "Export": "/admin/audit/export?" + q.Encode(),
		"Limit": audit.ExportLimit}
	if page > 1 {
		d["Prev"] = pageURL(page - 1)
	}
	if page*auditPageSize < total {
		d["Next"] = pageURL(page + 1)
	}
	pd := kit.PageData{Title: "audit", Data: d}
	status := http.StatusOK
	if ferr != nil {
		st, body := kit.StatusOf(ferr)
		status, pd.Error, pd.Field = st, body.Message, body.Field
	}
	return s.Render(w, r, status, "audit", pd)
}

// auditExport answers the filtered log as a spreadsheet: at most audit.ExportLimit rows, newest
// first, every cell a string (never a formula).
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	f, err := auditFilter(r, c)
	if err != nil {
		return err
	}
	es, err := audit.Export(r.Context(), s.DB, f)
	if err != nil {
		return err
	}
	n, err := s.loadNames(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	rows := s.auditRows(n, lang, es)
	// The export is itself audited: who took how many entries, with which filter.
	q := r.URL.Query()
	q.Del("lang")
	town := ""
	if len(c.Towns) > 0 {
		town = c.Towns[0]
	}
	if err := kit.AuditActor(r, c).Record(r.Context(), s.DB, audit.Entry{Action: audit.ActionExport, Entity: "audit_log", TownCode: town,
		Detail: fmt.Sprintf("%d entries · %s", len(es), q.Encode())}); err != nil {
		return err
	}
	T := kit.Translator(lang)
	// Every cell a string, never a formula (package sheet).
	x, err := sheet.New(w, sheet.XLSX, sheet.Options{})
	if err != nil {
		return err
	}
	if err := x.Row("#", T("time"), T("actor"), T("action"), T("audit.code"), T("record"), "ID", T("detail"), "IP"); err != nil {
		x.Abort()
		return err
	}
	for _, row := range rows {
		if err := x.Row(strconv.FormatInt(row.ID, 10), row.At, row.Actor, row.Action, row.Code, row.Record, row.RecordID, row.Detail, row.IP); err != nil {
			x.Abort()
			return err
		}
	}
	name := fmt.Sprintf("audit-%s.xlsx", time.Now().In(workcal.Location()).Format("20060102-1504"))
	w.Header().Set("Content-Type", sheet.XLSX.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	return x.Close()
}

// apiAudit lists the log as JSON with the page's filter (limit and offset for paging) and the
// total it matches.
func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	f, err := auditFilter(r, c)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	es, err := audit.List(r.Context(), s.DB, f)
	if err != nil {
		return err
	}
	total, err := audit.Count(r.Context(), s.DB, f)
	return kit.Reply(w, http.StatusOK, map[string]any{"entries": es, "total": total}, err)
}
