package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/dispatch"
)

// stdin is where classify and similar read; tests replace it.
var stdin io.Reader = os.Stdin

// maxLine bounds one input line of classify and similar.
const maxLine = 1 << 20

// columnFlags name the columns of a labelled CSV.
func columnFlags(fs *flag.FlagSet, c *dispatch.Columns) {
	fs.StringVar(&c.Text, "text-column", "", "the text's column (default: text, else detail, else content)")
	fs.StringVar(&c.Title, "title-column", "", "the title's column, its own feature block (default: title, when there is one)")
	fs.StringVar(&c.Label, "label-column", "", "the label's column (default: label, else label_level1, else category)")
}

// readTraining reads a labelled CSV (its columns as cols name them) and, when taxonomy is not
// empty, a category tree CSV whose names are extra examples.
func readTraining(data string, cols dispatch.Columns, taxonomy string) ([]dispatch.Example, []dispatch.TaxonomyRow, error) {
	ex, err := readWith(data, func(r io.Reader) ([]dispatch.Example, error) { return dispatch.ReadExamples(r, cols) })
	if err != nil || taxonomy == "" {
		return ex, nil, err
	}
	tax, err := readWith(taxonomy, dispatch.ReadTaxonomy)
	return ex, tax, err
}

// readWith opens path and reads it with read; a read error names the file.
func readWith[T any](path string, read func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	v, err := read(f)
	if err != nil {
		return v, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

func runTrain(ctx context.Context, args []string, out io.Writer) error {
	var data, model, store, taxonomy string
	var seed uint64
	var single bool
	var bits int
	var cols dispatch.Columns
	fs := newFlagSet("train", "train the text classifier", "train --data FILE (--out MODEL | --store DIR) [--taxonomy FILE] [--seed N]", out)
	fs.StringVar(&data, "data", "", "labelled CSV, UTF-8 with a header row: text and label columns (or title, detail, label_level1)")
	fs.StringVar(&model, "out", "", "model file to write")
	fs.StringVar(&store, "store", "", "model store directory: the model becomes its newest version, the previous ones are kept for rollback")
	fs.StringVar(&taxonomy, "taxonomy", "", "category tree CSV (level1,level2,level3): its names become extra training examples")
	fs.Uint64Var(&seed, "seed", 1, "training seed (the same data and seed give the same model)")
	fs.BoolVar(&single, "single", false, "one logistic regression instead of the ensemble")
	fs.IntVar(&bits, "bits", 0, "hash slots 2^bits (12–22); default: as many as keep the weight table near 4 MB")
	columnFlags(fs, &cols)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if data == "" {
		return errors.New("--data FILE is needed (to train a town's model from its closed orders: civicgrid model train --town CODE)")
	}
	if (model == "") == (store == "") {
		return errors.New("pass one of --out MODEL and --store DIR")
	}
	ex, tax, err := readTraining(data, cols, taxonomy)
	if err != nil {
		return err
	}
	start := time.Now()
	m, err := dispatch.Train(ex, dispatch.TrainOptions{Seed: seed, Single: single, Bits: bits, Taxonomy: tax, Note: "civicgrid train --data " + data})
	if err != nil {
		return err
	}
	took := time.Since(start).Round(time.Millisecond)
	if store != "" {
		n, err := (&dispatch.ModelStore{Dir: store}).Save(m)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "trained on %d texts (+%d taxonomy names), %d labels, in %s: %s version %d\n", m.Info.Examples, m.Info.Extra, len(m.Labels), took, store, n)
		return nil
	}
	if err := dispatch.SaveModelFile(model, m); err != nil {
		return err
	}
	fmt.Fprintf(out, "trained on %d texts (+%d taxonomy names), %d labels, in %s: %s\n", m.Info.Examples, m.Info.Extra, len(m.Labels), took, model)
	return nil
}

// loadModel reads a model file, or the current model of a store directory.
func loadModel(path string) (*dispatch.Model, error) {
	if path == "" {
		return nil, errors.New("--model is needed: a model file or a model store directory")
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return (&dispatch.ModelStore{Dir: path}).Load()
	}
	return dispatch.LoadModelFile(path)
}

func runClassify(ctx context.Context, args []string, out io.Writer) error {
	var model string
	var top, explain int
	fs := newFlagSet("classify", "classify texts", "classify --model MODEL [--top 3] [--explain N] < texts.txt", out)
	fs.StringVar(&model, "model", "", "model file, or model store directory (its current version)")
	fs.IntVar(&top, "top", 3, "labels per text")
	fs.IntVar(&explain, "explain", 0, "add the N phrases that weighed most for the first label (\"because\")")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	m, err := loadModel(model)
	if err != nil {
		return err
	}
	type line struct {
		dispatch.Prediction
		Because []dispatch.Evidence `json:"because,omitempty"`
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	w := bufio.NewWriter(out)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for n := 1; sc.Scan(); n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		text := strings.TrimSpace(sc.Text())
		l := line{Prediction: m.Classify("", text, top)}
		if explain > 0 {
			l.Because = m.Explain("", text, l.Label, explain)
		}
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("stdin: %w", err)
	}
	return nil
}

func runEval(ctx context.Context, args []string, out io.Writer) error {
	var data, taxonomy, seeds, departments string
	var seed uint64
	var folds int
	var cols dispatch.Columns
	fs := newFlagSet("eval", "cross-validate the classifier", "eval --data FILE [--taxonomy FILE] [--departments FILE] [--seed N | --seeds 1,2,3] [--folds 5]", out)
	fs.StringVar(&data, "data", "", "labelled CSV (as for train)")
	fs.StringVar(&taxonomy, "taxonomy", "", "category tree CSV (level1,level2,level3): its names as extra training examples")
	fs.Uint64Var(&seed, "seed", 1, "seed of the folds and of training")
	fs.StringVar(&seeds, "seeds", "", "several seeds, comma-separated: one cross-validation each, then mean and standard deviation")
	fs.IntVar(&folds, "folds", 5, "stratified folds: each text is held out once")
	fs.StringVar(&departments, "departments", "", "CSV label,department: score the departments the labels map to as well")
	columnFlags(fs, &cols)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if data == "" {
		return errors.New("--data FILE is needed")
	}
	ss := []uint64{seed}
	if seeds != "" {
		ss = nil
		for f := range strings.SplitSeq(seeds, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
			if err != nil {
				return fmt.Errorf("--seeds: %q is not a number", f)
			}
			ss = append(ss, n)
		}
		if len(ss) > 100 {
			return errors.New("--seeds: at most 100")
		}
	}
	ex, tax, err := readTraining(data, cols, taxonomy)
	if err != nil {
		return err
	}
	labels := map[string]bool{}
	for _, e := range ex {
		labels[e.Label] = true
	}
	fmt.Fprintf(out, "%s: %d texts, %d labels; %d-fold stratified cross-validation, seeds %v", data, len(ex), len(labels), folds, ss)
	if taxonomy != "" {
		fmt.Fprintf(out, "; taxonomy %s (%d rows)", taxonomy, len(tax))
	}
	fmt.Fprintln(out)
	var depts map[string]string
	if departments != "" {
		f, err := os.Open(departments)
		if err != nil {
			return err
		}
		depts, err = dispatch.ReadDepartments(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", departments, err)
		}
	}
	runs, err := dispatch.Evaluate(ex, dispatch.EvalOptions{Folds: folds, Seeds: ss, Taxonomy: tax, Departments: depts})
	if err != nil {
		return err
	}
	if len(runs) > 1 {
		for _, r := range runs {
			fmt.Fprintf(out, "seed %d:", r.Seed)
			for i := range dispatch.EvalSystems {
				fmt.Fprintf(out, "  %.3f", r.Scores[i].Top1)
			}
			fmt.Fprintln(out, "  (top-1 per system, in the order below)")
		}
	}
	printEvalTable(out, "category", runs, taxonomy != "")
	if depts != nil {
		dr := make([]dispatch.EvalRun, len(runs))
		for i, r := range runs {
			dr[i] = dispatch.EvalRun{Seed: r.Seed, Scores: r.Departments}
		}
		fmt.Fprintf(out, "\ndepartments: each label's department from %s; a ranking of labels is a ranking of their departments\n", departments)
		printEvalTable(out, "department", dr, taxonomy != "")
	}
	var conf, ece float64
	for _, r := range runs {
		conf += r.Confidence / float64(len(runs))
		ece += r.ECE / float64(len(runs))
	}
	fmt.Fprintf(out, "\nensemble calibration: mean probability of the first label %.3f (its top-1 above), expected calibration error %.3f\n", conf, ece)
	return nil
}

// printEvalTable prints top-1, top-3 and macro-F1 of every system: the mean and, over several
// seeds, the standard deviation.
func printEvalTable(out io.Writer, what string, runs []dispatch.EvalRun, taxonomy bool) {
	fmt.Fprintf(out, "\n%-36s %-13s %-13s %-13s\n", what, "top-1", "top-3", "macro-F1")
	for i, name := range dispatch.EvalSystems {
		if !taxonomy {
			name = strings.Replace(name, " + taxonomy", " (no taxonomy)", 1)
		}
		fmt.Fprintf(out, "%-36s", name)
		for _, pick := range []func(dispatch.Scores) float64{
			func(s dispatch.Scores) float64 { return s.Top1 },
			func(s dispatch.Scores) float64 { return s.Top3 },
			func(s dispatch.Scores) float64 { return s.MacroF1 },
		} {
			mean, sd := dispatch.MeanSD(runs, i, pick)
			if len(runs) > 1 {
				fmt.Fprintf(out, " %.3f ±%.3f  ", mean, sd)
			} else {
				fmt.Fprintf(out, " %-13.3f", mean)
			}
		}
		fmt.Fprintln(out)
	}
}

// similarIn is one order read by civicgrid similar.
type similarIn struct {
	ID       string   `json:"id"`
	Text     string   `json:"text"`
	Time     string   `json:"time"`
	Lat      *float64 `json:"lat"`
	Lng      *float64 `json:"lng"`
	Phone    string   `json:"phone"`
	Category string   `json:"category"`
	Open     bool     `json:"open"`
}

var timeLayouts = []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04", "2006-01-02"}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: write it as 2006-01-02T15:04:05Z07:00 or 2006-01-02 15:04:05", s)
}

// maxSimilarOrders bounds what civicgrid similar reads.
const maxSimilarOrders = 2_000_000

func runSimilar(ctx context.Context, args []string, out io.Writer) error {
	var days int
	var opt dispatch.SimilarOptions
	fs := newFlagSet("similar", "flag repeated orders", "similar [--days 30] [--max-distance 1000] [--threshold 0.4] < orders.jsonl", out)
	fs.IntVar(&days, "days", 30, "orders within this many days of each other are compared (open ones always)")
	fs.Float64Var(&opt.MaxDistance, "max-distance", 1000, "metres: orders with points farther apart are never flagged")
	fs.Float64Var(&opt.Threshold, "threshold", 0.4, "least score flagged, 0–1")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if days <= 0 || days > 3660 {
		return errors.New("--days: between 1 and 3660")
	}
	opt.Window = time.Duration(days) * 24 * time.Hour
	var orders []dispatch.Order
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var in similarIn
		if err := json.Unmarshal([]byte(line), &in); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if in.ID == "" {
			return fmt.Errorf("line %d: no id", n)
		}
		t, err := parseTime(in.Time)
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		o := dispatch.Order{ID: in.ID, Text: in.Text, Time: t, Phone: in.Phone, Category: in.Category, Open: in.Open}
		if in.Lat != nil && in.Lng != nil {
			if *in.Lat < -90 || *in.Lat > 90 || *in.Lng < -180 || *in.Lng > 180 {
				return fmt.Errorf("line %d: lat/lng %v,%v out of range", n, *in.Lat, *in.Lng)
			}
			o.Lat, o.Lng, o.HasPoint = *in.Lat, *in.Lng, true
		}
		if len(orders) == maxSimilarOrders {
			return fmt.Errorf("more than %d orders", maxSimilarOrders)
		}
		orders = append(orders, o)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("stdin: %w", err)
	}
	// In time order, each order is checked against the ones before it: every pair once.
	slices.SortStableFunc(orders, func(a, b dispatch.Order) int { return a.Time.Compare(b.Time) })
	x := dispatch.NewSimilarIndex(opt)
	w := bufio.NewWriter(out)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	type pair struct {
		A string `json:"a"` // the later order
		B string `json:"b"` // the earlier one it probably repeats
		dispatch.Match
	}
	for i, o := range orders {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		for _, m := range x.Check(o) {
			p := pair{A: o.ID, B: m.ID, Match: m}
			p.Match.ID = ""
			if err := enc.Encode(p); err != nil {
				return err
			}
		}
		x.Add(o)
	}
	return nil
}

func runModelRollback(ctx context.Context, args []string, out io.Writer) error {
	var store string
	fs := newFlagSet("model rollback", "roll back to the previous model", "model rollback --store DIR", out)
	fs.StringVar(&store, "store", "", "model store directory")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	n, err := (&dispatch.ModelStore{Dir: store}).Rollback()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: version %d is current\n", store, n)
	return nil
}

func runModelList(ctx context.Context, args []string, out io.Writer) error {
	var store string
	fs := newFlagSet("model list", "list model versions", "model list --store DIR", out)
	fs.StringVar(&store, "store", "", "model store directory")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s := &dispatch.ModelStore{Dir: store}
	vs, err := s.Versions()
	if err != nil {
		return err
	}
	cur, err := s.Current()
	if err != nil {
		return err
	}
	for _, v := range vs {
		mark := " "
		if v == cur {
			mark = "*"
		}
		fmt.Fprintf(out, "%s %d\n", mark, v)
	}
	return nil
}
