// Package workcal is the working-time calendar (工作日历) that work-order
// deadlines are counted on: Chinese public holidays (放假) and the weekend
// days that become working days (调休上班), as published each year by the
// State Council's notice (国务院办公厅关于…年部分节假日安排的通知).
//
// # Time zone
//
// Everything is reckoned in Asia/Shanghai (see [Location]); the tzdata is
// embedded so the binary needs no system zone files. Shanghai has kept UTC+8
// without daylight saving since 1991, which lets the hot paths work on plain
// day numbers instead of calling into the time package.
//
// # Working time
//
// A working day counts 24 hours of working time, a non-working day none.
// Office hours are deliberately not modelled: the hotline rules count whole
// working days ("5 个工作日"), and a 24-hour day keeps "same clock time N
// working days later" exact.
//
// # The AddWorkingDays rule
//
// [Calendar.AddWorkingDays](start, n) returns the same clock time on the
// n-th working day after the start day. If the start falls on a non-working
// day, counting starts at 00:00 of the next working day, so the result is
// 00:00 of the n-th working day after that one. Examples from the 2025
// calendar: received Tue 2025-09-30 10:00 with 5 days → Tue 2025-10-14 10:00
// (10-01..10-08 are the National Day holiday; 10-09, 10-10, 10-11 (a 调休
// Saturday), 10-13, 10-14 are the five working days); received Sat
// 2025-10-04 15:00 with 1 day → Fri 2025-10-10 00:00 (counting starts Thu
// 10-09 00:00). n <= 0 returns start unchanged.
//
// [Calendar.Deadline] generalises this to suspended orders: suspended
// working time does not count, so the deadline moves later by the working
// time spent suspended. When working time runs out exactly at the end of a
// working day the deadline is reported as 00:00 of the next working day,
// which is the same instant in working time and agrees with AddWorkingDays.
//
// # Data
//
// The calendars for 2024–2026 are embedded from data/*.json. Further years
// are loaded with [ParseYear] and [Calendar.Add]; the format is
//
//	{
//	  "year": 2027,
//	  "source": "国务院办公厅关于2027年部分节假日安排的通知",  // optional
//	  "holidays": ["2027-01-01", ...],  // every day off, weekends inside a holiday span included
//	  "workdays": ["2027-02-07", ...]   // weekend days that are working days (调休上班)
//	}
//
// Years without data fall back to plain Monday–Friday; [Calendar.Known]
// says whether a year has official data, so callers can warn an
// administrator before the year starts. Supported years are 2000–2099.
package workcal
