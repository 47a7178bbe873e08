package party

import (
	"fmt"
	"time"
)

// The "光荣在党50年" (fifty years in the party) commemorative medal. The rule (中共中央办公厅《关于
// 做好"光荣在党50年"纪念章颁发工作的通知》 and the 中央组织部 《"光荣在党50年"纪念章颁发管理办法》,
// 2021): the medal goes to living members whose party standing (党龄) has reached 50 years by July 1
// of the year; it was first given in 2021 to everyone who qualified by 2021-07-01 and is then given
// each year at 七一 to those who reached 50 years since. Party standing counts from the day a member
// became a full member (党章 第七条: 预备党员的党龄，从转为正式党员之日算起), which is the date a
// roster stores (Member.Joined).

const firstAwardYear = 2021

// HoldersCutoff is the last date of full membership that holds the medal in year: July 1 fifty
// years before (a member in full since 1975-07-01 holds it from 2025; since 1975-07-02, from 2026).
func HoldersCutoff(year int) string { return fmt.Sprintf("%04d-07-01", year-50) }

// HoldsHonour reports whether a member in full since joined holds the medal in year (year ≥ 2021).
func HoldsHonour(joined time.Time, year int) bool {
	if year < firstAwardYear {
		return false
	}
	return joined.Format(DateLayout) <= HoldersCutoff(year)
}

// AwardedIn reports whether year is the year a member in full since joined received the medal:
// the first year they hold it (2021 for everyone who held it then).
func AwardedIn(joined time.Time, year int) bool {
	if !HoldsHonour(joined, year) {
		return false
	}
	return year == firstAwardYear || !HoldsHonour(joined, year-1)
}

// Standing is the whole years of party standing of a member in full since joined, on July 1 of year.
func Standing(joined time.Time, year int) int {
	on := time.Date(year, 7, 1, 0, 0, 0, 0, joined.Location())
	n := year - joined.Year()
	if on.Before(time.Date(year, joined.Month(), joined.Day(), 0, 0, 0, 0, joined.Location())) {
		n--
	}
	if n < 0 {
		return 0
	}
	return n
}

// HonourYear is the year whose awards have last been given on day: the year of the latest July 1
// on or before it.
func HonourYear(day time.Time) int {
	if day.Month() < time.July {
		return day.Year() - 1
	}
	return day.Year()
}
