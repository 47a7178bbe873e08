package intake

import (
	"github.com/civicgrid/civicgrid/internal/web/kit"
	weborders "github.com/civicgrid/civicgrid/internal/web/orders"

	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/civicgrid/civicgrid/internal/intake"
	"github.com/civicgrid/civicgrid/internal/intake/hotline"
	"github.com/civicgrid/civicgrid/internal/problem"
)

// importJob is an upload being imported in the background; the page polls its status.
type importJob struct {
	ID      string
	srv     *handlers
	Town    string
	File    string
	Started time.Time

	mu      sync.Mutex
	status  string
	done    int64
	total   int64
	sum     intake.Summary
	err     string
	endedAt time.Time
}

// importJobs holds the uploads of this process. Finished jobs are dropped after a day; the
// import_jobs table keeps the durable record.
var importJobs = struct {
	sync.Mutex
	m map[string]*importJob
}{m: map[string]*importJob{}}

func (s *handlers) jobFor(r *http.Request, c *kit.Caller) (*importJob, error) {
	importJobs.Lock()
	j := importJobs.m[r.PathValue("id")]
	importJobs.Unlock()
	if j == nil || j.srv != s || !slices.Contains(c.Towns, j.Town) {
		return nil, problem.NotFound("import %s", r.PathValue("id"))
	}
	return j, nil
}

// MaxUpload bounds an uploaded export: a year of a town's hotline orders is a few MB.
const MaxUpload = 256 << 20

func (s *handlers) intakePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.Render(w, r, http.StatusOK, "intake_hotline", kit.PageData{Title: "in.title",
		Data: map[string]any{"Job": r.URL.Query().Get("job")}})
}

func (s *handlers) intakeTemplate(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var b bytes.Buffer
	if err := hotline.WriteTemplate(&b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="hotline-template.xlsx"; filename*=UTF-8''12345%E5%B7%A5%E5%8D%95%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx`)
	_, err := w.Write(b.Bytes())
	return err
}

// intakeUpload saves the file and imports it in the background, then shows the progress view.
func (s *handlers) intakeUpload(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxUpload)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return s.Render(w, r, http.StatusBadRequest, "intake_hotline", kit.PageData{Title: "in.title",
			Error: kit.Translator(kit.Language(w, r))("in.no file"), Field: "file", Data: map[string]any{}})
	}
	defer file.Close()
	enc, err := hotline.ParseEncoding(r.FormValue("encoding"))
	if err != nil {
		return kit.BadRequest("encoding", err.Error())
	}
	town := r.FormValue("town")
	if town == "" && len(c.Towns) > 0 {
		town = c.Towns[0]
	}
	if !slices.Contains(c.Towns, town) {
		return problem.NotFound("town %s", town)
	}
	ext := strings.ToLower(filepath.Ext(hdr.Filename))
	tmp, err := os.CreateTemp("", "upload-*"+ext)
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, file); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	j := &importJob{ID: hex.EncodeToString(b), srv: s, Town: town, File: hdr.Filename, Started: time.Now(), status: intake.JobRunning}
	importJobs.Lock()
	for id, old := range importJobs.m {
		old.mu.Lock()
		stale := !old.endedAt.IsZero() && time.Since(old.endedAt) > 24*time.Hour
		old.mu.Unlock()
		if stale {
			delete(importJobs.m, id)
		}
	}
	importJobs.m[j.ID] = j
	importJobs.Unlock()

	// The import outlives the request: it keeps the request's values but not its cancellation.
	// If the process stops half-way, uploading the same file again resumes it.
	ctx := context.WithoutCancel(r.Context())
	opts := intake.ImportOptions{Town: town, Path: tmp.Name(), Name: hdr.Filename, Encoding: enc, Actor: weborders.ActorOf(c), Orders: s.Orders,
		Progress: func(done, total int64) { j.mu.Lock(); j.done, j.total = done, total; j.mu.Unlock() },
		OnBatch:  func(sum intake.Summary) { j.mu.Lock(); j.sum = sum; j.mu.Unlock() },
	}
	go func() {
		defer os.Remove(tmp.Name())
		sum, err := intake.Import(ctx, s.DB, opts)
		j.mu.Lock()
		defer j.mu.Unlock()
		j.endedAt = time.Now()
		if err != nil {
			j.status, j.err = intake.JobFailed, err.Error()
			s.Log.Warn("hotline import failed", "file", j.File, "town", town, "err", err)
			return
		}
		j.status, j.sum = intake.JobDone, sum
		if j.total > 0 {
			j.done = j.total
		}
		s.Log.Info("hotline import done", "file", j.File, "town", town, "created", sum.Created, "updated", sum.Updated,
			"rejected", sum.Rejected, "seconds", sum.Seconds)
	}()
	http.Redirect(w, r, "/intake/hotline?job="+j.ID, http.StatusSeeOther)
	return nil
}

// jobStatus is what the progress view polls.
type jobStatus struct {
	ID        string     `json:"id"`
	File      string     `json:"file"`
	Status    string     `json:"status"` // running, done, failed
	Done      int64      `json:"done"`   // bytes read (CSV) or rows read (xlsx)
	Total     int64      `json:"total"`  // file size in bytes, -1 for xlsx
	Rows      int        `json:"rows"`
	Created   int        `json:"created"`
	Updated   int        `json:"updated"`
	Unchanged int        `json:"unchanged"`
	Rejected  int        `json:"rejected"`
	Unlocated int        `json:"unlocated"`
	Seconds   float64    `json:"seconds"` // since the upload; up to the end once it ended
	Error     string     `json:"error,omitempty"`
	Errors    []rowError `json:"errors"` // the first 20
	ErrorsURL string     `json:"errors_url,omitempty"`
}

type rowError struct {
	Line   int    `json:"line"`
	Column string `json:"column"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (s *handlers) intakeJobStatus(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	j, err := s.jobFor(r, c)
	if err != nil {
		return err
	}
	j.mu.Lock()
	st := jobStatus{ID: j.ID, File: j.File, Status: j.status, Done: j.done, Total: j.total, Rows: j.sum.Rows,
		Created: j.sum.Created, Updated: j.sum.Updated, Unchanged: j.sum.Unchanged, Rejected: j.sum.Rejected,
		Unlocated: j.sum.Unlocated, Error: j.err, Errors: []rowError{}}
	end := time.Now()
	if !j.endedAt.IsZero() {
		end = j.endedAt
	}
	st.Seconds = end.Sub(j.Started).Seconds()
	for i, e := range j.sum.Errors {
		if i == 20 {
			break
		}
		st.Errors = append(st.Errors, rowError{e.Line, e.Column, e.Field, e.Reason})
	}
	if j.status == intake.JobDone && len(j.sum.Errors) > 0 {
		st.ErrorsURL = "/intake/hotline/jobs/" + j.ID + "/errors.xlsx"
	}
	j.mu.Unlock()
	kit.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (s *handlers) intakeJobErrors(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	j, err := s.jobFor(r, c)
	if err != nil {
		return err
	}
	j.mu.Lock()
	errs := j.sum.Errors
	j.mu.Unlock()
	var b bytes.Buffer
	if err := hotline.WriteErrorReport(&b, errs); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="hotline-errors.xlsx"`)
	_, err = w.Write(b.Bytes())
	return err
}

// maxPush bounds one push request; the hotline sends orders as they come, a few at a time.
const maxPush = 1000

// pushResult is the answer for one pushed order.
type pushResult struct {
	HotlineID   string       `json:"工单编号"`
	OrderNumber string       `json:"order_number"`
	Status      string       `json:"status"`
	Errors      []fieldError `json:"errors"`
}

type fieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// apiPushHotline takes one hotline order or an array of them, keyed by the file's column names
// or their English aliases, and answers per order. 422 only when every order was rejected.
func (s *handlers) apiPushHotline(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	town := r.URL.Query().Get("town")
	if town == "" && len(c.Towns) > 0 {
		town = c.Towns[0]
	}
	if !slices.Contains(c.Towns, town) {
		return problem.NotFound("town %s", town)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<20))
	dec.UseNumber()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return kit.BadRequest("body", "body: send a JSON object or an array of objects ("+err.Error()+")")
	}
	if err := kit.NoTrailingData(dec); err != nil {
		return err
	}
	var objs []map[string]any
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		if err := unmarshalNumbers(t, &objs); err != nil {
			return kit.BadRequest("body", "body: each item must be an object: "+err.Error())
		}
	} else {
		var one map[string]any
		if err := unmarshalNumbers(t, &one); err != nil {
			return kit.BadRequest("body", "body: send a JSON object or an array of objects: "+err.Error())
		}
		objs = []map[string]any{one}
	}
	if len(objs) == 0 || len(objs) > maxPush {
		return kit.BadRequest("body", fmt.Sprintf("body: send 1 to %d orders per request", maxPush))
	}
	items := make([]map[string]string, len(objs))
	for i, o := range objs {
		items[i] = make(map[string]string, len(o))
		for k, v := range o {
			switch v := v.(type) {
			case string:
				items[i][k] = v
			case json.Number:
				items[i][k] = v.String()
			case nil:
			default:
				items[i][k] = fmt.Sprint(v)
			}
		}
	}
	res, err := intake.Push(r.Context(), s.DB, s.Orders, town, weborders.ActorOf(c), items)
	if err != nil {
		return err
	}
	out := make([]pushResult, len(res))
	status := http.StatusUnprocessableEntity
	for i, x := range res {
		id := x.HotlineID
		if id == "" {
			id = firstOf(items[i], "工单编号", "hotline_id")
		}
		out[i] = pushResult{HotlineID: id, OrderNumber: x.Number, Status: x.Status, Errors: []fieldError{}}
		for _, e := range x.Errors {
			out[i].Errors = append(out[i].Errors, fieldError{e.Field, e.Reason})
		}
		if x.Status != intake.Rejected {
			status = http.StatusOK
		}
	}
	kit.WriteJSON(w, status, out)
	return nil
}

func unmarshalNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data")
	}
	return nil
}

func firstOf(m map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(m[k]); v != "" {
			return v
		}
	}
	return ""
}
