package kit

import (
	"errors"
	"fmt"
	"io/fs"
)

// Static adds the files of fsys's static/ folder to those served under /static/, so that a web
// package keeps its own scripts and styles while their URLs stay /static/<name>. A name another
// package already serves is refused: one of the two would silently be hidden.
func (m *Mount) Static(fsys fs.FS) error {
	sub, err := fs.Sub(fsys, "static")
	if err != nil {
		return err
	}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, other := range m.k.static {
			if _, err := fs.Stat(other.fs, p); err == nil {
				return fmt.Errorf("static file %s of %s: %s serves one by that name", p, m.capability, other.capability)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.k.static = append(m.k.static, staticDir{fs: sub, capability: m.capability})
	return nil
}

type staticDir struct {
	fs         fs.FS
	capability string
}

// StaticFS is every package's static files in one tree: a name is looked up in the order the
// packages added theirs (the shell's first).
func (k *Kit) StaticFS() fs.FS { return layered{k} }

type layered struct{ k *Kit }

func (l layered) Open(name string) (fs.File, error) {
	for _, d := range l.k.static {
		f, err := d.fs.Open(name)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return f, err
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// Files adds a web package's embedded files: its templates/ (Templates) and its static/ (Static),
// the first step of every capability's Mount.
func (m *Mount) Files(fsys fs.FS) error {
	if err := m.Templates(fsys); err != nil {
		return err
	}
	return m.Static(fsys)
}
