package projects

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// proposeData is what pj_propose.html shows.
type proposeData struct {
	Form      projects.NewProposal
	Lat, Lng  string
	Towns     []places.Region
	Cats      []projects.Label
	Anonymous bool
	ForOther  bool // a grid worker enters for a resident
	CostText  string
}

func (s *handlers) proposePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	s.DeviceID(w, r)
	return s.renderPropose(w, r, c, http.StatusOK, proposeData{}, nil)
}

func (s *handlers) renderPropose(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, d proposeData, ferr error) error {
	towns, err := places.TenantTowns(r.Context(), s.DB, nil)
	if err != nil {
		return err
	}
	if c != nil {
		var mine []places.Region
		for _, t := range towns {
			for _, code := range c.Towns {
				if t.Code == code {
					mine = append(mine, t)
				}
			}
		}
		towns = mine
	}
	d.Towns, d.Cats = towns, projects.Categories
	d.Anonymous = c == nil
	d.ForOther = c != nil && (c.User.Role == auth.RoleGridWorker || c.User.Role == auth.RoleGridLeader)
	if d.Form.TownCode == "" {
		for _, t := range towns {
			if t.Name == defaultTown {
				d.Form.TownCode = t.Code
			}
		}
	}
	pd := kit.PageData{Title: "pj.propose", Data: d}
	if ferr != nil {
		var flood kit.FloodError
		if errors.As(ferr, &flood) {
			status, pd.Error = http.StatusTooManyRequests, flood.Error()
			kit.RetryAfterHeader(w, flood.RetryAfter)
		} else {
			_, pd.Error, pd.Field = kit.ErrorText(r, kit.Language(w, r), ferr)
		}
	}
	return s.Render(w, r, status, "pj_propose", pd)
}

// proposeSubmit takes a proposal from the portal form: a signed-in proposer's, or an anonymous
// resident's with a name and a phone number, under the public forms' flood limit (per address
// and device, shared with the resident report).
func (s *handlers) proposeSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	ctx := r.Context()
	now := time.Now()
	d := proposeData{Form: projects.NewProposal{TownCode: r.PostFormValue("town"), Title: r.PostFormValue("title"),
		Description: r.PostFormValue("description"), Category: r.PostFormValue("category"), Place: r.PostFormValue("place"),
		AuthorName: r.PostFormValue("author_name"), AuthorPhone: r.PostFormValue("author_phone")},
		Lat: r.PostFormValue("lat"), Lng: r.PostFormValue("lng"), CostText: r.PostFormValue("est_cost")}
	again := func(err error) error {
		status, _ := kit.StatusOf(err)
		if status >= 500 {
			return err
		}
		return s.renderPropose(w, r, c, status, d, err)
	}
	var keys []string
	if c == nil {
		keys = kit.FloodKeys(kit.ClientIP(r), s.DeviceID(w, r))
		if strings.TrimSpace(r.PostFormValue(honeypotField)) != "" {
			_ = kit.RecordFlood(ctx, s.DB, keys, now)
			return again(kit.BadRequest("", "提交未被接受。如您是居民本人，请刷新页面后重新填写。"))
		}
		if err := kit.CheckFlood(ctx, s.DB, keys, now); err != nil {
			return again(err)
		}
	} else if !c.User.Can(auth.PermProjectsPropose) {
		return problem.Forbidden("your role (%s) may not propose projects", c.User.Role)
	}
	lat, err := kit.FloatField(r, "lat")
	if err != nil {
		return again(err)
	}
	lng, err := kit.FloatField(r, "lng")
	if err != nil {
		return again(err)
	}
	d.Form.Lat, d.Form.Lng = lat, lng
	if d.Form.EstCost, err = yuanField(r, "est_cost"); err != nil {
		return again(err)
	}
	towns, by, actor := []string{}, projects.Anonymous, audit.Actor{Name: "public", IP: kit.ClientIP(r)}
	if c != nil {
		towns, by, actor = c.Towns, c.User, kit.AuditActor(r, c)
	} else {
		ts, err := places.TenantTowns(ctx, s.DB, nil)
		if err != nil {
			return err
		}
		for _, t := range ts {
			towns = append(towns, t.Code)
		}
	}
	town := d.Form.TownCode
	if town == "" && c != nil {
		town = c.User.TownCode
	}
	photos, err := s.storePhotos(r, town, by.ID, "photos", MaxPhotos)
	if err != nil {
		if c == nil {
			_ = kit.RecordFlood(ctx, s.DB, keys, now)
		}
		return again(err)
	}
	d.Form.Photos = photos
	p, err := s.service().Propose(ctx, towns, d.Form, by, actor)
	if err != nil {
		return again(err)
	}
	T := kit.Translator(kit.Language(w, r))
	if c == nil {
		if err := kit.RecordFlood(ctx, s.DB, keys, now); err != nil {
			s.Log.Error("record proposal attempt", "err", err)
		}
		q := url.Values{"code": {p.Code}}
		kit.RedirectFlash(w, r, fmt.Sprintf("/portal/projects/proposals/%d?%s", p.ID, q.Encode()), fmt.Sprintf(T("pj.received anonymous"), p.ID, p.Code))
		return nil
	}
	to := fmt.Sprintf("/portal/projects/proposals/%d", p.ID)
	if c.User.Can(auth.PermProjectsRead) {
		to = fmt.Sprintf("/projects/proposals/%d", p.ID)
	} else if c.User.Role == auth.RoleResident {
		to = "/my/proposals"
	}
	kit.RedirectFlash(w, r, to, fmt.Sprintf(T("pj.received"), p.ID))
	return nil
}
