package workorder

import "fmt"

// Deadline classes (办理时限). Days are working days on the workcal
// calendar. The defaults follow the Shanghai hotline practice described in
// docs; a town may change the days (not the classes) through overrides.
const (
	ClassConsult      = "consult"       // 咨询/建议
	ClassGeneral      = "general"       // 一般诉求/投诉
	ClassComplex      = "complex"       // 复杂需审批
	ClassFirstContact = "first_contact" // 首次联系
	ClassRehandle     = "rehandle"      // 重办
)

// DeadlineClass is one row of the time-limit table.
type DeadlineClass struct {
	Code    string
	Days    int // default working days
	LabelZH string
	LabelEN string
}

// DeadlineClasses is the built-in time-limit table.
var DeadlineClasses = []DeadlineClass{
	{ClassConsult, 1, "咨询/建议", "Consultation or suggestion"},
	{ClassGeneral, 5, "一般诉求/投诉", "General request or complaint"},
	{ClassComplex, 15, "复杂诉求（需审批）", "Complex, needs approval"},
	{ClassFirstContact, 1, "首次联系", "First contact with the resident"},
	{ClassRehandle, 3, "重办", "Re-handling after dissatisfaction"},
}

// ValidClass reports whether class is a built-in deadline class.
func ValidClass(class string) bool {
	_, ok := findClass(class)
	return ok
}

func findClass(class string) (DeadlineClass, bool) {
	for _, c := range DeadlineClasses {
		if c.Code == class {
			return c, true
		}
	}
	return DeadlineClass{}, false
}

// ClassDays returns the working days allowed for class, taking a
// configured override (class code → days) before the built-in default.
// Overrides may only name built-in classes and must be at least 1 day.
func ClassDays(class string, overrides map[string]int) (int, error) {
	c, ok := findClass(class)
	if !ok {
		return 0, fmt.Errorf("deadline class %q: unknown (want one of consult, general, complex, first_contact, rehandle)", class)
	}
	if d, ok := overrides[class]; ok {
		if d < 1 {
			return 0, fmt.Errorf("deadline class %q: override of %d days; it must be at least 1", class, d)
		}
		return d, nil
	}
	return c.Days, nil
}

// ValidateOverrides checks a configured override map as a whole, so an
// administrator hears about a bad entry when saving, not when an order is
// filed.
func ValidateOverrides(overrides map[string]int) error {
	for _, c := range DeadlineClasses {
		if _, err := ClassDays(c.Code, overrides); err != nil {
			return err
		}
	}
	for class := range overrides {
		if !ValidClass(class) {
			return fmt.Errorf("deadline class %q: unknown (want one of consult, general, complex, first_contact, rehandle)", class)
		}
	}
	return nil
}
