package campaigns

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/campaigns"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// campaignsData is what campaigns.html shows.
type campaignsData struct {
	List    []campaigns.Summary
	Kinds   []campaigns.Label
	MayPlan bool
	Team    []teamOption // the staff a planner may put on the new campaign's team
	Form    campaigns.NewCampaign
	KindOf  map[string]string
}

func kindNames(ls []campaigns.Label, lang string) map[string]string { return label.Names(ls, lang) }

func (s *handlers) campaignsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderCampaigns(w, r, c, http.StatusOK, campaigns.NewCampaign{}, nil)
}

func (s *handlers) renderCampaigns(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, form campaigns.NewCampaign, ferr error) error {
	lang := kit.Language(w, r)
	list, err := s.campaigns().List(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	d := campaignsData{List: list, Kinds: campaigns.Kinds, MayPlan: campaigns.MayPlan(c.User), Form: form, KindOf: kindNames(campaigns.Kinds, lang)}
	if d.MayPlan {
		staff, err := s.campaignStaff(r, c.Towns)
		if err != nil {
			return err
		}
		// A refused form keeps the team that was picked.
		d.Team = teamOptions(staff, form.Team)
	}
	pd := kit.PageData{Title: "cp.title", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, kit.Language(w, r), ferr)
	}
	return s.Render(w, r, status, "campaigns", pd)
}

// campaignStaff lists the users of towns a planner may put on a campaign's team: active staff
// who may log visits (orders:create), not residents.
func (s *handlers) campaignStaff(r *http.Request, towns []string) ([]auth.User, error) {
	users, err := auth.Users(r.Context(), s.DB, towns, "")
	if err != nil {
		return nil, err
	}
	var out []auth.User
	for _, u := range users {
		if !u.Disabled && u.Can(auth.PermOrdersCreate) && u.Role != auth.RoleResident {
			out = append(out, u)
		}
	}
	return out, nil
}

func formIDs(vals []string) []int64 {
	var out []int64
	for _, v := range vals {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// fieldStatus answers bad form input with its status (422) and the page again.
func fieldStatus(err error) (int, bool) {
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		return http.StatusUnprocessableEntity, true
	}
	return 0, false
}

// campaignForm is the campaign a create or edit form posted.
func campaignForm(r *http.Request) campaigns.NewCampaign {
	return campaigns.NewCampaign{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), Description: r.PostFormValue("description"),
		Start: r.PostFormValue("start"), End: r.PostFormValue("end"), Team: formIDs(r.PostForm["team"])}
}

func (s *handlers) campaignSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	form := campaignForm(r)
	cp, err := s.campaigns().Create(r.Context(), c.Towns, form, c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderCampaigns(w, r, c, status, form, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/campaigns/%d", cp.ID), kit.Translator(kit.Language(w, r))("cp.created"))
	return nil
}
