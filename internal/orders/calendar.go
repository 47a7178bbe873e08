package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// SaveCalendarYear validates a year's calendar and stores it, replacing an earlier load of the
// same year; it takes effect for every server on its next start (and at once for this store).
func (s *Store) SaveCalendarYear(ctx context.Context, y workcal.Year, by string) error {
	if err := y.Validate(); err != nil {
		return err
	}
	body, err := json.Marshal(y)
	if err != nil {
		return err
	}
	_, err = s.DB.Exec(ctx, `INSERT INTO calendar_years (year, body, source, loaded_at, loaded_by) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (year) DO UPDATE SET body = excluded.body, source = excluded.source, loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by`,
		y.Year, string(body), y.Source, time.Now().UnixMilli(), by)
	if err != nil {
		return fmt.Errorf("store calendar %d: %w", y.Year, err)
	}
	return s.Cal.Add(y)
}

// LoadCalendar returns the built-in calendar with every year an administrator loaded on top.
func LoadCalendar(ctx context.Context, q store.Querier) (*workcal.Calendar, error) {
	cal := workcal.Default()
	rows, err := q.Query(ctx, `SELECT year, body FROM calendar_years ORDER BY year`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var year int
		var body string
		if err := rows.Scan(&year, &body); err != nil {
			return nil, err
		}
		y, err := workcal.ParseYear(strings.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("stored calendar %d: %w", year, err)
		}
		if err := cal.Add(y); err != nil {
			return nil, fmt.Errorf("stored calendar %d: %w", year, err)
		}
	}
	return cal, rows.Err()
}
