// Package problem defines the errors that every capability returns for bad input and missing or
// forbidden records, so the HTTP layer and the CLI can answer each with the right status and a
// message that names the field at fault.
package problem

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

var (
	// ErrNotFound: the record does not exist or is outside the caller's towns (never say which).
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the caller's role may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: the record changed meanwhile or the action does not fit its state.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input is wrong; every *FieldError is one.
	ErrInvalid = errors.New("invalid input")
	// ErrBadRequest: the request asks for something that does not exist at all (an unknown action).
	ErrBadRequest = errors.New("bad request")
	// ErrUnauthenticated: the caller could not be identified (wrong username or password).
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrThrottled: too many attempts; try again later.
	ErrThrottled = errors.New("too many requests")
	// ErrUnavailable: the server cannot take the work now (busy); the request itself is fine.
	ErrUnavailable = errors.New("unavailable")
)

// Error is a capability's own sentinel error that is also one of the errors above: errors.Is
// matches both the sentinel and its Kind, so the web layer and the CLI need to know only this
// package's errors. Field names the input at fault, if one.
type Error struct {
	Kind  error
	Field string
	Msg   string
}

// New returns a sentinel error of the given kind (one of the Err values above).
func New(kind error, field, msg string) *Error { return &Error{Kind: kind, Field: field, Msg: msg} }

func (e *Error) Error() string { return e.Msg }

// Unwrap makes errors.Is(err, e.Kind) hold.
func (e *Error) Unwrap() error { return e.Kind }

// FieldError is bad input in one named field. It matches ErrInvalid under errors.Is.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }

// Is makes errors.Is(err, ErrInvalid) true for every FieldError.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// FieldOf names the input field err is about: a *FieldError's or an *Error's field, else "".
func FieldOf(err error) string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Field
	}
	return ""
}

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

// Text trims s and checks one text input of field: present when required ("is required") and at
// most max characters ("is longer than max characters"). It returns s trimmed.
func Text(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return s, Field(field, "is required")
	}
	if utf8.RuneCountInString(s) > max {
		return s, Field(field, "is longer than %d characters", max)
	}
	return s, nil
}
