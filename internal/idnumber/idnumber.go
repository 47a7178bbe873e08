// Package idnumber is the resident identity number of GB 11643-1999 (居民身份证号码): 17 digits —
// region, birth date YYYYMMDD, sequence with the gender in its last digit — and the ISO 7064
// MOD 11-2 check character. Party rosters and volunteer registration both check it; the rule is
// stated here once.
package idnumber

import (
	"fmt"
	"time"
)

// weights and codes are the check character's: the weighted sum of the first 17 digits modulo 11
// picks the 18th character.
var (
	weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	codes   = "10X98765432"
)

// Check returns the check character of the first 17 digits of a resident ID number.
func Check(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * weights[i]
	}
	return codes[sum%11]
}

// Digits reports whether the first 17 characters of s are digits (s has at least 17).
func Digits(s string) bool {
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Valid reports whether s is an 18-character resident ID number: 17 digits, a birth date that
// exists, and the check character (an upper-case X).
func Valid(s string) bool {
	if len(s) != 18 || !Digits(s) {
		return false
	}
	if _, err := time.Parse("20060102", s[6:14]); err != nil {
		return false
	}
	return s[17] == Check(s[:17])
}

// Make returns a valid number of a region (6 digits), a birth date YYYYMMDD, a sequence (its last
// two digits are used) and a gender: for tests and demo data.
func Make(region, birth string, seq int, male bool) string {
	g := 2
	if male {
		g = 1
	}
	first := fmt.Sprintf("%s%s%02d%d", region, birth, seq%100, g)
	return first + string(Check(first))
}
