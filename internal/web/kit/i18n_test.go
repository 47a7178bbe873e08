package kit

import (
	"strings"
	"testing"
)

func TestRegisterMessagesRefusesDuplicates(t *testing.T) {
	RegisterMessages("test-a", map[string][2]string{"kit test key": {"甲", "A"}})
	defer func() {
		p := recover()
		if p == nil || !strings.Contains(p.(string), "test-a") {
			t.Fatalf("second registration of a key: panic %v, want one naming the first owner", p)
		}
	}()
	RegisterMessages("test-b", map[string][2]string{"kit test key": {"乙", "B"}})
}

func TestRegisterMessagesRefusesMissingLanguage(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a message without its English text was accepted")
		}
	}()
	RegisterMessages("test", map[string][2]string{"kit test half": {"半", ""}})
}

func TestTranslator(t *testing.T) {
	RegisterMessages("test", map[string][2]string{"kit test t": {"中", "en"}})
	if got := Translator("en")("kit test t"); got != "en" {
		t.Errorf("en = %q", got)
	}
	if got := Translator("zh")("kit test t"); got != "中" {
		t.Errorf("zh = %q", got)
	}
	if got := Translator("zh")("no such key"); got != "no such key" {
		t.Errorf("unknown key = %q, want the key itself", got)
	}
}
