package market

import (
	"fmt"
	"strconv"
	"strings"
)

// ParsePrice parses the decimal string AWS sends for a spot price
// ("0.034500"). It is the only place a price string becomes a number, so every
// reader agrees on what a valid price is: finite and not negative. Zero is a
// real price in AWS data and is kept.
func ParsePrice(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty price")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v || v < 0 || v > 1e6 {
		return 0, fmt.Errorf("invalid price %q", s)
	}
	return v, nil
}

// FormatPrice prints a price the way AWS does (six decimals), so round trips
// through CSV or JSON are exact.
func FormatPrice(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
