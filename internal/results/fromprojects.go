package results

import (
	"context"
	"fmt"

	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/store"
)

// A project the deputies chose becomes a tracked result in the transaction that publishes the
// ballot (代表定单 → 政府买单), so that a winner is never retyped and a publication without its
// results cannot happen. Registered at start-up wherever both packages are linked (the server,
// the CLI, the demo), so that no caller can publish and forget the adoption.
func init() { projects.OnChosen(adoptChosenProjects) }

// ProjectSource is the source of the result adopted from a chosen project.
func ProjectSource(projectID int64) string { return fmt.Sprintf("project:%d", projectID) }

func adoptChosenProjects(ctx context.Context, tx *store.Tx, chosen []projects.Chosen) error {
	if len(chosen) == 0 {
		return nil
	}
	cs := make([]Chosen, len(chosen))
	for i, c := range chosen {
		cs[i] = Chosen{Town: c.Town, Year: c.Year, Source: ProjectSource(c.ProjectID), Title: c.Title, Description: c.Description,
			Category: categoryName(c.Category), Department: c.Department, BudgetFen: c.Budget * 100, Lat: c.Lat, Lon: c.Lon}
	}
	at := chosen[0].PublishedAt
	if at.IsZero() {
		_, err := Adopt(ctx, tx, cs)
		return err
	}
	_, err := adopt(ctx, tx, cs, store.Millis(at))
	return err
}

// categoryName is the Chinese name of a project category code: a result's category is free text
// in the town's words, as staff type it for results not from a ballot.
func categoryName(code string) string {
	for _, l := range projects.Categories {
		if l.Code == code {
			return l.ZH
		}
	}
	return code
}
