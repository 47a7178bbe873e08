// Package problem defines the errors that every capability returns for bad input and missing or
// forbidden records, so the HTTP layer and the CLI can answer each with the right status and a
// message that names the field at fault.
package problem

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound: the record does not exist or is outside the caller's towns (never say which).
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the caller's role may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: the record changed meanwhile or the action does not fit its state.
	ErrConflict = errors.New("conflict")
)

// FieldError is bad input in one named field.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }

// Field returns a *FieldError; reason may use fmt verbs.
func Field(field, reason string, args ...any) error {
	if len(args) > 0 {
		reason = fmt.Sprintf(reason, args...)
	}
	return &FieldError{Field: field, Reason: reason}
}

// NotFound wraps ErrNotFound with what was looked for.
func NotFound(what string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(what, args...), ErrNotFound)
}

// Conflict wraps ErrConflict with an explanation.
func Conflict(why string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(why, args...), ErrConflict)
}

// Forbidden wraps ErrForbidden with an explanation.
func Forbidden(why string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(why, args...), ErrForbidden)
}
