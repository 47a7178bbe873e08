package volunteers

import (
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// publicActivity is an activity as anyone sees it on the portal: what, where, when and how many
// places are left — never its lead or its volunteers.
type publicActivity struct {
	ID      int64
	Title   string
	Project string
	Place   string
	Start   string
	Left    int
	Places  int
}

func toPublicActivity(a volunteers.Activity) publicActivity {
	start := a.Start.In(workcal.Location())
	return publicActivity{ID: a.ID, Title: a.Title, Project: a.ProjectName, Place: a.Place,
		Start: start.Format("01-02 15:04") + "–" + a.End.In(workcal.Location()).Format("15:04"), Left: max(a.Places-a.Taken, 0), Places: a.Places}
}

// upcoming lists a town's coming activities that are not cancelled, at most limit.
func (s *handlers) upcoming(r *http.Request, town string, limit int) ([]publicActivity, error) {
	svc := s.svc()
	list, err := svc.Activities(r.Context(), []string{town}, volunteers.ActivityFilter{From: svc.Now(), Limit: 200})
	if err != nil {
		return nil, err
	}
	out := []publicActivity{}
	for _, a := range list {
		if a.Status == "cancelled" {
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, toPublicActivity(a))
	}
	return out, nil
}

// portalPage is the public list of a town's coming volunteer activities (/portal/volunteers):
// signing up needs an account, so each activity links to its page behind the sign-in.
func (s *handlers) portalPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	t, towns, err := s.PublicTown(r, nil)
	if err != nil {
		return err
	}
	list, err := s.upcoming(r, t.Code, 50)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "vol_portal", kit.PageData{Title: "vol.portal entry", Data: map[string]any{"Town": t, "Towns": towns, "List": list}})
}

// portalSummary is the volunteers' section of the public portal: the next activities.
func (s *handlers) portalSummary(r *http.Request, town places.Region, lang string) ([]kit.PortalLine, error) {
	T := kit.Translator(lang)
	list, err := s.upcoming(r, town.Code, 3)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return []kit.PortalLine{{Text: T("vol.no activities")}}, nil
	}
	lines := make([]kit.PortalLine, len(list))
	for i, a := range list {
		lines[i] = kit.PortalLine{Text: a.Start + " " + a.Title + " · " + T("vol.left") + " " + strconv.Itoa(a.Left), Href: "/volunteers/activities/" + strconv.FormatInt(a.ID, 10)}
	}
	return lines, nil
}
