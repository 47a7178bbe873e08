package dispatch

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// apiTown is the town a category call names (?town= or the body's), or the caller's only one.
func apiTown(c *kit.Caller, town string) (string, error) {
	if town == "" && len(c.Towns) == 1 {
		town = c.Towns[0]
	}
	if !slices.Contains(c.Towns, town) {
		return "", problem.Field("town", "unknown town code %q", town)
	}
	return town, nil
}

// apiCategoryTree answers the tree in force, or ?version=N.
func (s *handlers) apiCategoryTree(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	town, err := apiTown(c, r.URL.Query().Get("town"))
	if err != nil {
		return err
	}
	tree, v, err := dispatch.CurrentTree(r.Context(), s.DB, town)
	if err != nil {
		return err
	}
	if q := r.URL.Query().Get("version"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 {
			return problem.Field("version", "%q is not a version number", q)
		}
		if n != v {
			if tree, err = dispatch.VersionTree(r.Context(), s.DB, town, n); err != nil {
				return err
			}
			v = n
		}
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"town": town, "version": v, "note": tree.Note, "nodes": tree.Nodes})
	return nil
}

func (s *handlers) apiCategoryVersions(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	town, err := apiTown(c, r.URL.Query().Get("town"))
	if err != nil {
		return err
	}
	vs, err := dispatch.Versions(r.Context(), s.DB, town)
	return kit.Reply(w, http.StatusOK, map[string]any{"versions": vs}, err)
}

// publishRequest is a whole tree to publish as the next version.
type publishRequest struct {
	Town      string          `json:"town"`
	ValidFrom string          `json:"valid_from"`
	Note      string          `json:"note"`
	Nodes     []dispatch.Node `json:"nodes"`
}

// apiPublishCategories publishes a tree; a refused one answers 422 with every problem, by row
// (the node's place in the list, from 1) and field, in Chinese and English.
func (s *handlers) apiPublishCategories(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var req publishRequest
	if err := kit.DecodeJSON(r, &req); err != nil {
		return err
	}
	town, err := apiTown(c, req.Town)
	if err != nil {
		return err
	}
	if len(req.Nodes) > dispatch.MaxNodes {
		return problem.Field("nodes", "%d categories; at most %d", len(req.Nodes), dispatch.MaxNodes)
	}
	v, err := dispatch.Publish(r.Context(), s.DB, town, dispatch.Tree{Nodes: req.Nodes}, req.ValidFrom, req.Note, kit.AuditActor(r, c), time.Now())
	var te *dispatch.TreeErrors
	if errors.As(err, &te) {
		kit.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"error":  map[string]any{"status": http.StatusUnprocessableEntity, "message": te.Error(), "field": "nodes"},
			"errors": te.List, "more": te.More})
		return nil
	}
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, v)
	return nil
}

func (s *handlers) apiDeleteCategoryVersion(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	town, err := apiTown(c, r.URL.Query().Get("town"))
	if err != nil {
		return err
	}
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil {
		return problem.NotFound("category version %q", r.PathValue("version"))
	}
	if err := dispatch.DeleteVersion(r.Context(), s.DB, town, v, kit.AuditActor(r, c)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
