package volunteers

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// ProjectYear is a project's figures in a year.
type ProjectYear struct {
	Project    string `json:"project"`
	Grid       string `json:"grid"`
	Activities int    `json:"activities"`
	Volunteers int    `json:"volunteers"`
	Attendance int    `json:"attendances"`
	Minutes    int64  `json:"minutes"`
}

// Stats are a town's figures of a year.
type Stats struct {
	Town        string        `json:"town"`
	Year        int           `json:"year"`
	Registered  int           `json:"registered"` // approved volunteers at the end of the year
	NewInYear   int           `json:"new_in_year"`
	Active      int           `json:"active"` // volunteers with credited service in the year
	Activities  int           `json:"activities"`
	Attendances int           `json:"attendances"`
	Minutes     int64         `json:"minutes"`
	Projects    []ProjectYear `json:"projects"`
	Months      [12]int64     `json:"months"` // credited minutes per month
	Certificate int           `json:"certificates"`
}

func yearBounds(year int) (int64, int64) {
	loc := workcal.Location()
	return store.Millis(time.Date(year, 1, 1, 0, 0, 0, 0, loc)), store.Millis(time.Date(year+1, 1, 1, 0, 0, 0, 0, loc))
}

// YearStats computes town's figures for year; a year counts the activities that started in it.
func (s *Service) YearStats(ctx context.Context, towns []string, town string, year int) (Stats, error) {
	if !slices.Contains(towns, town) {
		return Stats{}, problem.NotFound("town %s", town)
	}
	if year < 2000 || year > 2100 {
		return Stats{}, problem.Field("year", "a year between 2000 and 2100")
	}
	from, to := yearBounds(year)
	st := Stats{Town: town, Year: year, Projects: []ProjectYear{}}
	q := s.DB
	if err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN decided_at >= ? THEN 1 ELSE 0 END), 0) FROM volunteers WHERE town_code = ? AND status = 'approved' AND decided_at < ?`,
		from, town, to).Scan(&st.Registered, &st.NewInYear); err != nil {
		return st, err
	}
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM vol_certificates WHERE town_code = ? AND issued_at >= ? AND issued_at < ?`, town, from, to).Scan(&st.Certificate); err != nil {
		return st, err
	}
	rows, err := q.Query(ctx, `SELECT p.name, COALESCE(g.name, ''),
		(SELECT COUNT(*) FROM vol_activities a WHERE a.project_id = p.id AND a.status = 'open' AND a.starts_at >= ? AND a.starts_at < ?),
		COUNT(DISTINCT t.volunteer_id), COUNT(t.id), COALESCE(SUM(`+s.counted("t")+`), 0)
		FROM vol_projects p LEFT JOIN grids g ON g.code = p.grid_code
		LEFT JOIN vol_activities a ON a.project_id = p.id AND a.starts_at >= ? AND a.starts_at < ?
		LEFT JOIN vol_attendance t ON t.activity_id = a.id
		WHERE p.town_code = ? GROUP BY p.id, p.name, g.name ORDER BY p.id`, from, to, from, to, town)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var p ProjectYear
		if err := rows.Scan(&p.Project, &p.Grid, &p.Activities, &p.Volunteers, &p.Attendance, &p.Minutes); err != nil {
			return st, err
		}
		st.Activities += p.Activities
		st.Attendances += p.Attendance
		st.Minutes += p.Minutes
		st.Projects = append(st.Projects, p)
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	if err := q.QueryRow(ctx, `SELECT COUNT(DISTINCT t.volunteer_id) FROM vol_attendance t JOIN vol_activities a ON a.id = t.activity_id
		WHERE a.town_code = ? AND a.starts_at >= ? AND a.starts_at < ? AND `+s.counted("t")+` > 0`, town, from, to).Scan(&st.Active); err != nil {
		return st, err
	}
	mrows, err := store.Collect(ctx, q, func(r *sql.Rows) ([2]int64, error) {
		var at, m int64
		return [2]int64{at, m}, r.Scan(&at, &m)
	}, `SELECT a.starts_at, `+s.counted("t")+` FROM vol_attendance t JOIN vol_activities a ON a.id = t.activity_id
		WHERE a.town_code = ? AND a.starts_at >= ? AND a.starts_at < ?`, town, from, to)
	if err != nil {
		return st, err
	}
	for _, r := range mrows {
		st.Months[store.FromMillis(r[0]).In(workcal.Location()).Month()-1] += r[1]
	}
	return st, nil
}

// ExportColumns are the columns of the service-record sheet, in the order of the national
// volunteer information system's (中国志愿服务网) import of service hours as far as public guides
// describe it — the volunteer's name, ID type and number, the project, the service's start and end,
// the hours — plus the local volunteer number and activity for checking (docs/VOLUNTEERS.md says
// what was assumed).
var ExportColumns = []string{"姓名", "证件类型", "证件号码", "志愿者编号", "项目名称", "活动名称", "服务开始时间", "服务结束时间", "服务时长（小时）", "服务地点", "记录方式"}

// ExportYear writes town's year to an xlsx workbook: the service records (one row per attendance
// with credited time, whole ID numbers: the caller must may see them and the export is audited),
// the projects' figures and the volunteers' totals. It returns how many records it wrote.
func (s *Service) ExportYear(ctx context.Context, towns []string, town string, year int, dst io.Writer, by audit.Actor) (int, error) {
	st, err := s.YearStats(ctx, towns, town, year)
	if err != nil {
		return 0, err
	}
	k, err := keysFor(ctx, s.DB)
	if err != nil {
		return 0, err
	}
	from, to := yearBounds(year)
	type rec struct {
		name, idType, sealed, number, project, activity, place, by string
		in, out                                                    int64
		minutes                                                    int64
	}
	recs, err := store.Collect(ctx, s.DB, func(r *sql.Rows) (rec, error) {
		var x rec
		var out sql.NullInt64
		err := r.Scan(&x.name, &x.idType, &x.sealed, &x.number, &x.project, &x.activity, &x.place, &x.in, &out, &x.minutes, &x.by)
		x.out = out.Int64
		return x, err
	}, `SELECT v.name, v.id_type, v.id_sealed, COALESCE(v.number, ''), p.name, a.title, a.place, t.check_in_at, t.check_out_at,
		`+s.counted("t")+`, t.check_in_by
		FROM vol_attendance t JOIN volunteers v ON v.id = t.volunteer_id JOIN vol_activities a ON a.id = t.activity_id JOIN vol_projects p ON p.id = a.project_id
		WHERE a.town_code = ? AND a.starts_at >= ? AND a.starts_at < ? AND `+s.counted("t")+` > 0
		ORDER BY t.check_in_at, t.id`, town, from, to)
	if err != nil {
		return 0, err
	}
	wb := sheet.NewWorkbook(dst)
	if err := wb.Sheet("服务记录", []float64{10, 14, 22, 22, 12, 24, 18, 18, 12, 20, 10}); err != nil {
		return 0, err
	}
	if err := wb.Row(ExportColumns...); err != nil {
		return 0, err
	}
	stamp := func(ms int64) string {
		if ms == 0 {
			return ""
		}
		return store.FromMillis(ms).In(workcal.Location()).Format("2006-01-02 15:04")
	}
	type volTotal struct {
		name, number string
		n            int
		minutes      int64
	}
	totals := map[string]*volTotal{}
	var order []string
	for _, x := range recs {
		id, err := k.open(x.sealed)
		if err != nil {
			return 0, fmt.Errorf("export: volunteer %s: %w", x.number, err)
		}
		if err := wb.Row(x.name, LabelOf(IDTypes, x.idType, "zh"), id, x.number, x.project, x.activity, stamp(x.in), stamp(x.out),
			FormatHours(x.minutes), x.place, x.by); err != nil {
			return 0, err
		}
		t, ok := totals[x.number]
		if !ok {
			t = &volTotal{name: x.name, number: x.number}
			totals[x.number] = t
			order = append(order, x.number)
		}
		t.n++
		t.minutes += x.minutes
	}
	if err := wb.Sheet("项目汇总", []float64{16, 16, 10, 10, 10, 12}); err != nil {
		return 0, err
	}
	if err := wb.Row("项目名称", "网格", "活动数", "参与人数", "服务人次", "服务时长（小时）"); err != nil {
		return 0, err
	}
	for _, p := range st.Projects {
		if err := wb.Row(p.Project, p.Grid, fmt.Sprint(p.Activities), fmt.Sprint(p.Volunteers), fmt.Sprint(p.Attendance), FormatHours(p.Minutes)); err != nil {
			return 0, err
		}
	}
	if err := wb.Row("合计", "", fmt.Sprint(st.Activities), fmt.Sprint(st.Active), fmt.Sprint(st.Attendances), FormatHours(st.Minutes)); err != nil {
		return 0, err
	}
	if err := wb.Sheet("志愿者汇总", []float64{22, 10, 10, 12}); err != nil {
		return 0, err
	}
	if err := wb.Row("志愿者编号", "姓名", "服务次数", "服务时长（小时）"); err != nil {
		return 0, err
	}
	for _, n := range order {
		t := totals[n]
		if err := wb.Row(t.number, t.name, fmt.Sprint(t.n), FormatHours(t.minutes)); err != nil {
			return 0, err
		}
	}
	if err := audit.Record(ctx, s.DB, audit.Entry{ActorID: by.ID, Actor: by.Name, IP: by.IP, Action: audit.ActionExport, Entity: "volunteer", TownCode: town,
		Detail: fmt.Sprintf("yearly statistics %d: %d service records with whole ID numbers", year, len(recs))}); err != nil {
		return 0, err
	}
	return len(recs), wb.Close()
}
