package output

import (
	"strconv"
	"strings"
)

// Count spells a count with its noun, for messages people read: "1 region",
// "3 regions", "2 retries", "1,500 records".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") && !strings.HasSuffix(noun, "ay") && !strings.HasSuffix(noun, "ey") {
		return Commas(int64(n)) + " " + strings.TrimSuffix(noun, "y") + "ies"
	}
	return Commas(int64(n)) + " " + noun + "s"
}

// Commas writes n with thousands separators: 1234567 -> "1,234,567".
func Commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
