package dispatch

import "github.com/civicgrid/civicgrid/internal/fold"

// foldAddress is fold.String without spaces of any kind: addresses are written with spaces
// anywhere ("仙霞西路 88 号") and never need them.
func foldAddress(s string) string { return fold.NoSpaces(fold.String(s)) }
