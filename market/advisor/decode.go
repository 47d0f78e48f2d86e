package advisor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The advisor file is 0.9 MB of nested objects (region -> OS -> type ->
// {"s", "r"}, 25,000 rows). encoding/json decoded it at 15 MB/s, 60 ms and
// 105,000 allocations on every start of the TUI and every command that shows
// interruption buckets, most of it reflection and a pointer per field to
// tell a missing "s" from a zero. This reader knows the file's shape and
// decodes it in one pass with what encoding/json would give: the same
// values, the same case-insensitive field names, null as "not there",
// unknown fields skipped, strings with escapes or non-ASCII bytes handed to
// encoding/json itself, and an error wherever it would fail (a type
// mismatch, bad syntax, trailing data). FuzzDecodeMatchesEncodingJSON holds
// it to that.

// inRow is one spot_advisor row as read; has* say the field was present
// and not null.
type inRow struct {
	s, r       float64
	hasS, hasR bool
}

// inFile is the file as read, before Parse validates it.
type inFile struct {
	globalRate string
	ranges     []fileRange
	specs      map[string]fileSpec
	rows       map[string]map[string]map[string]inRow
}

type decoder struct {
	b     []byte
	i     int
	depth int
	names map[string]string
}

// maxDepth is encoding/json's nesting limit, so both refuse the same files.
const maxDepth = 10000

var errSyntax = errors.New("invalid JSON")

func decodeFile(b []byte) (inFile, error) {
	d := &decoder{b: b}
	var f inFile
	err := d.nullOr(func() error { return d.object(func(key string) error { return d.fileField(&f, key) }) })
	if err == nil {
		if d.ws(); d.i != len(d.b) {
			err = errSyntax
		}
	}
	if err != nil {
		// A file that is not JSON gets encoding/json's own words for it
		// ("unexpected end of JSON input", "invalid character ...").
		var v any
		if jerr := json.Unmarshal(b, &v); jerr != nil {
			return f, jerr
		}
		return f, fmt.Errorf("%w (at byte %d)", err, d.i)
	}
	return f, nil
}

func (d *decoder) fileField(f *inFile, key string) error {
	switch {
	case field(key, "global_rate"):
		return d.str(&f.globalRate)
	case field(key, "ranges"):
		if d.null() {
			f.ranges = nil
			return nil
		}
		// encoding/json decodes a repeated "ranges" into the earlier
		// array's elements, merging; so does this.
		old := f.ranges[:cap(f.ranges)]
		f.ranges = f.ranges[:0]
		return d.array(func() error {
			var r fileRange
			if n := len(f.ranges); n < len(old) {
				r = old[n]
			}
			err := d.nullOr(func() error {
				return d.object(func(k string) error {
					switch {
					case field(k, "index"):
						return d.intPtr(&r.Index)
					case field(k, "label"):
						return d.str(&r.Label)
					case field(k, "max"):
						return d.float(&r.Max)
					}
					return d.skip()
				})
			})
			f.ranges = append(f.ranges, r)
			return err
		})
	case field(key, "instance_types"):
		if d.null() {
			f.specs = nil
			return nil
		}
		if f.specs == nil {
			f.specs = map[string]fileSpec{}
		}
		// A map's value is decoded from zero each time, so a repeated key
		// replaces the earlier value (a repeated field merges, above).
		return d.object(func(name string) error {
			var s fileSpec
			err := d.nullOr(func() error {
				return d.object(func(k string) error {
					switch {
					case field(k, "cores"):
						return d.float(&s.Cores)
					case field(k, "ram_gb"):
						return d.float(&s.RAMGB)
					case field(k, "emr"):
						return d.boolean(&s.EMR)
					}
					return d.skip()
				})
			})
			f.specs[name] = s
			return err
		})
	case field(key, "spot_advisor"):
		if d.null() {
			f.rows = nil
			return nil
		}
		if f.rows == nil {
			f.rows = map[string]map[string]map[string]inRow{}
		}
		return d.object(func(region string) error {
			if d.null() {
				f.rows[region] = nil
				return nil
			}
			byOS := map[string]map[string]inRow{}
			f.rows[region] = byOS
			return d.object(func(os string) error {
				if d.null() {
					byOS[os] = nil
					return nil
				}
				byType := make(map[string]inRow, 64)
				byOS[os] = byType
				return d.rows(byType)
			})
		})
	}
	return d.skip()
}

// rows reads one OS's {"type": {"s": savings, "r": bucket}, ...}.
func (d *decoder) rows(byType map[string]inRow) error {
	if err := d.open(); err != nil {
		return err
	}
	for first := true; ; first = false {
		key, ok, err := d.next(first)
		if err != nil || !ok {
			return err
		}
		typ := d.name(key)
		var r inRow
		if !d.null() {
			if err := d.open(); err != nil {
				return err
			}
			for first := true; ; first = false {
				k, ok, err := d.next(first)
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				switch {
				case fieldB(k, "s"):
					err = d.optFloat(&r.s, &r.hasS)
				case fieldB(k, "r"):
					err = d.optFloat(&r.r, &r.hasR)
				default:
					err = d.skip()
				}
				if err != nil {
					return err
				}
			}
		}
		byType[typ] = r
	}
}

// field matches a JSON key to a field name as encoding/json does: exactly,
// else case-insensitively.
func field(key, name string) bool { return key == name || strings.EqualFold(key, name) }

func fieldB(key []byte, name string) bool {
	return string(key) == name || bytes.EqualFold(key, []byte(name))
}

func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) peek() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *decoder) literal(s string) bool {
	if d.peek() == s[0] && len(d.b)-d.i >= len(s) && string(d.b[d.i:d.i+len(s)]) == s {
		d.i += len(s)
		return true
	}
	return false
}

// null consumes a null, reporting whether there was one.
func (d *decoder) null() bool { return d.literal("null") }

// nullOr reads a null (leaving the value as it is) or the value fn reads.
func (d *decoder) nullOr(fn func() error) error {
	if d.null() {
		return nil
	}
	return fn()
}

func (d *decoder) enter() error {
	if d.depth++; d.depth > maxDepth {
		return errors.New("exceeded max depth")
	}
	return nil
}

// object reads {"key": value, ...}, calling fn at each value.
func (d *decoder) object(fn func(key string) error) error {
	if err := d.open(); err != nil {
		return err
	}
	for first := true; ; first = false {
		key, ok, err := d.next(first)
		if err != nil || !ok {
			return err
		}
		if err := fn(d.name(key)); err != nil {
			return err
		}
	}
}

// open consumes an object's '{'; next then walks its keys. The spot_advisor
// rows are read with these two directly: a callback per row made a closure
// (an allocation) per row.
func (d *decoder) open() error {
	if d.peek() != '{' {
		return d.mismatch("an object")
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.i++
	return nil
}

// next reads up to the next key's value: the key, or ok false at the
// object's end. The key's bytes are only valid until the next read.
func (d *decoder) next(first bool) (key []byte, ok bool, err error) {
	c := d.peek()
	switch {
	case c == '}':
		d.i++
		d.depth--
		return nil, false, nil
	case !first && c == ',':
		d.i++
		c = d.peek()
	case !first:
		return nil, false, errSyntax
	}
	if c != '"' {
		return nil, false, errSyntax
	}
	if key, err = d.rawStr(); err != nil {
		return nil, false, err
	}
	if d.peek() != ':' {
		return nil, false, errSyntax
	}
	d.i++
	return key, true, nil
}

// name is a key as a string. Instance type names repeat in every region
// and OS, so each is allocated once.
func (d *decoder) name(key []byte) string {
	if s, ok := d.names[string(key)]; ok {
		return s
	}
	if d.names == nil {
		d.names = map[string]string{}
	}
	s := string(key)
	d.names[s] = s
	return s
}

// array reads [value, ...], calling fn at each value.
func (d *decoder) array(fn func() error) error {
	if d.peek() != '[' {
		return d.mismatch("an array")
	}
	if err := d.enter(); err != nil {
		return err
	}
	defer func() { d.depth-- }()
	d.i++
	if d.peek() == ']' {
		d.i++
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return nil
		default:
			return errSyntax
		}
	}
}

// mismatch is the error for a value of the wrong type, or bad syntax where
// a value should be: encoding/json checks the whole document's syntax
// first, so either way the file is refused.
func (d *decoder) mismatch(want string) error {
	start := d.i
	if err := d.skip(); err != nil {
		return err
	}
	return fmt.Errorf("cannot unmarshal %.20s into %s", d.b[start:d.i], want)
}

// str reads a string into *out, or leaves it for a null.
func (d *decoder) str(out *string) error {
	if d.null() {
		return nil
	}
	if d.peek() != '"' {
		return d.mismatch("a string")
	}
	b, err := d.rawStr()
	if err != nil {
		return err
	}
	*out = string(b)
	return nil
}

// rawStr reads the string token at d.i (a '"'), returning its decoded
// bytes: a slice of the input when the string is plain ASCII without
// escapes, else what encoding/json makes of it (escapes, and invalid UTF-8
// replaced), and its error for control characters or a bad escape.
func (d *decoder) rawStr() ([]byte, error) {
	start := d.i
	for j := start + 1; j < len(d.b); j++ {
		c := d.b[j]
		if c == '"' {
			d.i = j + 1
			return d.b[start+1 : j], nil
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			break
		}
	}
	end, err := d.stringEnd(start)
	if err != nil {
		return nil, err
	}
	var s string
	if err := json.Unmarshal(d.b[start:end], &s); err != nil {
		return nil, err
	}
	d.i = end
	return []byte(s), nil
}

// stringEnd finds the end of the string token starting at start.
func (d *decoder) stringEnd(start int) (int, error) {
	for j := start + 1; j < len(d.b); j++ {
		switch d.b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errSyntax
}

// number reads a number token with JSON's grammar.
func (d *decoder) number() (string, error) {
	d.ws()
	start, j := d.i, d.i
	digits := func() int {
		n := 0
		for j < len(d.b) && d.b[j] >= '0' && d.b[j] <= '9' {
			j++
			n++
		}
		return n
	}
	if j < len(d.b) && d.b[j] == '-' {
		j++
	}
	switch {
	case j < len(d.b) && d.b[j] == '0':
		j++
	case digits() == 0:
		return "", errSyntax
	}
	if j < len(d.b) && d.b[j] == '.' {
		j++
		if digits() == 0 {
			return "", errSyntax
		}
	}
	if j < len(d.b) && (d.b[j] == 'e' || d.b[j] == 'E') {
		j++
		if j < len(d.b) && (d.b[j] == '+' || d.b[j] == '-') {
			j++
		}
		if digits() == 0 {
			return "", errSyntax
		}
	}
	d.i = j
	return string(d.b[start:j]), nil
}

func (d *decoder) isNumber() bool {
	c := d.peek()
	return c == '-' || c >= '0' && c <= '9'
}

func (d *decoder) float(out *float64) error {
	var has bool
	return d.optFloat(out, &has)
}

// optFloat reads a number into *out and sets *has, or leaves both for a
// null.
func (d *decoder) optFloat(out *float64, has *bool) error {
	if d.null() {
		return nil
	}
	if !d.isNumber() {
		return d.mismatch("a number")
	}
	tok, err := d.number()
	if err != nil {
		return err
	}
	v, err := strconv.ParseFloat(tok, 64)
	if err != nil {
		return fmt.Errorf("cannot unmarshal number %s into a float64", tok)
	}
	*out, *has = v, true
	return nil
}

// intPtr reads an integer literal into a new int, as encoding/json fills a
// *int; a fraction or an exponent is refused, as it refuses them.
func (d *decoder) intPtr(out **int) error {
	if d.null() {
		*out = nil
		return nil
	}
	if !d.isNumber() {
		return d.mismatch("an integer")
	}
	tok, err := d.number()
	if err != nil {
		return err
	}
	v, err := strconv.ParseInt(tok, 10, strconv.IntSize)
	if err != nil {
		return fmt.Errorf("cannot unmarshal number %s into an int", tok)
	}
	n := int(v)
	*out = &n
	return nil
}

func (d *decoder) boolean(out *bool) error {
	switch {
	case d.null():
	case d.literal("true"):
		*out = true
	case d.literal("false"):
		*out = false
	default:
		return d.mismatch("a boolean")
	}
	return nil
}

// skip reads any value.
func (d *decoder) skip() error {
	switch c := d.peek(); {
	case c == '{':
		return d.object(func(string) error { return d.skip() })
	case c == '[':
		return d.array(d.skip)
	case c == '"':
		var s string
		return d.str(&s)
	case c == '-' || c >= '0' && c <= '9':
		_, err := d.number()
		return err
	case d.literal("true"), d.literal("false"), d.literal("null"):
		return nil
	}
	return errSyntax
}
