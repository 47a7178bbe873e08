package dispatch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The model file: one JSON object, {"format": "civicgrid.textmodel", "version": 2, …}. The hash
// table is stored sparsely (only slots some training text reached), so a model trained on a few
// hundred texts is a few MB however many slots it has.
//
// Version 2 added title_scale and the member kind "cnb" (complement naive Bayes); a version-1
// file (members "softmax" and "nb", title at full weight) still loads and classifies as before.
// Version 3 added phrases and phrase_weight (the taxonomy's names as whole-phrase features,
// textphrase.go). A model without phrases (trained without a taxonomy) is still written as
// version 2, so older builds read it; one with phrases is version 3, which an older build refuses
// with "retrain" rather than classifying without the phrases.
const (
	ModelFormat  = "civicgrid.textmodel"
	ModelVersion = 3
	// minModelVersion is the oldest version ReadModel reads.
	minModelVersion = 1
	// MaxModelFile bounds what ReadModel reads.
	MaxModelFile = 512 << 20
)

// ModelInfo says where a model comes from.
type ModelInfo struct {
	Trained  time.Time `json:"trained"`
	Examples int       `json:"examples"`         // labelled texts
	Extra    int       `json:"extra,omitempty"`  // taxonomy names added as examples
	Seed     uint64    `json:"seed"`             // SGD shuffling seed
	Note     string    `json:"note,omitempty"`   // what it was trained from
	Number   int       `json:"number,omitempty"` // the version number a ModelStore gave it
}

type memberFile struct {
	Kind    string    `json:"kind"`
	Weight  float64   `json:"weight"`
	Temp    float64   `json:"temp"`
	Bias    []float32 `json:"bias"`
	Base    []float32 `json:"base,omitempty"`
	Slots   []uint32  `json:"slots"`   // non-zero slots, ascending
	Weights []float32 `json:"weights"` // len(Slots)·K: slot i's weights for label k at i·K+k
}

type modelFile struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	Info       ModelInfo `json:"info"`
	Labels     []string  `json:"labels"`
	Bits       int       `json:"bits"`
	MaxN       int       `json:"max_n"`
	TitleBlock bool      `json:"title_block"`
	TitleScale float32   `json:"title_scale,omitempty"` // version 2; absent = 1
	Sharpen    float64   `json:"sharpen,omitempty"`
	// IDF weights: IDFDefault for every slot but IDFSlots, which have IDF (same order).
	IDFDefault float32      `json:"idf_default,omitempty"`
	IDFSlots   []uint32     `json:"idf_slots,omitempty"`
	IDF        []float32    `json:"idf,omitempty"`
	Members    []memberFile `json:"members"`
	// Version 3: the taxonomy's names (folded) whose whole occurrence in a text is a feature of
	// value PhraseWeight; phrase i's slot is phraseSet.slot(i).
	Phrases      []string `json:"phrases,omitempty"`
	PhraseWeight float32  `json:"phrase_weight,omitempty"`
}

// WriteModel writes m as JSON.
func WriteModel(w io.Writer, m *Model) error {
	f := modelFile{Format: ModelFormat, Version: 2, Info: m.Info, Labels: m.Labels,
		Bits: m.Bits, MaxN: m.MaxN, TitleBlock: m.TitleBlock, TitleScale: m.TitleScale, Sharpen: m.Sharpen}
	if m.phrases != nil {
		f.Version, f.Phrases, f.PhraseWeight = 3, m.phrases.list, m.phrases.val
	}
	if m.idf != nil {
		f.IDFDefault = slices.Max(m.idf)
		for j, v := range m.idf {
			if v != f.IDFDefault {
				f.IDFSlots = append(f.IDFSlots, uint32(j))
				f.IDF = append(f.IDF, v)
			}
		}
	}
	for mi, mb := range m.members {
		mf := memberFile{Kind: mb.Kind, Weight: mb.Weight, Temp: mb.Temp, Bias: mb.Bias, Base: mb.Base}
		for j := range 1 << m.Bits {
			row := m.row(uint32(j), mi)
			if slices.ContainsFunc(row, func(v float32) bool { return v != 0 }) {
				mf.Slots = append(mf.Slots, uint32(j))
				mf.Weights = append(mf.Weights, row...)
			}
		}
		f.Members = append(f.Members, mf)
	}
	return json.NewEncoder(w).Encode(f)
}

// ReadModel reads a model written by WriteModel, checking its format, version and shape.
func ReadModel(r io.Reader) (*Model, error) {
	var f modelFile
	dec := json.NewDecoder(io.LimitReader(r, MaxModelFile))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a model file: %w", err)
	}
	if f.Format != ModelFormat {
		return nil, fmt.Errorf("not a model file: format %q, want %q", f.Format, ModelFormat)
	}
	if f.Version < minModelVersion || f.Version > ModelVersion {
		return nil, fmt.Errorf("model file version %d: this civicgrid reads versions %d to %d (retrain the model)", f.Version, minModelVersion, ModelVersion)
	}
	K := len(f.Labels)
	switch {
	case K < 2 || K > MaxLabels:
		return nil, fmt.Errorf("model file: %d labels", K)
	case f.Bits < minBits || f.Bits > maxBits:
		return nil, fmt.Errorf("model file: bits %d", f.Bits)
	case f.MaxN < 1 || f.MaxN > 3:
		return nil, fmt.Errorf("model file: max_n %d", f.MaxN)
	case len(f.Members) == 0:
		return nil, errors.New("model file: no members")
	}
	if (1<<f.Bits)*K*len(f.Members) > maxTable {
		return nil, fmt.Errorf("model file: %d labels × 2^%d slots × %d members: too large", K, f.Bits, len(f.Members))
	}
	if f.Sharpen < 0 || f.Sharpen > 10 {
		return nil, fmt.Errorf("model file: sharpen %v", f.Sharpen)
	}
	if f.TitleScale < 0 || f.TitleScale > 10 || f.Version < 2 && f.TitleScale != 0 {
		return nil, fmt.Errorf("model file: title_scale %v", f.TitleScale)
	}
	if f.Version < 3 && (f.Phrases != nil || f.PhraseWeight != 0) {
		return nil, fmt.Errorf("model file version %d: phrases need version 3", f.Version)
	}
	if len(f.Phrases) > maxPhrases || (len(f.Phrases) > 0) != (f.PhraseWeight != 0) || f.PhraseWeight < 0 || f.PhraseWeight > 10 {
		return nil, fmt.Errorf("model file: %d phrases of weight %v", len(f.Phrases), f.PhraseWeight)
	}
	for i, p := range f.Phrases {
		if n := runeLen(p); n < 2 || n > maxPhraseRunes {
			return nil, fmt.Errorf("model file: phrase %d has %d characters", i, n)
		}
	}
	m := &Model{Labels: f.Labels, Bits: f.Bits, MaxN: f.MaxN, TitleBlock: f.TitleBlock, TitleScale: f.TitleScale, Sharpen: f.Sharpen, Info: f.Info}
	if len(f.Phrases) > 0 {
		m.phrases = newPhraseSet(f.Phrases, f.PhraseWeight)
	}
	D := 1 << f.Bits
	if f.IDFDefault != 0 {
		if len(f.IDF) != len(f.IDFSlots) {
			return nil, errors.New("model file: idf and idf_slots differ in length")
		}
		m.idf = make([]float32, D)
		for j := range m.idf {
			m.idf[j] = f.IDFDefault
		}
		for i, j := range f.IDFSlots {
			if int(j) >= D {
				return nil, fmt.Errorf("model file: idf slot %d out of range", j)
			}
			m.idf[j] = f.IDF[i]
		}
	}
	for i, mf := range f.Members {
		if !slices.Contains(memberKinds[f.Version], mf.Kind) {
			return nil, fmt.Errorf("model file version %d: member %d of unknown kind %q (retrain the model)", f.Version, i, mf.Kind)
		}
		if len(mf.Bias) != K || (mf.Base != nil && len(mf.Base) != K) || len(mf.Weights) != len(mf.Slots)*K {
			return nil, fmt.Errorf("model file: member %d: sizes do not match %d labels", i, K)
		}
		mb := &member{Kind: mf.Kind, Weight: mf.Weight, Temp: mf.Temp, Bias: mf.Bias, Base: mf.Base, W: make([]float32, D*K)}
		for s, j := range mf.Slots {
			if int(j) >= D {
				return nil, fmt.Errorf("model file: member %d: slot %d out of range", i, j)
			}
			copy(mb.W[int(j)*K:int(j)*K+K], mf.Weights[s*K:s*K+K])
		}
		m.members = append(m.members, mb)
	}
	m.pack()
	return m, nil
}

// memberKinds are the kinds of ensemble member each file version may hold.
var memberKinds = map[int][]string{1: {"softmax", "nb"}, 2: {"softmax", "nb", "cnb"}, 3: {"softmax", "nb", "cnb"}}

// SaveModelFile writes m to path atomically (a temporary file renamed into place).
func SaveModelFile(path string, m *Model) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".model-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := WriteModel(tmp, m); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// LoadModelFile reads the model at path.
func LoadModelFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := ReadModel(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ModelStore keeps a town's models in a directory: model-000001.json, model-000002.json, … and a
// file CURRENT naming the one in use. Save adds a version and makes it current; Rollback makes
// the version before the current one current again. The newest Keep versions (default 5) are
// kept, and always the current one. Not safe for concurrent writers.
type ModelStore struct {
	Dir  string
	Keep int
}

const currentFile = "CURRENT"

func modelName(n int) string { return fmt.Sprintf("model-%06d.json", n) }

// Versions lists the stored version numbers, ascending.
func (s *ModelStore) Versions() ([]int, error) {
	ents, err := os.ReadDir(s.Dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var vs []int
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, "model-") || !strings.HasSuffix(name, ".json") {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "model-"), ".json")); err == nil && n > 0 {
			vs = append(vs, n)
		}
	}
	slices.Sort(vs)
	return vs, nil
}

// Current is the version in use; 0 when none.
func (s *ModelStore) Current() (int, error) {
	b, err := os.ReadFile(filepath.Join(s.Dir, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s: %q is not a version number", filepath.Join(s.Dir, currentFile), b)
	}
	return n, nil
}

func (s *ModelStore) setCurrent(n int) error {
	tmp := filepath.Join(s.Dir, currentFile+".tmp")
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(n)+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(s.Dir, currentFile))
}

// Save stores m as a new version, makes it current and returns its number.
func (s *ModelStore) Save(m *Model) (int, error) {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return 0, err
	}
	vs, err := s.Versions()
	if err != nil {
		return 0, err
	}
	n := 1
	if len(vs) > 0 {
		n = vs[len(vs)-1] + 1
	}
	m.Info.Number = n
	if err := SaveModelFile(filepath.Join(s.Dir, modelName(n)), m); err != nil {
		return 0, err
	}
	if err := s.setCurrent(n); err != nil {
		return 0, err
	}
	keep := s.Keep
	if keep <= 0 {
		keep = 5
	}
	for i := 0; i+keep < len(vs)+1; i++ {
		os.Remove(filepath.Join(s.Dir, modelName(vs[i])))
	}
	return n, nil
}

// ErrNoModel is returned when a store has no model (to load, or to roll back to).
var ErrNoModel = errors.New("no model")

// Load reads the current model.
func (s *ModelStore) Load() (*Model, error) {
	n, err := s.Current()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: %w: train one first", s.Dir, ErrNoModel)
	}
	return LoadModelFile(filepath.Join(s.Dir, modelName(n)))
}

// Rollback makes the newest version older than the current one current and returns its number;
// the newer versions stay on disk (Save after a rollback still numbers past them).
func (s *ModelStore) Rollback() (int, error) {
	cur, err := s.Current()
	if err != nil {
		return 0, err
	}
	vs, err := s.Versions()
	if err != nil {
		return 0, err
	}
	prev := 0
	for _, v := range vs {
		if v < cur {
			prev = v
		}
	}
	if prev == 0 {
		return 0, fmt.Errorf("%s: %w older than version %d to roll back to", s.Dir, ErrNoModel, cur)
	}
	if _, err := LoadModelFile(filepath.Join(s.Dir, modelName(prev))); err != nil {
		return 0, fmt.Errorf("roll back to version %d: %w", prev, err)
	}
	return prev, s.setCurrent(prev)
}
