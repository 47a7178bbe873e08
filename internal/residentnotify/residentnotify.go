// Package residentnotify reaches the residents whose reports move (orders.ResidentNotifier). The
// default, Log, writes each message to the server log with the phone masked: a deployment that
// has an SMS or WeChat gateway adds an implementation beside it and picks it with
// `civicgrid serve --resident-notify` (docs/RESIDENTS.md).
package residentnotify

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/privacy"
)

// The ways to reach residents, as --resident-notify names them.
const (
	ModeLog = "log" // write each message to the log (the default)
	ModeOff = "off" // tell nobody
)

// Modes lists the valid values of --resident-notify.
var Modes = []string{ModeLog, ModeOff}

// New returns the notifier of mode, nil for ModeOff (the store then tells nobody).
func New(mode string, log *slog.Logger) (orders.ResidentNotifier, error) {
	switch mode {
	case ModeLog, "":
		return Log{Logger: log}, nil
	case ModeOff:
		return nil, nil
	}
	return nil, fmt.Errorf("--resident-notify %q: want one of %v", mode, Modes)
}

// Log is the log-only notifier: one line per message, at Info, with the number masked
// (138****5678) and the resident's account id, never the name.
type Log struct{ Logger *slog.Logger }

// Notify writes m to the log.
func (l Log) Notify(ctx context.Context, m orders.ResidentMessage) error {
	log := l.Logger
	if log == nil {
		log = slog.Default()
	}
	log.InfoContext(ctx, "resident notice", "order", m.Number, "town", m.TownCode, "kind", string(m.Kind),
		"state", m.State, "user_id", m.UserID, "phone", privacy.MaskPhone(m.Phone), "text_zh", m.ZH, "text_en", m.EN)
	return nil
}
