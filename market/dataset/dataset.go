// Package dataset reads spot price history that was collected outside
// spotscope: the AWS CLI's describe-spot-price-history JSON and CSV with the
// columns AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp
// and optionally AvailabilityZoneId (gzip or plain). It is the parser behind `spotscope import`, the embedded
// demo data and the fake EC2 endpoint's fixtures.
package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spotscope/spotscope/market"
)

// Options control how records are read.
type Options struct {
	// Region is used for every record when set; otherwise each record's
	// region is derived from its AZ name.
	Region string
	// Zones, when set, renames AZs from the account that recorded the file
	// to this account's names through AZ IDs (see ZoneMap).
	Zones *ZoneMap
}

// ReadFile reads a CSV or AWS CLI JSON file, gzip or plain, and calls fn for
// each record in file order.
func ReadFile(path string, opts Options, fn func(market.Record) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := Read(f, opts, fn); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Read detects gzip and the format (JSON starts with '{' or '[') and parses r.
func Read(r io.Reader, opts Options, fn func(market.Record) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	first, err := firstNonSpace(br)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty input")
		}
		return err
	}
	if first == '{' || first == '[' {
		return ReadCLIJSON(br, opts, fn)
	}
	return ReadCSV(br, opts, fn)
}

func firstNonSpace(br *bufio.Reader) (byte, error) {
	for i := 1; ; i++ {
		b, err := br.Peek(i)
		if err != nil {
			return 0, err
		}
		c := b[i-1]
		if c == 0xEF || c == 0xBB || c == 0xBF { // UTF-8 BOM
			continue
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c, nil
		}
		if i > 4096 {
			return 0, errors.New("no data in the first 4 KiB")
		}
	}
}

var csvColumns = []string{"AvailabilityZone", "InstanceType", "ProductDescription", "SpotPrice", "Timestamp"}

// ReadCSV parses CSV with a header row naming (at least) the five columns, in
// any order.
func ReadCSV(r io.Reader, opts Options, fn func(market.Record) error) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("csv header: %w", err)
	}
	idx := make([]int, len(csvColumns))
	for i, want := range csvColumns {
		idx[i] = -1
		for j, h := range header {
			if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")), want) {
				idx[i] = j
			}
		}
		if idx[i] < 0 {
			return fmt.Errorf("csv header lacks column %s (want %s)", want, strings.Join(csvColumns, ","))
		}
	}
	idCol := -1
	for j, h := range header {
		if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")), "AvailabilityZoneId") {
			idCol = j
		}
	}
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("csv: %w", err)
		}
		get := func(i int) string {
			if idx[i] < len(row) {
				return row[idx[i]]
			}
			return ""
		}
		azID := ""
		if idCol >= 0 && idCol < len(row) {
			azID = row[idCol]
		}
		rec, err := makeRecord(opts, get(0), azID, get(1), get(2), get(3), get(4))
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

type cliItem struct {
	AvailabilityZone   string `json:"AvailabilityZone"`
	AvailabilityZoneID string `json:"AvailabilityZoneId"`
	InstanceType       string `json:"InstanceType"`
	ProductDescription string `json:"ProductDescription"`
	SpotPrice          string `json:"SpotPrice"`
	Timestamp          string `json:"Timestamp"`
}

// ReadCLIJSON parses `aws ec2 describe-spot-price-history` output: an object
// with a SpotPriceHistory array (NextToken ignored), or a bare array of items.
func ReadCLIJSON(r io.Reader, opts Options, fn func(market.Record) error) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	var items []cliItem
	trimmed := bytes.TrimLeft(data, " \t\r\n\uFEFF")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		err = json.Unmarshal(trimmed, &items)
	} else {
		var doc struct {
			SpotPriceHistory *[]cliItem `json:"SpotPriceHistory"`
		}
		err = json.Unmarshal(trimmed, &doc)
		if err == nil && doc.SpotPriceHistory == nil {
			return errors.New("json has no SpotPriceHistory array (expected aws ec2 describe-spot-price-history output)")
		}
		if doc.SpotPriceHistory != nil {
			items = *doc.SpotPriceHistory
		}
	}
	if err != nil {
		return fmt.Errorf("json: %w", err)
	}
	for i, it := range items {
		rec, err := makeRecord(opts, it.AvailabilityZone, it.AvailabilityZoneID, it.InstanceType, it.ProductDescription, it.SpotPrice, it.Timestamp)
		if err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}

func makeRecord(opts Options, az, azID, typ, product, price, ts string) (market.Record, error) {
	az, typ, product = strings.TrimSpace(az), strings.TrimSpace(typ), strings.TrimSpace(product)
	if az == "" || typ == "" || product == "" {
		return market.Record{}, errors.New("missing availability zone, instance type or product")
	}
	p, err := market.ParsePrice(price)
	if err != nil {
		return market.Record{}, err
	}
	t, err := ParseTime(ts)
	if err != nil {
		return market.Record{}, err
	}
	region := opts.Region
	if region == "" {
		if region, err = market.RegionOfZone(az); err != nil {
			return market.Record{}, fmt.Errorf("%w; pass --region", err)
		}
	}
	if opts.Zones != nil {
		if az, err = opts.Zones.local(region, az, strings.TrimSpace(azID)); err != nil {
			return market.Record{}, err
		}
	}
	return market.Record{Pool: market.Pool{Region: region, AvailabilityZone: az, InstanceType: typ, Product: product}, Time: t, Price: p}, nil
}

// ParseWhen parses a time a user types: what ParseTime accepts, or a date
// (2020-06-23), which means midnight UTC at its start.
func ParseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, strings.TrimSpace(s)); err == nil {
		return t, nil
	}
	t, err := ParseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid time %q (want a date such as 2020-06-23 or RFC 3339 such as 2020-06-22T11:40:45Z)", strings.TrimSpace(s))
	}
	return t, nil
}

// ParseTime accepts the timestamp forms AWS tools print: RFC 3339 with or
// without fraction and offset, and zone-less times taken as UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid timestamp %q (want RFC 3339, e.g. 2020-06-22T11:40:45Z)", s)
}
