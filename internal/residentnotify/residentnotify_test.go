package residentnotify

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// The log default writes the message and the masked phone, never the whole number.
func TestLogMasksThePhone(t *testing.T) {
	var buf bytes.Buffer
	n, err := New(ModeLog, slog.New(slog.NewTextHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	err = n.Notify(context.Background(), orders.ResidentMessage{OrderID: 7, Number: "XJ20251013-0007", TownCode: "310105102",
		UserID: 12, Phone: "13812345678", Kind: workorder.NewsClosed, State: "closed", ZH: "您反映的问题已办结", EN: "Your report is resolved"})
	if err != nil {
		t.Fatal(err)
	}
	line := buf.String()
	if strings.Contains(line, "13812345678") || strings.Contains(line, "12345678") {
		t.Errorf("the log holds the whole phone: %s", line)
	}
	for _, want := range []string{"phone=138****5678", "order=XJ20251013-0007", "kind=closed", "user_id=12", "您反映的问题已办结", "Your report is resolved"} {
		if !strings.Contains(line, want) {
			t.Errorf("the log line lacks %q: %s", want, line)
		}
	}
}

func TestModes(t *testing.T) {
	if n, err := New(ModeOff, nil); n != nil || err != nil {
		t.Errorf("off = %v, %v; want nil, nil", n, err)
	}
	if _, err := New("sms", nil); err == nil {
		t.Error("an unknown mode was accepted")
	}
}
