package ops

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/ops"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// townsOf is the towns a request is about: ?town= if the caller sees it, else all of theirs.
func townsOf(r *http.Request, c *kit.Caller) ([]string, error) {
	t := r.URL.Query().Get("town")
	if t == "" {
		return c.Towns, nil
	}
	if !slices.Contains(c.Towns, t) {
		return nil, problem.NotFound("town %.40q", t)
	}
	return []string{t}, nil
}

// queryOf reads a map layer's parameters: town, days, category, open, limit.
func queryOf(r *http.Request, c *kit.Caller) (ops.Query, error) {
	towns, err := townsOf(r, c)
	if err != nil {
		return ops.Query{}, err
	}
	q := ops.Query{Towns: towns, Days: ops.DefaultDays, Category: r.URL.Query().Get("category"), Now: time.Now()}
	for name, dst := range map[string]*int{"days": &q.Days, "limit": &q.Limit} {
		if v := r.URL.Query().Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return q, problem.Field(name, "%s: want a whole number, not %.20q", name, v)
			}
			*dst = n
		}
	}
	if v := r.URL.Query().Get("open"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return q, problem.Field("open", "open: want true or false, not %.20q", v)
		}
		q.OpenOnly = b
	}
	return q, nil
}

func (s *handlers) apiPoints(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	q, err := queryOf(r, c)
	if err != nil {
		return err
	}
	p, err := ops.LoadPoints(r.Context(), s.DB, q)
	return kit.Reply(w, http.StatusOK, p, err)
}

func (s *handlers) apiHeat(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	q, err := queryOf(r, c)
	if err != nil {
		return err
	}
	cells, err := ops.Heat(r.Context(), s.DB, q)
	return kit.Reply(w, http.StatusOK, map[string]any{"cells": cells}, err)
}

func (s *handlers) apiFigures(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	towns, err := townsOf(r, c)
	if err != nil {
		return err
	}
	f, err := ops.LoadFigures(r.Context(), s.DB, towns, time.Now())
	return kit.Reply(w, http.StatusOK, f, err)
}
